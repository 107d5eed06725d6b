#include "packet/checksum.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "testing/frames.h"

namespace tlsweep {
namespace {

using ::tlsweep::testing::ReferenceChecksum;

// RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2.
TEST(ChecksumTest, Rfc1071Example) {
  const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(ChecksumFold(ChecksumAdd(bytes, sizeof(bytes))), 0xddf2);
  EXPECT_EQ(ChecksumFinish(ChecksumAdd(bytes, sizeof(bytes))), 0x220d);
}

// A captured IPv4 header whose checksum field is b861.
TEST(ChecksumTest, KnownIpv4Header) {
  uint8_t header[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
                      0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
                      0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(ChecksumFinish(ChecksumAdd(header, sizeof(header))), 0xb861);
  header[10] = 0xb8;
  header[11] = 0x61;
  EXPECT_TRUE(ChecksumValid(ChecksumAdd(header, sizeof(header))));
  header[15] ^= 1;
  EXPECT_FALSE(ChecksumValid(ChecksumAdd(header, sizeof(header))));
}

TEST(ChecksumTest, OddLengthPadsLastByte) {
  const uint8_t bytes[] = {0x12, 0x34, 0x56};
  EXPECT_EQ(ChecksumFold(ChecksumAdd(bytes, 3)), 0x1234 + 0x5600);
}

TEST(ChecksumTest, EmptyIsZero) {
  EXPECT_EQ(ChecksumAdd(nullptr, 0), 0u);
  EXPECT_EQ(ChecksumFinish(0), 0xffff);
}

TEST(ChecksumTest, SplitSumsEqualWholeSum) {
  std::mt19937 rng(7);
  std::vector<uint8_t> data(1500);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (size_t split = 0; split <= data.size(); split += 2) {
    uint64_t sum = ChecksumAdd(data.data(), split);
    sum = ChecksumAdd(data.data() + split, data.size() - split, sum);
    ASSERT_EQ(ChecksumFold(sum), ChecksumFold(ChecksumAdd(data.data(), data.size())));
  }
}

TEST(ChecksumTest, MatchesReferenceOnRandomBuffers) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> data(rng() % 200);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    ASSERT_EQ(ChecksumFinish(ChecksumAdd(data.data(), data.size())),
              ReferenceChecksum(data))
        << "length " << data.size();
  }
}

TEST(ChecksumTest, AllOnesData) {
  std::vector<uint8_t> data(64, 0xff);
  EXPECT_EQ(ChecksumFinish(ChecksumAdd(data.data(), data.size())),
            ReferenceChecksum(data));
}

TEST(ChecksumTest, PseudoHeaderMatchesBytes) {
  const uint8_t bytes[] = {10, 0, 0, 1, 10, 0, 0, 2, 0, 6, 0, 20};
  EXPECT_EQ(ChecksumFold(PseudoHeaderSum(0x0a000001, 0x0a000002, 6, 20)),
            ChecksumFold(ChecksumAdd(bytes, sizeof(bytes))));
}

}  // namespace
}  // namespace tlsweep
