// The receive buffer alone: in-order data, holes filled later, overlapping
// and duplicate segments, the 4-range and window bounds, the ring's and the
// sequence space's wrap-around. The ring sits between guard bytes, so a
// write outside it would show.
#include "tcp/reassembly.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

constexpr size_t kGuard = 64;
constexpr uint8_t kGuardByte = 0xa5;

class ReassemblyTest : public ::testing::Test {
 protected:
  void Start(uint32_t next, uint32_t capacity) {
    memory_.assign(kGuard + capacity + kGuard, kGuardByte);
    rx_.Reset(SeqNum(next), memory_.data() + kGuard, capacity);
    capacity_ = capacity;
  }

  Reassembly::StoreResult Store(uint32_t seq, const std::string& bytes) {
    return rx_.Store(SeqNum(seq), reinterpret_cast<const uint8_t*>(bytes.data()),
                     static_cast<uint32_t>(bytes.size()));
  }

  // Everything PopContiguous yields now, joined.
  std::string PopAll() {
    std::string out;
    Reassembly::Contiguous c;
    while (rx_.PopContiguous(&c)) {
      out.append(c.first);
      out.append(c.second);
    }
    return out;
  }

  bool GuardsIntact() const {
    for (size_t i = 0; i < kGuard; ++i) {
      if (memory_[i] != kGuardByte || memory_[kGuard + capacity_ + i] != kGuardByte) {
        return false;
      }
    }
    return true;
  }

  Reassembly rx_;
  std::vector<uint8_t> memory_;
  uint32_t capacity_ = 0;
};

using Result = Reassembly::StoreResult;

TEST_F(ReassemblyTest, InOrderDataOnlyMovesNext) {
  Start(1000, 64);
  rx_.Advance(5);
  EXPECT_EQ(rx_.next(), SeqNum(1005));
  EXPECT_TRUE(rx_.empty());
  EXPECT_EQ(PopAll(), "");
  rx_.ConsumeFin();
  EXPECT_EQ(rx_.next(), SeqNum(1006));
}

TEST_F(ReassemblyTest, HoleFilledByInOrderData) {
  Start(1000, 64);
  EXPECT_EQ(Store(1005, "world"), Result::kStored);
  EXPECT_FALSE(rx_.empty());
  EXPECT_EQ(PopAll(), "");  // the hole [1000, 1005) is still open
  EXPECT_EQ(rx_.next(), SeqNum(1000));
  rx_.Advance(5);  // "hello", delivered straight from its segment
  EXPECT_EQ(PopAll(), "world");
  EXPECT_EQ(rx_.next(), SeqNum(1010));
  EXPECT_TRUE(rx_.empty());
  EXPECT_TRUE(GuardsIntact());
}

TEST_F(ReassemblyTest, SeveralHolesDeliverInSequenceOrder) {
  Start(0, 64);
  EXPECT_EQ(Store(30, "dd"), Result::kStored);
  EXPECT_EQ(Store(10, "bb"), Result::kStored);
  EXPECT_EQ(Store(20, "cc"), Result::kStored);
  rx_.Advance(2);
  EXPECT_EQ(Store(2, "xxxxxxxx"), Result::kStored);  // fills [2, 10)
  EXPECT_EQ(PopAll(), "xxxxxxxxbb");
  EXPECT_EQ(rx_.next(), SeqNum(12));
  EXPECT_EQ(Store(12, "yyyyyyyy"), Result::kStored);
  EXPECT_EQ(Store(22, "zzzzzzzz"), Result::kStored);
  EXPECT_EQ(PopAll(), "yyyyyyyycczzzzzzzzdd");
  EXPECT_EQ(rx_.next(), SeqNum(32));
}

TEST_F(ReassemblyTest, OverlapsMergeAndDuplicatesAreRecognised) {
  Start(0, 64);
  EXPECT_EQ(Store(10, "abcdefghij"), Result::kStored);  // [10, 20)
  EXPECT_EQ(Store(15, "fghijklmno"), Result::kStored);  // [15, 25): extends it
  EXPECT_EQ(Store(12, "cdefg"), Result::kDuplicate);    // inside [10, 25)
  EXPECT_EQ(Store(10, "abcdefghijklmno"), Result::kDuplicate);
  EXPECT_EQ(Store(5, "56789abcde"), Result::kStored);   // [5, 15): extends left
  rx_.Advance(5);
  EXPECT_EQ(PopAll(), "56789abcdefghijklmno");
  // Before next(): already delivered.
  EXPECT_EQ(Store(0, "01234"), Result::kDuplicate);
  EXPECT_TRUE(GuardsIntact());
}

TEST_F(ReassemblyTest, AdjacentRangesMerge) {
  Start(0, 64);
  EXPECT_EQ(Store(10, "aa"), Result::kStored);
  EXPECT_EQ(Store(12, "bb"), Result::kStored);  // touches [10, 12): one range
  EXPECT_EQ(Store(20, "cc"), Result::kStored);
  EXPECT_EQ(Store(30, "dd"), Result::kStored);
  EXPECT_EQ(Store(40, "ee"), Result::kStored);  // the fourth range
  rx_.Advance(10);
  EXPECT_EQ(PopAll(), "aabb");
}

TEST_F(ReassemblyTest, AtMostFourRanges) {
  Start(0, 64);
  for (uint32_t s : {10u, 20u, 30u, 40u}) EXPECT_EQ(Store(s, "x"), Result::kStored);
  // A fifth separate range is dropped, bytes and all ...
  EXPECT_EQ(Store(50, "y"), Result::kTooManyRanges);
  EXPECT_EQ(Store(5, "y"), Result::kTooManyRanges);
  // ... but data that joins two ranges leaves fewer, and is kept.
  EXPECT_EQ(Store(11, "aaaaaaaaa"), Result::kStored);  // [10, 21) now
  EXPECT_EQ(Store(50, "y"), Result::kStored);
  rx_.Advance(10);
  EXPECT_EQ(PopAll(), "xaaaaaaaaax");
  EXPECT_EQ(rx_.next(), SeqNum(21));
  EXPECT_TRUE(GuardsIntact());
}

TEST_F(ReassemblyTest, NothingBeyondTheWindowIsKept) {
  // The stack's default receive window: 16 KiB.
  constexpr uint32_t kWindow = 16384;
  Start(0, kWindow);
  const std::string big(1000, 'w');
  // [16000, 17000): only the 384 bytes below 16384 fit.
  EXPECT_EQ(Store(16000, big), Result::kStored);
  EXPECT_EQ(Store(kWindow, "z"), Result::kOutsideWindow);
  EXPECT_EQ(Store(kWindow + 5000, big), Result::kOutsideWindow);
  EXPECT_TRUE(GuardsIntact());
  rx_.Advance(16000);
  EXPECT_EQ(PopAll(), std::string(384, 'w'));
  EXPECT_EQ(rx_.next(), SeqNum(kWindow));
  // The window has moved: what was beyond it is welcome now.
  EXPECT_EQ(Store(kWindow + 5000, big), Result::kStored);
  EXPECT_TRUE(GuardsIntact());
}

TEST_F(ReassemblyTest, PartlyDeliveredRangeYieldsOnlyTheRest) {
  Start(0, 64);
  EXPECT_EQ(Store(5, "56789"), Result::kStored);
  rx_.Advance(7);  // an in-order segment [0, 7) overlapping the range
  EXPECT_EQ(PopAll(), "789");
  EXPECT_EQ(Store(20, "k"), Result::kStored);
  rx_.Advance(30);  // covers the whole range: nothing left to hand out
  EXPECT_EQ(PopAll(), "");
  EXPECT_TRUE(rx_.empty());
}

TEST_F(ReassemblyTest, RingWrapAroundComesInTwoPieces) {
  Start(0, 16);
  rx_.Advance(12);  // the ring's head is at index 12
  EXPECT_EQ(Store(14, "abcdef"), Result::kStored);  // indices 14, 15, 0 .. 3
  rx_.Advance(2);
  Reassembly::Contiguous c;
  ASSERT_TRUE(rx_.PopContiguous(&c));
  EXPECT_EQ(c.first, "ab");
  EXPECT_EQ(c.second, "cdef");
  EXPECT_FALSE(rx_.PopContiguous(&c));
  EXPECT_EQ(rx_.next(), SeqNum(20));
  EXPECT_TRUE(GuardsIntact());
}

TEST_F(ReassemblyTest, SequenceNumbersWrap) {
  Start(0xfffffffa, 64);
  EXPECT_EQ(Store(0x00000002, "later"), Result::kStored);  // past 2^32
  EXPECT_EQ(Store(0xfffffffe, "wrap"), Result::kStored);   // [2^32 - 2, 2)
  rx_.Advance(4);
  EXPECT_EQ(PopAll(), "wraplater");
  EXPECT_EQ(rx_.next(), SeqNum(7));
}

TEST_F(ReassemblyTest, FirstCopyWinsAndDifferencesAreReported) {
  Start(0, 64);
  bool differed = true;
  EXPECT_EQ(rx_.Store(SeqNum(10), reinterpret_cast<const uint8_t*>("abcde"), 5, &differed),
            Result::kStored);
  EXPECT_FALSE(differed);
  // [8, 17): overlaps [10, 15) with other bytes; only [8, 10) and [15, 17)
  // are new, and the held "abcde" stays.
  EXPECT_EQ(rx_.Store(SeqNum(8), reinterpret_cast<const uint8_t*>("XYZZZZZvw"), 9, &differed),
            Result::kStored);
  EXPECT_TRUE(differed);
  // The same bytes again: a duplicate that differs from nothing.
  EXPECT_EQ(rx_.Store(SeqNum(10), reinterpret_cast<const uint8_t*>("abcde"), 5, &differed),
            Result::kDuplicate);
  EXPECT_FALSE(differed);
  // Contained but different: a duplicate whose bytes differed.
  EXPECT_EQ(rx_.Store(SeqNum(11), reinterpret_cast<const uint8_t*>("Q"), 1, &differed),
            Result::kDuplicate);
  EXPECT_TRUE(differed);
  rx_.Advance(8);
  EXPECT_EQ(PopAll(), "XYabcdevw");
  EXPECT_TRUE(GuardsIntact());
}

TEST_F(ReassemblyTest, FirstCopyWinsAcrossTheRingsWrap) {
  Start(0, 16);
  rx_.Advance(12);  // the ring's head at index 12
  EXPECT_EQ(Store(14, "cdef"), Result::kStored);  // indices 14, 15, 0, 1
  bool differed = false;
  EXPECT_EQ(rx_.Store(SeqNum(12), reinterpret_cast<const uint8_t*>("abCDEFgh"), 8, &differed),
            Result::kStored);
  EXPECT_TRUE(differed);
  EXPECT_EQ(PopAll(), "abcdefgh");
  EXPECT_TRUE(GuardsIntact());
}

TEST_F(ReassemblyTest, SkipGivesUpOnAHole) {
  Start(100, 64);
  EXPECT_EQ(Store(110, "later"), Result::kStored);
  ASSERT_FALSE(rx_.empty());
  EXPECT_EQ(rx_.first_buffered(), SeqNum(110));
  rx_.Skip(rx_.first_buffered());
  EXPECT_EQ(rx_.next(), SeqNum(110));
  EXPECT_EQ(PopAll(), "later");
  EXPECT_EQ(rx_.next(), SeqNum(115));
  EXPECT_TRUE(GuardsIntact());
}

}  // namespace
}  // namespace tlsweep
