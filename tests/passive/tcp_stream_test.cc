// One direction's reassembly under what captures do: retransmissions,
// reordering, overlaps with other bytes, lost segments (gaps) found by the
// peer's ACK, by a full buffer, by a missing ring and at the end, and FIN.
#include "passive/tcp_stream.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

struct Recorder final : StreamSink {
  void OnData(std::string_view bytes) override { text.append(bytes); }
  void OnGap(uint32_t bytes) override {
    text += "<gap " + std::to_string(bytes) + ">";
    gaps.push_back(bytes);
  }
  std::string text;
  std::vector<uint32_t> gaps;
};

class TcpStreamTest : public ::testing::Test {
 protected:
  // The ISN sits just before the wrap of the sequence space.
  static constexpr uint32_t kIsn = 0xfffffffa;
  void SetUp() override { stream_.Start(kIsn, /*syn=*/true); }
  void Seg(uint32_t offset, std::string_view data, bool fin = false, uint32_t cut = 0) {
    stream_.Segment(kIsn + 1 + offset, reinterpret_cast<const uint8_t*>(data.data()),
                    static_cast<uint32_t>(data.size()), fin, pool_, sink_, cut);
  }
  RingPool pool_{2, 64};
  TcpStream stream_;
  Recorder sink_;
};

TEST_F(TcpStreamTest, InOrderAndRetransmissions) {
  Seg(0, "EHLO ");
  Seg(0, "EHLO ");        // a whole retransmission
  Seg(3, "O x\r\n");     // partly new
  EXPECT_EQ(sink_.text, "EHLO x\r\n");
  EXPECT_EQ(stream_.counters().retransmitted, 1u);
  EXPECT_EQ(stream_.counters().bytes, 8u);
  EXPECT_EQ(stream_.counters().gaps, 0u);
}

TEST_F(TcpStreamTest, ReorderedSegmentsComeOutInOrderAndTheRingGoesBack) {
  Seg(6, "world");
  Seg(3, "lo ");
  EXPECT_EQ(sink_.text, "");
  EXPECT_EQ(stream_.counters().out_of_order, 2u);
  Seg(0, "hel");
  EXPECT_EQ(sink_.text, "hello world");
  // Both rings are free again: two streams can hold holes at once.
  EXPECT_GE(pool_.Acquire(), 0);
  EXPECT_GE(pool_.Acquire(), 0);
  EXPECT_EQ(pool_.Acquire(), -1);
}

TEST_F(TcpStreamTest, OverlapWithOtherBytesKeepsTheFirstCopyAndIsCounted) {
  Seg(4, "ABCD");
  Seg(2, "xxabcdyy");  // differs from the held "ABCD"
  Seg(0, "01");
  EXPECT_EQ(sink_.text, "01xxABCDyy");
  EXPECT_EQ(stream_.counters().overlaps_differing, 1u);
}

TEST_F(TcpStreamTest, PeerAckPastBufferedBytesDeclaresTheHoleLost) {
  Seg(0, "abc");
  Seg(10, "later");  // [3, 10) never captured
  stream_.PeerAcked(kIsn + 1 + 12, pool_, sink_);  // covers the hole and "la"
  EXPECT_EQ(sink_.text, "abc<gap 7>later");
  EXPECT_EQ(stream_.counters().gaps_by_reason[static_cast<int>(GapReason::kAckedByPeer)], 1u);
  // An ACK ahead of everything seen proves nothing (its data may follow).
  stream_.PeerAcked(kIsn + 1 + 100, pool_, sink_);
  Seg(15, "!");
  EXPECT_EQ(sink_.text, "abc<gap 7>later!");
}

TEST_F(TcpStreamTest, FullBufferGivesUpTheOldestHole) {
  Seg(0, "a");
  Seg(10, "b");   // hole [1, 10)
  Seg(70, "c");   // beyond the 64-byte ring: the hole before "b" goes
  EXPECT_EQ(sink_.text, "a<gap 9>b");
  EXPECT_EQ(stream_.counters().gaps_by_reason[static_cast<int>(GapReason::kBufferFull)], 1u);
  stream_.Finish(pool_, sink_);
  EXPECT_EQ(sink_.text, "a<gap 9>b<gap 59>c");
  EXPECT_EQ(stream_.counters().gaps_by_reason[static_cast<int>(GapReason::kEnd)], 1u);
}

TEST_F(TcpStreamTest, NoFreeRingMeansAGap) {
  const int32_t r1 = pool_.Acquire();
  const int32_t r2 = pool_.Acquire();
  ASSERT_GE(r1, 0);
  ASSERT_GE(r2, 0);
  Seg(5, "x");
  EXPECT_EQ(sink_.text, "<gap 5>x");
  EXPECT_EQ(stream_.counters().gaps_by_reason[static_cast<int>(GapReason::kNoRing)], 1u);
}

TEST_F(TcpStreamTest, FinAfterTheLastByteAndHolesFlushedAtTheEnd) {
  Seg(4, "tail", /*fin=*/true);
  EXPECT_FALSE(stream_.fin_delivered());
  Seg(0, "he");
  EXPECT_FALSE(stream_.fin_delivered());
  stream_.Finish(pool_, sink_);
  EXPECT_EQ(sink_.text, "he<gap 2>tail");
  EXPECT_TRUE(stream_.fin_delivered());
  EXPECT_EQ(stream_.counters().gaps_by_reason[static_cast<int>(GapReason::kEnd)], 1u);
}

// A snaplen cut the tail of a segment: a gap once the stream reaches it,
// whether the segment came in order or filled a hole; a cut segment that
// arrives early leaves its tail as an ordinary hole, and a cut copy of
// bytes already delivered loses nothing.
TEST_F(TcpStreamTest, SnaplenCutTailIsAGapWhereTheStreamReachesIt) {
  Seg(0, "EHLO", false, 4);          // "EHLO" kept, " x\r\n" cut
  EXPECT_EQ(sink_.text, "EHLO<gap 4>");
  Seg(0, "EHLO x\r\n");              // the whole copy comes too late
  EXPECT_EQ(stream_.counters().retransmitted, 1u);
  Seg(14, "EF");                     // held behind a hole
  Seg(8, "ABC", false, 3);           // fills the hole's head, its tail cut: "EF" follows
  EXPECT_EQ(sink_.text, "EHLO<gap 4>ABC<gap 3>EF");
  Seg(30, "ZZ", false, 2);           // early: its cut tail is not tracked (a hole once bytes follow)
  Seg(16, "0123456789abcd");
  EXPECT_EQ(sink_.text, "EHLO<gap 4>ABC<gap 3>EF0123456789abcdZZ");
  stream_.Finish(pool_, sink_);
  EXPECT_EQ(sink_.text, "EHLO<gap 4>ABC<gap 3>EF0123456789abcdZZ");
  const StreamCounters& c = stream_.counters();
  EXPECT_EQ(c.gaps_by_reason[static_cast<int>(GapReason::kSnaplen)], 2u);
  EXPECT_EQ(c.gaps, 2u);
  EXPECT_EQ(c.gap_bytes, 7u);
}

TEST_F(TcpStreamTest, FinInOrder) {
  Seg(0, "QUIT\r\n", /*fin=*/true);
  EXPECT_TRUE(stream_.fin_delivered());
  EXPECT_EQ(sink_.text, "QUIT\r\n");
}

TEST(TcpStreamMidstreamTest, StartsAtTheFirstSegmentSeen) {
  RingPool pool(1, 64);
  Recorder sink;
  TcpStream s;
  s.Start(5000, /*syn=*/false);
  EXPECT_FALSE(s.saw_syn());
  s.Segment(5000, reinterpret_cast<const uint8_t*>("abc"), 3, false, pool, sink);
  EXPECT_EQ(sink.text, "abc");
}

}  // namespace
}  // namespace tlsweep
