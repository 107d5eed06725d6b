#include "grab/grab_input.h"

#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tlsweep {
namespace {

GrabTarget T(const char* ip, uint16_t port, const char* name = "") {
  return GrabTarget{*Ipv4Address::Parse(ip), port, name};
}

std::vector<GrabTarget> Parse(GrabInputParser& p, const char* line) {
  auto r = p.ParseLine(line);
  EXPECT_TRUE(r.ok()) << line << ": " << r.status();
  return r.ok() ? *r : std::vector<GrabTarget>{};
}

TEST(GrabInputTest, PlainForms) {
  GrabInputParser p({25, 587});
  EXPECT_EQ(Parse(p, "192.0.2.1"), (std::vector<GrabTarget>{T("192.0.2.1", 25), T("192.0.2.1", 587)}));
  EXPECT_EQ(Parse(p, "192.0.2.1,993"), std::vector<GrabTarget>{T("192.0.2.1", 993)});
  EXPECT_EQ(Parse(p, "192.0.2.1:995 \r"), std::vector<GrabTarget>{T("192.0.2.1", 995)});
  EXPECT_EQ(Parse(p, "192.0.2.1,,,5222"), std::vector<GrabTarget>{T("192.0.2.1", 5222)});
  // ZGrab2's domain column names the server.
  EXPECT_EQ(Parse(p, "192.0.2.1,mx.example,,25"),
            std::vector<GrabTarget>{T("192.0.2.1", 25, "mx.example")});
  EXPECT_TRUE(Parse(p, "").empty());
  EXPECT_TRUE(Parse(p, "# a comment").empty());
}

TEST(GrabInputTest, ScannerCsvWithHeader) {
  GrabInputParser p({});
  EXPECT_TRUE(Parse(p, "saddr,sport,classification,success,repeat").empty());
  EXPECT_EQ(Parse(p, "10.77.0.10,25,synack,1,0"), std::vector<GrabTarget>{T("10.77.0.10", 25)});
  EXPECT_TRUE(Parse(p, "10.77.0.20,25,rst,0,0").empty());  // closed: not grabbed
}

TEST(GrabInputTest, ZmapCsvAddressOnly) {
  GrabInputParser p({443});
  EXPECT_TRUE(Parse(p, "saddr,ttl").empty());
  EXPECT_EQ(Parse(p, "198.51.100.7,57"), std::vector<GrabTarget>{T("198.51.100.7", 443)});
}

TEST(GrabInputTest, ScannerJson) {
  GrabInputParser p({});
  EXPECT_EQ(Parse(p, R"({"saddr":"10.77.0.11","sport":143,"success":true})"),
            std::vector<GrabTarget>{T("10.77.0.11", 143)});
  EXPECT_TRUE(Parse(p, R"({"saddr":"10.77.0.11","sport":144,"success":false})").empty());
  EXPECT_EQ(Parse(p, R"({"ip":"10.77.0.12","port":5222})"),
            std::vector<GrabTarget>{T("10.77.0.12", 5222)});
  EXPECT_EQ(Parse(p, R"({"ip":"10.77.0.12","port":5222,"domain":"xmpp.lab.test"})"),
            std::vector<GrabTarget>{T("10.77.0.12", 5222, "xmpp.lab.test")});
}

TEST(GrabInputTest, ErrorsNameTheProblem) {
  GrabInputParser p({});
  const std::vector<std::pair<const char*, const char*>> bad = {
      {"192.0.2.1", "give -p"},
      {"192.0.2.300,25", "invalid address '192.0.2.300'"},
      {"192.0.2.1,0", "invalid port '0'"},
      {"192.0.2.1,70000", "invalid port '70000'"},
      {"192.0.2.1:x", "invalid port 'x'"},
      {"{not json", "malformed JSON"},
      {R"({"port":25})", "without \"saddr\""},
      {"a,b,c", "unrecognised line"},
  };
  for (const auto& [line, expected] : bad) {
    const auto r = p.ParseLine(line);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_NE(r.status().message().find(expected), std::string::npos)
        << line << " -> " << r.status().message();
  }
}

// Writes `text` to a file of the test's own and returns its path.
std::string NamesFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ServerNamesTest, ReadsAddressNamePairsAndZgrab2Input) {
  const auto names = ReadServerNames(NamesFile("names_ok.csv",
      "# address,name\n"
      "10.77.0.10,mail.lab.test\n"
      "\n"
      "10.77.0.12 , xmpp.lab.test\r\n"
      "10.77.0.10,mail.lab.test,,25   # ZGrab2's ip,domain,tag,port; repeated alike\n"));
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, (ServerNames{{0x0a4d000a, "mail.lab.test"}, {0x0a4d000c, "xmpp.lab.test"}}));
}

TEST(ServerNamesTest, ErrorsNameFileAndLine) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"10.77.0.10,a.test\n10.77.0.300,b.test\n", ":2: invalid address '10.77.0.300'"},
      {"10.77.0.10\n", ":1: no name for 10.77.0.10"},
      {"10.77.0.10,\n", ":1: no name for 10.77.0.10"},
      {"10.77.0.10,a.test\n10.77.0.10,b.test\n", ":2: 10.77.0.10 is named both a.test and b.test"},
      {"10.77.0.10,a b\n", ":1: invalid name 'a b'"},
  };
  for (const auto& [text, expected] : bad) {
    const std::string path = NamesFile("names_bad.csv", text);
    const auto r = ReadServerNames(path);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), path + expected) << text;
  }
  const auto missing = ReadServerNames(::testing::TempDir() + "/no_such_names.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no_such_names.csv"), std::string::npos);
}

}  // namespace
}  // namespace tlsweep
