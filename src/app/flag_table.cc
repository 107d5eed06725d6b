#include "app/flag_table.h"

#include <getopt.h>

#include <array>

#include "absl/strings/str_split.h"

namespace tlsweep {
namespace {

// glibc's getopt keeps state between calls (where the non-options it
// permuted lie, a pointer into the last argv) and re-initialises only when
// optind is 0. rte_eal_init parses the EAL's arguments with getopt_long after
// setting optind to 1, so it started from this parse's state: with a flag
// after the targets (`run ... TARGET -q`) it rejected its own arguments. One
// call on an empty argv when a parse ends leaves the state fresh.
struct GetoptReset {
  ~GetoptReset() {
    static char program[] = "tlsweep";
    char* empty_argv[] = {program, nullptr};
    optind = 0;
    getopt(1, empty_argv, "");
    optind = 1;
  }
};

// getopt_long's `val` for flag i of the table when named by its long name:
// above every char, so it never meets a short letter (which getopt returns
// as itself).
constexpr int kFirstIndexVal = 256;
// The help column of the scan's hand-written help, kept; 79: a terminal's
// 80 columns less the cursor.
constexpr size_t kHelpColumn = 29;
constexpr size_t kHelpWidth = 79;

std::string UsageHint(const std::string& command) {
  return absl::StrCat(" (see tlsweep ", command, " --help)");
}

void AppendEntry(const Flag& flag, std::string* out) {
  std::string line = flag.short_name != 0
                         ? absl::StrCat("  -", std::string(1, flag.short_name), ", --", flag.name)
                         : absl::StrCat("      --", flag.name);
  if (!flag.arg.empty()) absl::StrAppend(&line, "=", flag.arg);
  if (line.size() + 2 > kHelpColumn) {
    absl::StrAppend(out, line, "\n");
    line.clear();
  }
  line.resize(kHelpColumn, ' ');
  std::vector<std::string> words = absl::StrSplit(flag.help, ' ', absl::SkipEmpty());
  // One word, so that it is never split over two lines.
  if (!flag.default_value.empty()) {
    words.push_back(absl::StrCat("(default ", flag.default_value, ")"));
  }
  bool line_empty = true;
  for (const std::string& word : words) {
    if (!line_empty && line.size() + 1 + word.size() > kHelpWidth) {
      absl::StrAppend(out, line, "\n");
      line.assign(kHelpColumn, ' ');
      line_empty = true;
    }
    if (!line_empty) line += ' ';
    absl::StrAppend(&line, word);
    line_empty = false;
  }
  absl::StrAppend(out, line, "\n");
}

// -h and --help, which every command has.
Flag HelpFlag(bool* help) {
  return {.name = "help", .short_name = 'h', .help = "this text", .set = SetTrue(help)};
}

}  // namespace

absl::StatusOr<ParsedFlags> ParseFlags(const std::string& command,
                                       std::span<const FlagGroup> groups,
                                       const std::vector<std::string>& args) {
  ParsedFlags parsed;
  const Flag help_flag = HelpFlag(&parsed.help);
  std::vector<const Flag*> flags;
  for (const FlagGroup& group : groups) {
    for (const Flag& flag : group.flags) flags.push_back(&flag);
  }
  flags.push_back(&help_flag);

  // getopt_long's tables. A leading ':' makes a missing value return ':'
  // rather than '?', so the two errors can be told apart.
  std::string short_options = ":";
  std::array<int, 256> by_letter;
  by_letter.fill(-1);
  std::vector<option> options;
  for (size_t i = 0; i < flags.size(); ++i) {
    const Flag& f = *flags[i];
    for (size_t j = 0; j < i; ++j) {
      if (flags[j]->name == f.name || (f.short_name != 0 && flags[j]->short_name == f.short_name)) {
        return absl::InternalError(absl::StrCat("the flags of tlsweep ", command, " name --",
                                                f.name, " or its letter twice"));
      }
    }
    const int has_arg = f.arg.empty() ? no_argument : required_argument;
    options.push_back({f.name.c_str(), has_arg, nullptr, kFirstIndexVal + static_cast<int>(i)});
    if (f.short_name != 0) {
      short_options += f.short_name;
      if (has_arg == required_argument) short_options += ':';
      by_letter[static_cast<unsigned char>(f.short_name)] = static_cast<int>(i);
    }
  }
  options.push_back({nullptr, 0, nullptr, 0});

  // getopt_long wants a mutable argv with the program name first.
  std::vector<std::string> storage = {absl::StrCat("tlsweep ", command)};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int argc = static_cast<int>(storage.size());

  optind = 0;  // glibc: 0 re-initialises the parser for a fresh argv
  opterr = 0;  // errors are reported here, with the offending flag
  const GetoptReset reset_when_done;
  while (true) {
    int long_index = -1;
    const int opt =
        getopt_long(argc, argv.data(), short_options.c_str(), options.data(), &long_index);
    if (opt == -1) break;
    if (opt == ':' || opt == '?') {
      // What the user typed: a short letter (optopt), or a long flag, which
      // getopt has stepped past.
      const bool is_short = optopt > 0 && optopt < kFirstIndexVal;
      const std::string typed = is_short
                                    ? absl::StrCat("-", std::string(1, static_cast<char>(optopt)))
                                    : std::string(argv[optind - 1]);
      if (opt == ':') {
        return absl::InvalidArgumentError(
            absl::StrCat("flag ", typed, " needs a value", UsageHint(command)));
      }
      if (optopt >= kFirstIndexVal) {  // --name=VALUE for a flag without a value
        return absl::InvalidArgumentError(absl::StrCat("flag --",
                                                       flags[optopt - kFirstIndexVal]->name,
                                                       " takes no value", UsageHint(command)));
      }
      // A long name may also be a prefix of several.
      return absl::InvalidArgumentError(
          absl::StrCat(is_short ? "unknown flag '" : "unknown or ambiguous flag '", typed, "'",
                       UsageHint(command)));
    }
    const int index = opt >= kFirstIndexVal ? opt - kFirstIndexVal : by_letter[opt];
    const Flag& f = *flags[index];
    const std::string spelled = opt >= kFirstIndexVal
                                    ? absl::StrCat("--", f.name)
                                    : absl::StrCat("-", std::string(1, f.short_name));
    if (absl::Status s = f.set(spelled, optarg != nullptr ? optarg : ""); !s.ok()) return s;
  }
  for (int i = optind; i < argc; ++i) parsed.positional.push_back(argv[i]);
  return parsed;
}

std::string FlagHelp(std::span<const FlagGroup> groups) {
  std::string out;
  for (const FlagGroup& group : groups) {
    if (!group.title.empty()) absl::StrAppend(&out, group.title, "\n");
    for (const Flag& flag : group.flags) AppendEntry(flag, &out);
  }
  AppendEntry(HelpFlag(nullptr), &out);  // only its help is used
  return out;
}

std::vector<FlagGroup> Concat(std::vector<FlagGroup> a, std::vector<FlagGroup> b) {
  for (FlagGroup& g : b) a.push_back(std::move(g));
  return a;
}

std::vector<Flag> DpdkPortFlags(std::string* interface, std::string* dpdk_config,
                                std::vector<std::string>* eal_args, uint16_t* port_id) {
  return {{.name = "interface", .short_name = 'i', .arg = "IFACE",
           .help = "DPDK's af_packet driver on this kernel interface",
           .set = SetString(interface)},
          {.name = "dpdk-config", .arg = "FILE",
           .help = "EAL arguments from a file (see dpdk_cfg/)",
           .set = SetString(dpdk_config)},
          {.name = "eal", .arg = "\"ARGS\"", .help = "more EAL arguments (repeatable)",
           .set = [eal_args](const std::string&, const std::string& value) {
             for (absl::string_view a : absl::StrSplit(value, ' ', absl::SkipEmpty())) {
               eal_args->emplace_back(a);
             }
             return absl::OkStatus();
           }},
          {.name = "dpdk-port", .arg = "N", .help = "DPDK port to use",
           .default_value = absl::StrCat(*port_id),
           .set = SetNumber<uint16_t>(port_id, 0, 1023)}};
}

std::vector<Flag> OutputFileFlags(std::string output_help, std::string* output_file,
                                  std::string* metadata_file, bool* quiet) {
  return {{.name = "output-file", .short_name = 'o', .arg = "FILE",
           .help = std::move(output_help), .set = SetString(output_file)},
          {.name = "metadata-file", .short_name = 'm', .arg = "FILE",
           .help = "JSON summary of the run", .set = SetString(metadata_file)},
          {.name = "quiet", .short_name = 'q', .help = "no status line", .set = SetTrue(quiet)}};
}

FlagSetter SetString(std::string* field) {
  return [field](const std::string&, const std::string& value) {
    *field = value;
    return absl::OkStatus();
  };
}

FlagSetter SetTrue(bool* field) {
  return [field](const std::string&, const std::string&) {
    *field = true;
    return absl::OkStatus();
  };
}

}  // namespace tlsweep
