#include "targets/target_parse.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tlsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint32_t kMax = 0xffffffff;

std::string TestData(const std::string& name) {
  return std::string(TLSWEEP_TEST_DATA) + "/" + name;
}

// The source tree's conf/blocklist.conf, found from the test data directory
// (tests/targets/testdata), whatever is installed on the machine.
std::string SourceBlocklist() {
  return std::string(TLSWEEP_TEST_DATA) + "/../../../conf/blocklist.conf";
}

uint32_t Ip(const char* text) { return Ipv4Address::Parse(text)->value(); }

MATCHER_P2(Iv, first, last, "") {
  return arg.first == Ip(first) && arg.last == Ip(last);
}

AddressSet SetOf(const std::vector<std::string>& tokens) {
  AddressSet set;
  for (const std::string& t : tokens) set.Add(*ParseAddressToken(t));
  return set;
}

// ---------------------------------------------------------------- tokens

TEST(ParseAddressTokenTest, SingleAddress) {
  auto i = ParseAddressToken("1.2.3.4");
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_THAT(*i, Iv("1.2.3.4", "1.2.3.4"));
  EXPECT_THAT(*ParseAddressToken("0.0.0.0"), Iv("0.0.0.0", "0.0.0.0"));
  EXPECT_THAT(*ParseAddressToken("255.255.255.255"),
              Iv("255.255.255.255", "255.255.255.255"));
}

TEST(ParseAddressTokenTest, Cidr) {
  EXPECT_THAT(*ParseAddressToken("1.2.3.0/24"), Iv("1.2.3.0", "1.2.3.255"));
  EXPECT_THAT(*ParseAddressToken("10.0.0.0/8"),
              Iv("10.0.0.0", "10.255.255.255"));
  EXPECT_THAT(*ParseAddressToken("100.64.0.0/10"),
              Iv("100.64.0.0", "100.127.255.255"));
  EXPECT_THAT(*ParseAddressToken("1.2.3.4/32"), Iv("1.2.3.4", "1.2.3.4"));
  EXPECT_THAT(*ParseAddressToken("1.2.3.4/31"), Iv("1.2.3.4", "1.2.3.5"));
  auto all = ParseAddressToken("0.0.0.0/0");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->first, 0u);
  EXPECT_EQ(all->last, kMax);
  EXPECT_EQ(all->size(), uint64_t{1} << 32);
}

// Like ZMap: host bits below the prefix are masked, not an error.
TEST(ParseAddressTokenTest, CidrHostBitsAreMasked) {
  EXPECT_THAT(*ParseAddressToken("10.1.2.3/8"),
              Iv("10.0.0.0", "10.255.255.255"));
  EXPECT_THAT(*ParseAddressToken("192.0.2.77/24"),
              Iv("192.0.2.0", "192.0.2.255"));
  EXPECT_THAT(*ParseAddressToken("1.2.3.4/0"),
              Iv("0.0.0.0", "255.255.255.255"));
}

TEST(ParseAddressTokenTest, Range) {
  EXPECT_THAT(*ParseAddressToken("1.2.3.4-1.2.3.9"), Iv("1.2.3.4", "1.2.3.9"));
  EXPECT_THAT(*ParseAddressToken("1.2.3.4-1.2.3.4"), Iv("1.2.3.4", "1.2.3.4"));
  EXPECT_THAT(*ParseAddressToken("1.255.255.255-2.0.0.0"),
              Iv("1.255.255.255", "2.0.0.0"));
  EXPECT_THAT(*ParseAddressToken("0.0.0.0-255.255.255.255"),
              Iv("0.0.0.0", "255.255.255.255"));
}

TEST(ParseAddressTokenTest, SurroundingWhitespaceIsIgnored) {
  EXPECT_THAT(*ParseAddressToken("  1.2.3.4\t"), Iv("1.2.3.4", "1.2.3.4"));
  EXPECT_THAT(*ParseAddressToken("\t1.2.3.0/24 \r\n"),
              Iv("1.2.3.0", "1.2.3.255"));
  EXPECT_THAT(*ParseAddressToken(" 1.2.3.4-1.2.3.5 "),
              Iv("1.2.3.4", "1.2.3.5"));
}

TEST(ParseAddressTokenTest, RejectsMalformedTokens) {
  for (const char* bad : {"",
                          "   ",
                          "1.2.3",
                          "1.2.3.4.5",
                          "256.0.0.1",
                          "1.2.3.-4",
                          "1..3.4",
                          "1.2.3.4.",
                          ".1.2.3.4",
                          "a.b.c.d",
                          "example.com",
                          "0x7f.0.0.1",
                          "10",
                          "1.2.3.4/",
                          "/24",
                          "1.2.3.4/33",
                          "1.2.3.4/-1",
                          "1.2.3.4/+8",
                          "1.2.3.4/8/8",
                          "1.2.3.4/ 8",
                          "1.2.3.4 /8",
                          "1.2.3.4/100",
                          "1.2.3.4/a",
                          "1.2.3.4-",
                          "-1.2.3.4",
                          "1.2.3.4-1.2.3",
                          "1.2.3.4--1.2.3.5",
                          "1.2.3.4 - 1.2.3.5",
                          "1.2.3.4 5.6.7.8",
                          "1.2.3.4,5.6.7.8",
                          "1.2.3.4-1.2.3.5/24",
                          "１.2.3.4"}) {
    auto result = ParseAddressToken(bad);
    EXPECT_FALSE(result.ok()) << "'" << bad << "' parsed";
    if (!result.ok()) {
      EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
          << bad;
    }
  }
}

TEST(ParseAddressTokenTest, RejectsReversedRange) {
  auto r = ParseAddressToken("1.2.3.9-1.2.3.4");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("invalid range '1.2.3.9-1.2.3.4'"));
  EXPECT_THAT(r.status().message(), HasSubstr("after the last"));
}

// inet_aton (ZMap) reads "010" as octal 8; tlsweep refuses the ambiguity.
TEST(ParseAddressTokenTest, RejectsLeadingZeros) {
  for (const char* bad : {"010.0.0.1", "1.2.3.04", "1.2.3.00", "1.02.3.4/24",
                          "1.2.3.4-1.2.3.009", "001.2.3.4"}) {
    auto r = ParseAddressToken(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("leading zero")) << bad;
  }
  // A lone zero octet is fine.
  EXPECT_TRUE(ParseAddressToken("10.0.0.0/8").ok());
  EXPECT_TRUE(ParseAddressToken("0.0.0.0").ok());
}

TEST(ParseAddressTokenTest, ErrorsQuoteTheToken) {
  auto cidr = ParseAddressToken("10.0.0.0/33");
  ASSERT_FALSE(cidr.ok());
  EXPECT_THAT(cidr.status().message(), HasSubstr("invalid CIDR '10.0.0.0/33'"));
  auto address = ParseAddressToken(" 1.2.3 ");
  ASSERT_FALSE(address.ok());
  EXPECT_THAT(address.status().message(), HasSubstr("invalid address '1.2.3'"));
  auto range = ParseAddressToken("1.2.3.4-x");
  ASSERT_FALSE(range.ok());
  EXPECT_THAT(range.status().message(), HasSubstr("invalid range '1.2.3.4-x'"));
}

// ---------------------------------------------------------------- files

TEST(ReadAddressFileTest, CommentsBlankLinesAndWhitespace) {
  AddressSet set;
  ASSERT_TRUE(ReadAddressFile(TestData("comments.conf"), &set).ok());
  EXPECT_THAT(
      set.intervals(),
      ElementsAre(Iv("1.2.3.4", "1.2.3.4"), Iv("5.6.7.0", "5.6.7.255"),
                  Iv("8.8.8.8", "8.8.8.8"), Iv("10.0.0.1", "10.0.0.3")));
}

TEST(ReadAddressFileTest, CrlfLineEndings) {
  AddressSet set;
  ASSERT_TRUE(ReadAddressFile(TestData("crlf.conf"), &set).ok());
  EXPECT_THAT(set.intervals(), ElementsAre(Iv("9.9.9.9", "9.9.9.10")));
}

TEST(ReadAddressFileTest, AddsToWhatIsThere) {
  AddressSet set = SetOf({"1.2.3.5", "100.0.0.0/8"});
  ASSERT_TRUE(ReadAddressFile(TestData("comments.conf"), &set).ok());
  EXPECT_THAT(set.intervals(),
              ElementsAre(Iv("1.2.3.4", "1.2.3.5"), Iv("5.6.7.0", "5.6.7.255"),
                          Iv("8.8.8.8", "8.8.8.8"), Iv("10.0.0.1", "10.0.0.3"),
                          Iv("100.0.0.0", "100.255.255.255")));
}

TEST(ReadAddressFileTest, EmptyFileAddsNothing) {
  AddressSet set;
  ASSERT_TRUE(ReadAddressFile(TestData("empty.conf"), &set).ok());
  EXPECT_TRUE(set.empty());
}

TEST(ReadAddressFileTest, BadLineIsReportedWithFileAndLine) {
  AddressSet set = SetOf({"7.7.7.7"});
  const AddressSet before = set;
  absl::Status status = ReadAddressFile(TestData("bad_cidr.conf"), &set);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("bad_cidr.conf:3: invalid CIDR '10.0.0.0/33'"));
  EXPECT_EQ(set, before) << "a failed read must not add a partial file";
}

TEST(ReadAddressFileTest, TwoTokensOnALineIsAnError) {
  AddressSet set;
  absl::Status status = ReadAddressFile(TestData("two_tokens.conf"), &set);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(
      status.message(),
      HasSubstr("two_tokens.conf:1: invalid address '1.2.3.4 5.6.7.8'"));
}

TEST(ReadAddressFileTest, MissingFileNamesPathAndReason) {
  AddressSet set;
  const std::string path = TestData("no_such_file.conf");
  absl::Status status = ReadAddressFile(path, &set);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(path));
  EXPECT_THAT(status.message(), HasSubstr("No such file or directory"));
}

TEST(ReadAddressFileTest, DirectoryIsUnreadable) {
  AddressSet set;
  absl::Status status = ReadAddressFile(TLSWEEP_TEST_DATA, &set);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(TLSWEEP_TEST_DATA));
  EXPECT_THAT(status.message(), HasSubstr("Is a directory"));
}

// ---------------------------------------------------------------- ports

TEST(ParsePortListTest, ListsAndRanges) {
  EXPECT_THAT(*ParsePortList("25,110,143"), ElementsAre(25, 110, 143));
  EXPECT_THAT(*ParsePortList("443"), ElementsAre(443));
  EXPECT_THAT(*ParsePortList("1-3"), ElementsAre(1, 2, 3));
  EXPECT_THAT(*ParsePortList(" 25 , 110 "), ElementsAre(25, 110));
  EXPECT_THAT(*ParsePortList("65535"), ElementsAre(65535));
  auto r = ParsePortList("1-1024");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1024u);
  EXPECT_EQ(r->front(), 1);
  EXPECT_EQ(r->back(), 1024);
  auto mixed = ParsePortList("25,465-587");
  ASSERT_TRUE(mixed.ok());
  ASSERT_EQ(mixed->size(), 1u + 123u);
  EXPECT_EQ((*mixed)[0], 25);
  EXPECT_EQ((*mixed)[1], 465);
  EXPECT_EQ(mixed->back(), 587);
  EXPECT_EQ(ParsePortList("1-65535")->size(), 65535u);
}

TEST(ParsePortListTest, DuplicatesDroppedKeepingFirstOccurrenceOrder) {
  EXPECT_THAT(*ParsePortList("443,80,443,79-81,25,80"),
              ElementsAre(443, 80, 79, 81, 25));
  EXPECT_THAT(*ParsePortList("3-5,1-4"), ElementsAre(3, 4, 5, 1, 2));
}

TEST(ParsePortListTest, RejectsBadElementsNamingThem) {
  struct Case {
    const char* spec;
    const char* named;
  };
  for (const Case& c : std::vector<Case>{
           {"0", "'0'"},
           {"25,0", "'0'"},
           {"65536", "'65536'"},
           {"99999999999", "'99999999999'"},
           {"1-", "'1-'"},
           {"-5", "'-5'"},
           {"5-1", "'5-1'"},
           {"0-5", "'0-5'"},
           {"1-65536", "'1-65536'"},
           {"a", "'a'"},
           {"25,a", "'a'"},
           {"+25", "'+25'"},
           {"0x19", "'0x19'"},
           {"1e3", "'1e3'"},
           {"25;110", "'25;110'"},
           {"25 110", "'25 110'"},
           {"1-2-3", "'1-2-3'"},
           {"25,,110", "'25,,110'"},
           {"25,", "'25,'"},
           {",25", "',25'"},
       }) {
    auto r = ParsePortList(c.spec);
    ASSERT_FALSE(r.ok()) << c.spec;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.spec;
    EXPECT_THAT(r.status().message(), HasSubstr(c.named)) << c.spec;
  }
  EXPECT_FALSE(ParsePortList("").ok());
  EXPECT_FALSE(ParsePortList("  ").ok());
}

// ---------------------------------------------------------------- allowed

TEST(DefaultBlocklistTest, PathExists) {
  struct stat st;
  EXPECT_EQ(::stat(DefaultBlocklistPath().c_str(), &st), 0)
      << DefaultBlocklistPath();
}

// conf/blocklist.conf is the IANA special-purpose registry as listed in the
// file's header, no more and no less.
TEST(DefaultBlocklistTest, SourceFileHoldsTheSpecialPurposeRegistry) {
  AddressSet from_file;
  ASSERT_TRUE(ReadAddressFile(SourceBlocklist(), &from_file).ok());
  AddressSet expected = SetOf(
      {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
       "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
       "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
       "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32"});
  EXPECT_EQ(from_file, expected);
}

TEST(BuildAllowedAddressesTest, DefaultBlocklistIsAppliedToTheWholeSpace) {
  TargetOptions options;
  options.target_args = {"0.0.0.0/0"};
  auto result = BuildAllowedAddresses(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->blocklist_source, DefaultBlocklistPath());

  AddressSet blocklist;
  ASSERT_TRUE(ReadAddressFile(DefaultBlocklistPath(), &blocklist).ok());
  ASSERT_FALSE(blocklist.empty());
  for (const AddressInterval& b : blocklist.intervals()) {
    EXPECT_FALSE(result->allowed.Contains(Ipv4Address(b.first))) << b.first;
    EXPECT_FALSE(result->allowed.Contains(Ipv4Address(b.last))) << b.last;
  }
  AddressSet overlap = result->allowed;
  overlap.Subtract(blocklist);
  EXPECT_EQ(overlap, result->allowed) << "a blocklisted range survived";

  EXPECT_TRUE(result->allowed.Contains(Ipv4Address(Ip("8.8.8.8"))));
  EXPECT_TRUE(result->allowed.Contains(Ipv4Address(Ip("1.0.0.0"))));
  EXPECT_TRUE(result->allowed.Contains(Ipv4Address(Ip("223.255.255.255"))));
  EXPECT_FALSE(result->allowed.Contains(Ipv4Address(Ip("10.1.2.3"))));
  EXPECT_FALSE(result->allowed.Contains(Ipv4Address(Ip("0.0.0.0"))));
  EXPECT_EQ(result->requested, uint64_t{1} << 32);
  EXPECT_EQ(result->blocked, blocklist.Count());
  EXPECT_EQ(result->allowed.Count(), (uint64_t{1} << 32) - blocklist.Count());
}

// The registry's figures: 2^32 minus the special-purpose space.
TEST(BuildAllowedAddressesTest, DefaultBlocklistCount) {
  TargetOptions options;
  options.target_args = {"0.0.0.0/0"};
  options.blocklist_file = SourceBlocklist();
  auto result = BuildAllowedAddresses(options);
  ASSERT_TRUE(result.ok()) << result.status();
  // 0/8, 10/8, 127/8: 3 * 2^24; 100.64/10: 2^22; 169.254/16 and
  // 192.168/16: 2 * 2^16; 172.16/12: 2^20; five /24s: 5 * 256; 198.18/15:
  // 2^17; 224/4 and 240/4: 2^29 (255.255.255.255 is inside 240/4).
  const uint64_t blocked = 3 * (uint64_t{1} << 24) + (uint64_t{1} << 22) +
                           2 * (uint64_t{1} << 16) + (uint64_t{1} << 20) +
                           5 * 256 + (uint64_t{1} << 17) + (uint64_t{1} << 29);
  EXPECT_EQ(result->blocked, blocked);
  EXPECT_EQ(result->allowed.Count(), (uint64_t{1} << 32) - blocked);
  EXPECT_EQ(result->allowed.Count(), 3702258432u);
}

// Union of arguments, -I list and -w allowlist; the blocklist wins over all.
TEST(BuildAllowedAddressesTest, ArgsListAndAllowlistUnionMinusBlocklist) {
  TargetOptions options;
  options.target_args = {"40.0.0.1", "50.0.0.0/30"};
  options.list_file = TestData("list.conf");
  options.allowlist_file = TestData("allow.conf");
  options.blocklist_file = TestData("blocklist.conf");
  auto result = BuildAllowedAddresses(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(
      result->allowed.intervals(),
      ElementsAre(Iv("20.0.0.0", "20.0.0.127"), Iv("30.0.0.1", "30.0.0.2"),
                  Iv("50.0.0.0", "50.0.0.3")));
  // 10.1/16 + 20.0.0/24 (20.0.0.255 again in the list) + 2 + 1 + 4.
  EXPECT_EQ(result->requested, 65536u + 256u + 2u + 1u + 4u);
  EXPECT_EQ(result->blocked, result->requested - 134u);
  EXPECT_EQ(result->blocklist_source, TestData("blocklist.conf"));
}

TEST(BuildAllowedAddressesTest, EachSourceAloneIsEnough) {
  TargetOptions only_list;
  only_list.list_file = TestData("list.conf");
  only_list.no_blocklist = true;
  auto list = BuildAllowedAddresses(only_list);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->allowed.Count(), 3u);

  TargetOptions only_allow;
  only_allow.allowlist_file = TestData("allow.conf");
  only_allow.no_blocklist = true;
  auto allow = BuildAllowedAddresses(only_allow);
  ASSERT_TRUE(allow.ok()) << allow.status();
  EXPECT_EQ(allow->allowed.Count(), 65536u + 256u);
}

TEST(BuildAllowedAddressesTest, NoBlocklistKeepsEverythingButZero) {
  TargetOptions options;
  options.target_args = {"0.0.0.0/0"};
  options.no_blocklist = true;
  auto result = BuildAllowedAddresses(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->blocklist_source, "none");
  EXPECT_THAT(result->allowed.intervals(),
              ElementsAre(Iv("0.0.0.1", "255.255.255.255")));
  EXPECT_EQ(result->requested, uint64_t{1} << 32);
  EXPECT_EQ(result->blocked, 1u);

  options.target_args = {"10.0.0.0/8"};
  result = BuildAllowedAddresses(options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->allowed.Count(), 1u << 24);
  EXPECT_EQ(result->blocked, 0u);
}

TEST(BuildAllowedAddressesTest, NoBlocklistAndBlocklistFileContradict) {
  TargetOptions options;
  options.target_args = {"1.2.3.4"};
  options.no_blocklist = true;
  options.blocklist_file = TestData("blocklist.conf");
  auto result = BuildAllowedAddresses(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("--no-blocklist"));
}

TEST(BuildAllowedAddressesTest, NoTargetsGiven) {
  auto result = BuildAllowedAddresses(TargetOptions{});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      result.status().message(),
      HasSubstr("no targets: give addresses, CIDRs or ranges, -I or -w"));
}

TEST(BuildAllowedAddressesTest, SourcesThatNameNoAddress) {
  TargetOptions options;
  options.allowlist_file = TestData("empty.conf");
  auto result = BuildAllowedAddresses(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("no targets"));
}

TEST(BuildAllowedAddressesTest, EverythingBlocked) {
  TargetOptions options;
  options.target_args = {"10.0.0.0/8", "192.168.1.1"};
  auto result = BuildAllowedAddresses(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      result.status().message(),
      HasSubstr("all 16777217 requested addresses are in the blocklist " +
                DefaultBlocklistPath()));
}

TEST(BuildAllowedAddressesTest, ZeroAloneIsNeverScanned) {
  TargetOptions options;
  options.target_args = {"0.0.0.0"};
  options.no_blocklist = true;
  auto result = BuildAllowedAddresses(options);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("0.0.0.0"));

  options.no_blocklist = false;
  options.blocklist_file = TestData("blocklist.conf");  // lacks 0.0.0.0
  result = BuildAllowedAddresses(options);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(),
              HasSubstr("all 1 requested addresses are in the blocklist"));
  EXPECT_THAT(result.status().message(), HasSubstr("0.0.0.0 (never scanned)"));
}

TEST(BuildAllowedAddressesTest, BadArgumentIsNamed) {
  TargetOptions options;
  options.target_args = {"1.2.3.4", "1.2.3.0/40"};
  auto result = BuildAllowedAddresses(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(),
              HasSubstr("target argument: invalid CIDR '1.2.3.0/40'"));
}

TEST(BuildAllowedAddressesTest, FileErrorsPropagate) {
  TargetOptions options;
  options.target_args = {"1.2.3.4"};
  options.blocklist_file = TestData("missing_blocklist.conf");
  auto result = BuildAllowedAddresses(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(result.status().message(), HasSubstr("missing_blocklist.conf"));

  options.blocklist_file.clear();
  options.list_file = TestData("bad_cidr.conf");
  result = BuildAllowedAddresses(options);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("bad_cidr.conf:3:"));
}

}  // namespace
}  // namespace tlsweep
