#include "packet/pcap_writer.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

uint32_t Le32(const std::vector<uint8_t>& v, size_t at) {
  uint32_t x;
  std::memcpy(&x, &v[at], 4);
  return x;
}

TEST(PcapWriterTest, WritesHeaderAndRecords) {
  const std::string path = ::testing::TempDir() + "/pcap_writer_test.pcap";
  auto writer = PcapWriter::Open(path);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const uint8_t a[] = {1, 2, 3};
  const uint8_t b[60] = {9};
  ASSERT_TRUE(writer->Write(a, sizeof(a), 1'700'000'000'123'456'789ull).ok());
  ASSERT_TRUE(writer->Write(b, sizeof(b), 5).ok());
  ASSERT_TRUE(writer->Close().ok());

  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_EQ(bytes.size(), 24u + 16 + 3 + 16 + 60);
  EXPECT_EQ(Le32(bytes, 0), 0xa1b23c4du);
  EXPECT_EQ(Le32(bytes, 20), 1u);  // LINKTYPE_ETHERNET
  EXPECT_EQ(Le32(bytes, 24), 1'700'000'000u);
  EXPECT_EQ(Le32(bytes, 28), 123'456'789u);
  EXPECT_EQ(Le32(bytes, 32), 3u);
  EXPECT_EQ(Le32(bytes, 36), 3u);
  EXPECT_EQ(bytes[40], 1);
  EXPECT_EQ(Le32(bytes, 43 + 8), 60u);
  EXPECT_EQ(bytes[43 + 16], 9);
  std::remove(path.c_str());
}

TEST(PcapWriterTest, UnwritablePathIsNamed) {
  auto writer = PcapWriter::Open("/nonexistent-dir/x.pcap");
  ASSERT_FALSE(writer.ok());
  EXPECT_NE(writer.status().message().find("/nonexistent-dir/x.pcap"),
            std::string::npos);
}

}  // namespace
}  // namespace tlsweep
