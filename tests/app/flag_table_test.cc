#include "app/flag_table.h"

#include <getopt.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "app/grab_flags.h"
#include "app/scan_flags.h"
#include "gtest/gtest.h"

namespace tlsweep {
namespace {

// A small command: a number with a short letter, a list, a switch.
struct TestCommand {
  uint32_t count = 3;
  std::vector<std::string> names;
  bool verbose = false;
};

std::vector<FlagGroup> TestFlags(TestCommand* cmd) {
  return {{"Test",
           {{.name = "count", .short_name = 'n', .arg = "N", .help = "how many",
             .default_value = absl::StrCat(cmd->count),
             .set = SetNumber<uint32_t>(&cmd->count, 1, 10)},
            {.name = "name", .arg = "NAME", .help = "a name (repeatable)",
             .set = [cmd](const std::string&, const std::string& value) {
               cmd->names.push_back(value);
               return absl::OkStatus();
             }},
            {.name = "verbose", .short_name = 'v', .help = "say more",
             .set = SetTrue(&cmd->verbose)}}}};
}

absl::StatusOr<ParsedFlags> Parse(TestCommand* cmd, const std::vector<std::string>& args) {
  return ParseFlags("test", TestFlags(cmd), args);
}

std::string Message(const absl::StatusOr<ParsedFlags>& r) {
  return std::string(r.status().message());
}

TEST(FlagTableTest, SetsFlagsAndKeepsPositionals) {
  TestCommand cmd;
  auto r = Parse(&cmd, {"a", "-n", "5", "b", "--name=x", "-v", "--", "-n"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(cmd.count, 5u);
  EXPECT_EQ(cmd.names, std::vector<std::string>{"x"});
  EXPECT_TRUE(cmd.verbose);
  EXPECT_FALSE(r->help);
  // Flags and positionals mix; after "--" everything is positional.
  EXPECT_EQ(r->positional, (std::vector<std::string>{"a", "b", "-n"}));
}

// rte_eal_init parses the EAL's arguments with getopt_long after setting
// optind to 1 (not 0, which would re-initialise glibc's parser), from an
// argv it builds in a vector of strings. A parse of ours that ended on a
// short flag (`tlsweep run ... TARGET -q`) left glibc pointing into our
// freed argv, which the EAL's vector then reused: it rejected its own
// arguments. The same-sized vector here takes the same heap chunk.
TEST(FlagTableTest, LeavesGetoptFreshForTheEal) {
  TestCommand cmd;
  ASSERT_TRUE(Parse(&cmd, {"-n", "5", "192.0.2.1", "-v"}).ok());
  std::vector<std::string> storage = {"eal", "--no-huge", "-m", "256", "--no-pci"};
  std::vector<char*> eal_argv;
  for (std::string& a : storage) eal_argv.push_back(a.data());
  eal_argv.push_back(nullptr);
  const option eal_options[] = {{"no-huge", no_argument, nullptr, 'H'},
                                {"no-pci", no_argument, nullptr, 'P'},
                                {nullptr, 0, nullptr, 0}};
  optind = 1;
  std::string seen;
  int opt;
  while ((opt = getopt_long(5, eal_argv.data(), "m:", eal_options, nullptr)) != -1) {
    seen += static_cast<char>(opt);
    if (opt == 'm') seen += optarg;
  }
  EXPECT_EQ(seen, "Hm256P");
  EXPECT_EQ(optind, 5);
}

TEST(FlagTableTest, ShortFormsAndUniquePrefixes) {
  TestCommand cmd;
  auto r = Parse(&cmd, {"-vn7", "--cou", "8"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(cmd.verbose);
  EXPECT_EQ(cmd.count, 8u);  // -n7 then --cou(nt) 8: the last one wins
}

TEST(FlagTableTest, EveryCommandHasHelp) {
  TestCommand cmd;
  auto r = Parse(&cmd, {"-h"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->help);
  r = Parse(&cmd, {"--help"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->help);
}

TEST(FlagTableTest, UnknownFlag) {
  TestCommand cmd;
  auto r = Parse(&cmd, {"--frobnicate", "1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Message(r), "unknown or ambiguous flag '--frobnicate' (see tlsweep test --help)");
  r = Parse(&cmd, {"-vx"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Message(r), "unknown flag '-x' (see tlsweep test --help)");
}

TEST(FlagTableTest, MissingValue) {
  TestCommand cmd;
  auto r = Parse(&cmd, {"-n"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Message(r), "flag -n needs a value (see tlsweep test --help)");
  r = Parse(&cmd, {"--count"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Message(r), "flag --count needs a value (see tlsweep test --help)");
}

TEST(FlagTableTest, ValueForASwitch) {
  TestCommand cmd;
  auto r = Parse(&cmd, {"--verbose=yes"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Message(r), "flag --verbose takes no value (see tlsweep test --help)");
}

// The setter's error names the flag as it was typed.
TEST(FlagTableTest, BadValueNamesTheFlag) {
  TestCommand cmd;
  auto r = Parse(&cmd, {"-n", "11"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Message(r), "-n: invalid value '11' (a whole number from 1 to 10)");
  r = Parse(&cmd, {"--count=x"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Message(r), "--count: invalid value 'x' (a whole number from 1 to 10)");
}

TEST(FlagTableTest, RepeatedFlags) {
  TestCommand cmd;
  auto r = Parse(&cmd, {"-n", "2", "--name", "a", "--count", "4", "--name", "b", "-v", "-v"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(cmd.count, 4u);  // a scalar keeps the last value
  EXPECT_EQ(cmd.names, (std::vector<std::string>{"a", "b"}));  // a list keeps them all
  EXPECT_TRUE(cmd.verbose);
}

TEST(FlagTableTest, ATableNamingAFlagTwiceIsRefused) {
  TestCommand a;
  TestCommand b;
  auto r = ParseFlags("test", Concat(TestFlags(&a), TestFlags(&b)), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  // -h is every command's own.
  std::vector<FlagGroup> with_help = TestFlags(&a);
  with_help[0].flags.push_back({.name = "hosts", .short_name = 'h', .set = SetTrue(&a.verbose)});
  EXPECT_FALSE(ParseFlags("test", with_help, {}).ok());
}

// The help entry of --name: from its line to the next entry or title.
std::string HelpEntry(const std::string& help, const std::string& name) {
  const std::vector<std::string> lines = absl::StrSplit(help, '\n');
  std::string entry;
  for (const std::string& line : lines) {
    const bool starts_entry = line.rfind("  -", 0) == 0 || (!line.empty() && line[0] != ' ');
    if (!entry.empty() && starts_entry) break;
    const size_t at = line.find("--" + name);
    const size_t end = at + 2 + name.size();
    if (entry.empty() && at != std::string::npos &&
        (end == line.size() || line[end] == '=' || line[end] == ' ')) {
      entry = line;
    } else if (!entry.empty()) {
      entry += "\n" + line;
    }
  }
  return entry;
}

// Every flag of the tables appears in the help with its default, and no
// line is wider than a terminal.
void ExpectHelpListsEveryFlag(const std::vector<FlagGroup>& groups) {
  const std::string help = FlagHelp(groups);
  for (const FlagGroup& group : groups) {
    EXPECT_NE(help.find(group.title + "\n"), std::string::npos) << group.title;
    for (const Flag& flag : group.flags) {
      const std::string entry = HelpEntry(help, flag.name);
      ASSERT_FALSE(entry.empty()) << "--" << flag.name << " missing from\n" << help;
      if (flag.short_name != 0) {
        EXPECT_EQ(entry.rfind(absl::StrCat("  -", std::string(1, flag.short_name), ", --"), 0),
                  0u)
            << entry;
      }
      if (!flag.default_value.empty()) {
        EXPECT_NE(entry.find(absl::StrCat("(default ", flag.default_value, ")")),
                  std::string::npos)
            << entry;
      }
    }
  }
  EXPECT_NE(help.find("  -h, --help"), std::string::npos);
  // Lines fit in 79 columns, except a line that ends in a default path: its
  // length depends on where the tree was cloned.
  for (absl::string_view line : absl::StrSplit(help, '\n')) {
    const absl::string_view last_word = line.substr(line.rfind(' ') + 1);
    if (!absl::StrContains(last_word, '/')) {
      EXPECT_LE(line.size(), 79u) << line;
    }
  }
}

TEST(FlagTableTest, HelpListsEveryFlagWithItsDefault) {
  TestCommand test;
  ExpectHelpListsEveryFlag(TestFlags(&test));
  EXPECT_NE(FlagHelp(TestFlags(&test)).find("  -n, --count=N              how many (default 3)"),
            std::string::npos)
      << FlagHelp(TestFlags(&test));
  ScanCommand scan;
  ExpectHelpListsEveryFlag(ScanFlagGroups(&scan));
  GrabFlags grab;
  ExpectHelpListsEveryFlag({GrabFlagGroup(&grab)});
}

// The defaults shown are the config structs' own.
TEST(FlagTableTest, DefaultsComeFromTheStructs) {
  ScanCommand scan;
  scan.config.probes = 7;
  scan.run.cooldown_s = 2;
  const std::string help = FlagHelp(ScanFlagGroups(&scan));
  EXPECT_NE(HelpEntry(help, "probes").find("(default 7)"), std::string::npos) << help;
  EXPECT_NE(HelpEntry(help, "cooldown-time").find("(default 2)"), std::string::npos) << help;
  GrabFlags grab;
  grab.options.timeouts.session_ms = 45'000;
  const std::vector<FlagGroup> groups = {GrabFlagGroup(&grab)};
  EXPECT_NE(HelpEntry(FlagHelp(groups), "session-timeout").find("(default 45)"),
            std::string::npos);
}

TEST(FlagTableTest, LongHelpIsWrappedUnderTheHelpColumn) {
  TestCommand cmd;
  std::vector<FlagGroup> groups = TestFlags(&cmd);
  const std::string a(20, 'a'), b(20, 'b'), c(20, 'c');
  groups[0].flags[1].help = a + " " + b + " " + c;
  groups[0].flags.push_back(
      {.name = std::string(30, 'x'), .help = "far", .set = SetTrue(&cmd.verbose)});
  const std::string help = FlagHelp(groups);
  // Help starts in column 29 (0-based); words that pass column 79 go on.
  EXPECT_NE(help.find("      --name=NAME            " + a + " " + b + "\n" + std::string(29, ' ') +
                      c + "\n"),
            std::string::npos)
      << help;
  // A flag wider than the column gets its help on the next line.
  EXPECT_NE(help.find("--" + std::string(30, 'x') + "\n" + std::string(29, ' ') + "far\n"),
            std::string::npos)
      << help;
}

}  // namespace
}  // namespace tlsweep
