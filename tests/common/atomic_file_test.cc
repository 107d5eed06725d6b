#include "common/atomic_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AtomicFileTest, ReplacesTheFileAndLeavesNoTemporary) {
  const std::string path = ::testing::TempDir() + "/atomic_file_test.txt";
  ASSERT_TRUE(WriteFileAtomically(path, "first\n").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second\n").ok());
  EXPECT_EQ(Slurp(path), "second\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(AtomicFileTest, ErrorNamesTheFile) {
  const absl::Status s = WriteFileAtomically("/nonexistent/dir/meta.json", "{}");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/dir/meta.json.tmp"), std::string::npos) << s;
}

}  // namespace
}  // namespace tlsweep
