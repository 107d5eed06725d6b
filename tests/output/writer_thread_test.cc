#include "output/writer_thread.h"

#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

ScanResult Open(uint32_t ip, bool repeat = false) {
  ScanResult r;
  r.response.target = Ipv4Address(ip);
  r.response.port = 25;
  r.response.success = true;
  r.repeat = repeat;
  return r;
}

// More results than the ring holds, so the producer waits for room at
// least once; every kept result is written, in order, and Stop() drains.
TEST(WriterThreadTest, WritesEveryKeptResultInOrderThroughAFullRing) {
  const std::string path = ::testing::TempDir() + "/writer_thread_test.txt";
  auto writer = ResultWriter::Open(path, OutputOptions{});
  ASSERT_TRUE(writer.ok()) << writer.status();
  const uint32_t n = WriterThread::kCapacity * 2 + 7;
  {
    WriterThread thread(*writer);
    for (uint32_t i = 0; i < n; ++i) {
      thread.Push(Open(0x0a000000 + i));
      thread.Push(Open(0x0a000000 + i, /*repeat=*/true));  // filtered out
    }
    thread.Stop();
  }
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_EQ(writer->written(), n);
  const auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), n);
  EXPECT_EQ(lines.front(), "10.0.0.0");
  EXPECT_EQ(lines.back(), Ipv4Address(0x0a000000 + n - 1).ToString());
}

TEST(WriterThreadTest, WritesRecordLinesAsGiven) {
  const std::string path = ::testing::TempDir() + "/writer_thread_lines.txt";
  auto writer = ResultWriter::Open(path, OutputOptions{});
  ASSERT_TRUE(writer.ok()) << writer.status();
  WriterThread thread(*writer);
  thread.PushLine("{\"a\":1}\n");
  thread.PushLine("{\"b\":2}\n");
  thread.Stop();
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_EQ(ReadLines(path), (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
}

}  // namespace
}  // namespace tlsweep
