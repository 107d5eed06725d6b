// Tests for response de-duplication in both representations (paged bitmap and
// hash set): exactness, address and port edge cases, the mode choice for
// realistic scan sizes, and the memory accounting of lazily allocated pages.
#include "validate/dedup.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

constexpr uint64_t kFullScan = 3'700'000'000;  // allowed IPv4 addresses

const std::vector<uint16_t> kOnePort = {443};
const std::vector<uint16_t> kMailPorts = {25, 587, 465, 143, 993, 110, 995};

// Both modes run the same behavioural tests.
struct ModeCase {
  const char* name;
  uint64_t expected_targets;
  bool bitmap;
};

class DedupModeTest : public ::testing::TestWithParam<ModeCase> {};

TEST_P(DedupModeTest, ModeIsAsExpected) {
  const Dedup dedup(kMailPorts, GetParam().expected_targets);
  EXPECT_EQ(dedup.uses_bitmap(), GetParam().bitmap);
}

TEST_P(DedupModeTest, FirstInsertTrueRepeatFalse) {
  Dedup dedup(kMailPorts, GetParam().expected_targets);
  const Ipv4Address a(0xc6336407);
  EXPECT_TRUE(dedup.Insert(a, 25));
  EXPECT_FALSE(dedup.Insert(a, 25));
  EXPECT_FALSE(dedup.Insert(a, 25));
}

TEST_P(DedupModeTest, DifferentPortIsNotARepeat) {
  Dedup dedup(kMailPorts, GetParam().expected_targets);
  const Ipv4Address a(0xc6336407);
  for (const uint16_t port : kMailPorts) EXPECT_TRUE(dedup.Insert(a, port));
  for (const uint16_t port : kMailPorts) EXPECT_FALSE(dedup.Insert(a, port));
}

TEST_P(DedupModeTest, NeighbouringAddressesAreIndependent) {
  Dedup dedup(kMailPorts, GetParam().expected_targets);
  // Same 64-bit bitmap word, adjacent words, and across a page boundary.
  for (const uint32_t a : {0x0a000000U, 0x0a000001U, 0x0a00003fU, 0x0a000040U,
                           0x0a07ffffU, 0x0a080000U}) {
    EXPECT_TRUE(dedup.Insert(Ipv4Address(a), 110)) << a;
  }
  EXPECT_FALSE(dedup.Insert(Ipv4Address(0x0a00003f), 110));
  EXPECT_TRUE(dedup.Insert(Ipv4Address(0x0a000002), 110));
}

TEST_P(DedupModeTest, ExtremeAddresses) {
  Dedup dedup(kMailPorts, GetParam().expected_targets);
  const Ipv4Address zero(0);
  const Ipv4Address all_ones(0xffffffff);
  EXPECT_TRUE(dedup.Insert(zero, 25));
  EXPECT_TRUE(dedup.Insert(all_ones, 25));
  EXPECT_TRUE(dedup.Insert(zero, 995));
  EXPECT_TRUE(dedup.Insert(all_ones, 995));
  EXPECT_FALSE(dedup.Insert(zero, 25));
  EXPECT_FALSE(dedup.Insert(all_ones, 25));
  EXPECT_FALSE(dedup.Insert(zero, 995));
  EXPECT_FALSE(dedup.Insert(all_ones, 995));
}

TEST_P(DedupModeTest, PortNotInListIsRejectedAndCounted) {
  Dedup dedup(kMailPorts, GetParam().expected_targets);
  const Ipv4Address a(0xc6336407);
  const uint64_t memory_before = dedup.memory_bytes();
  EXPECT_FALSE(dedup.Insert(a, 80));
  EXPECT_FALSE(dedup.Insert(a, 80));
  EXPECT_FALSE(dedup.Insert(a, 0));
  EXPECT_EQ(dedup.unknown_port_count(), 3U);
  EXPECT_EQ(dedup.memory_bytes(), memory_before);  // nothing stored
  // A scanned port of the same address is unaffected.
  EXPECT_TRUE(dedup.Insert(a, 25));
}

TEST_P(DedupModeTest, MatchesReferenceSetOnRandomStream) {
  // 20000 responses drawn from 4000 distinct (address, port) pairs, so most
  // are repeats; Insert must say "new" exactly when a reference set has not
  // seen the pair. Addresses come from 10.0.0.0/12 (two bitmap pages) so the
  // bitmap case does not zero-fill a page per random address.
  Dedup dedup(kMailPorts, GetParam().expected_targets);
  std::mt19937_64 rng(11);
  std::vector<std::pair<uint32_t, uint16_t>> pairs;
  for (int i = 0; i < 4000; ++i) {
    pairs.emplace_back(0x0a000000U + static_cast<uint32_t>(rng() % (1U << 20)),
                       kMailPorts[rng() % kMailPorts.size()]);
  }
  absl::flat_hash_set<uint64_t> reference;
  for (int i = 0; i < 20000; ++i) {
    const auto& [address, port] = pairs[rng() % pairs.size()];
    const bool expected_new =
        reference.insert((uint64_t{address} << 16) | port).second;
    ASSERT_EQ(dedup.Insert(Ipv4Address(address), port), expected_new) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    BothModes, DedupModeTest,
    ::testing::Values(ModeCase{"Hash", 1000, false},
                      ModeCase{"Bitmap", kFullScan, true}),
    [](const ::testing::TestParamInfo<ModeCase>& case_info) {
      return std::string(case_info.param.name);
    });

TEST(DedupTest, ModeChoiceForTypicalScans) {
  EXPECT_TRUE(Dedup(kOnePort, kFullScan).uses_bitmap());
  EXPECT_TRUE(Dedup(kOnePort, uint64_t{1} << 32).uses_bitmap());
  EXPECT_TRUE(Dedup(kMailPorts, kFullScan).uses_bitmap());
  EXPECT_FALSE(Dedup(kOnePort, 1000).uses_bitmap());
  EXPECT_FALSE(Dedup(kOnePort, 0).uses_bitmap());
  EXPECT_FALSE(Dedup(kOnePort, 1'000'000).uses_bitmap());
}

TEST(DedupTest, ModeSwitchPointIsWhereWorstCasesCross) {
  // For one port the hash table doubles to 2^26 slots above 2^25 * 7/8
  // pairs: 604 MB, more than the bitmap's 512 MiB cap.
  constexpr uint64_t kLastHashTargets = (uint64_t{1} << 25) * 7 / 8;
  EXPECT_LT(Dedup::HashModeBytes(kLastHashTargets),
            Dedup::BitmapWorstCaseBytes(1, kLastHashTargets));
  EXPECT_GT(Dedup::HashModeBytes(kLastHashTargets + 1),
            Dedup::BitmapWorstCaseBytes(1, kLastHashTargets + 1));
  EXPECT_EQ(Dedup::BitmapWorstCaseBytes(1, kFullScan),
            (uint64_t{1} << 29) + Dedup::kPageTableBytes);
}

TEST(DedupTest, HashModeReservesForEveryPairUpFront) {
  Dedup dedup(kMailPorts, 1000);
  ASSERT_FALSE(dedup.uses_bitmap());
  const uint64_t reserved = dedup.memory_bytes();
  EXPECT_GE(reserved, 1000 * kMailPorts.size() * sizeof(uint64_t));
  for (uint32_t i = 0; i < 1000; ++i) {
    for (const uint16_t port : kMailPorts) {
      ASSERT_TRUE(dedup.Insert(Ipv4Address(0x0a000000 + i), port));
    }
  }
  // No rehash: every pair of the target space fits in the reservation.
  EXPECT_EQ(dedup.memory_bytes(), reserved);
  // The mode choice's estimate is what absl actually allocated (an empty
  // Dedup has the same fixed part and no table).
  const Dedup empty(kMailPorts, 0);
  EXPECT_EQ(reserved - empty.memory_bytes(),
            Dedup::HashModeBytes(1000 * kMailPorts.size()));
}

TEST(DedupTest, AllPortsOnFewHostsUsesHashSet) {
  std::vector<uint16_t> all_ports(65536);
  for (uint32_t p = 0; p < 65536; ++p) all_ports[p] = static_cast<uint16_t>(p);
  // 65536 ports x 16 hosts: 1M pairs, 18 MiB in the set versus up to 64 GiB
  // of bitmap pages.
  Dedup dedup(all_ports, 16);
  EXPECT_FALSE(dedup.uses_bitmap());
  EXPECT_TRUE(dedup.Insert(Ipv4Address(1), 65535));
  EXPECT_TRUE(dedup.Insert(Ipv4Address(1), 0));
  EXPECT_FALSE(dedup.Insert(Ipv4Address(1), 65535));
}

TEST(DedupTest, RepeatedPortInListSharesOneIndex) {
  const std::vector<uint16_t> ports = {25, 25, 587};
  for (const uint64_t targets : {uint64_t{1000}, kFullScan}) {
    Dedup dedup(ports, targets);
    EXPECT_TRUE(dedup.Insert(Ipv4Address(7), 25));
    EXPECT_FALSE(dedup.Insert(Ipv4Address(7), 25));
    EXPECT_TRUE(dedup.Insert(Ipv4Address(7), 587));
  }
}

TEST(DedupTest, BitmapAllocatesOnePagePerFirstTouch) {
  Dedup dedup(kMailPorts, kFullScan);
  ASSERT_TRUE(dedup.uses_bitmap());
  const uint64_t empty = dedup.memory_bytes();
  EXPECT_EQ(dedup.pages_allocated(), 0U);
  EXPECT_LT(empty, 512U * 1024);  // port index + pointers, no tables yet

  // First hit on a port: its page table and one page.
  ASSERT_TRUE(dedup.Insert(Ipv4Address(0x0a000000), 25));
  const uint64_t one_page = dedup.memory_bytes();
  EXPECT_EQ(one_page, empty + Dedup::kPageTableBytes + Dedup::kPageBytes);
  EXPECT_EQ(dedup.pages_allocated(), 1U);

  // Same page (the /8 10.0.0.0/8): no growth, repeats or not.
  ASSERT_TRUE(dedup.Insert(Ipv4Address(0x0affffff), 25));
  ASSERT_FALSE(dedup.Insert(Ipv4Address(0x0a000000), 25));
  EXPECT_EQ(dedup.memory_bytes(), one_page);

  // Next page of the same port: exactly one more page.
  ASSERT_TRUE(dedup.Insert(Ipv4Address(0x0b000000), 25));
  EXPECT_EQ(dedup.memory_bytes(), one_page + Dedup::kPageBytes);
  EXPECT_EQ(dedup.pages_allocated(), 2U);

  // Another port: its own table and page.
  ASSERT_TRUE(dedup.Insert(Ipv4Address(0x0a000000), 587));
  EXPECT_EQ(dedup.memory_bytes(), one_page + 2 * Dedup::kPageBytes +
                                      Dedup::kPageTableBytes);
  EXPECT_EQ(dedup.allocation_failures(), 0U);
}

TEST(DedupTest, BitmapMemoryIsOnePagePerTouchedPageWhateverTheInserts) {
  // 8 pages spread over the whole space (every 32nd /8), 64 addresses in
  // each, inserted twice: memory is the table plus exactly 8 pages, however
  // many addresses land in them. (Touching all 256 pages would zero-fill
  // 512 MiB; the bound for that is BitmapWorstCaseBytes, checked above.)
  constexpr uint64_t kPageStride = 32;
  Dedup dedup(kOnePort, kFullScan);
  ASSERT_TRUE(dedup.uses_bitmap());
  const uint64_t empty = dedup.memory_bytes();
  for (int round = 0; round < 2; ++round) {
    for (uint64_t page = 0; page < Dedup::kPagesPerPort; page += kPageStride) {
      for (uint32_t offset = 0; offset < (1U << 19); offset += 1U << 13) {
        const Ipv4Address a(
            static_cast<uint32_t>((page << Dedup::kPageShift) | offset));
        ASSERT_EQ(dedup.Insert(a, 443), round == 0);
      }
    }
  }
  const uint64_t touched = Dedup::kPagesPerPort / kPageStride;
  EXPECT_EQ(dedup.pages_allocated(), touched);
  EXPECT_EQ(dedup.memory_bytes(),
            empty + Dedup::kPageTableBytes + touched * Dedup::kPageBytes);
  EXPECT_LE(dedup.memory_bytes() - empty,
            Dedup::BitmapWorstCaseBytes(1, kFullScan));
}

}  // namespace
}  // namespace tlsweep
