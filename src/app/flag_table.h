// One table of flags per command, composed from shared groups (the scan's
// targets, probes and output, the grab's modules and TLS, ...). Each entry
// holds everything about one flag: its names, its argument, its help, its
// default and the setter that stores its value, so the parser, the --help
// text and the defaults cannot drift apart.
//
// A group is built against the struct it fills: its setters write into that
// struct and its defaults are read from that struct's member initialisers,
// so every default is stated once, in the config struct. A command builds
// its table on a fresh struct to parse, and on another fresh one to print
// its help.
//
// Why not absl flags: it registers every flag in one process-wide registry,
// so `scan` and `grab` could not give -p different meanings, a test could
// not parse two command lines into two structs, and it has no short letters
// aliasing long names (ZMap's -p/--target-ports). A small table of our own
// keeps each command line's state in the struct it fills. The parsing is
// getopt_long's, so the GNU rules users know hold unchanged; its global
// state (optind) lives only inside one ParseFlags call.
#ifndef TLSWEEP_APP_FLAG_TABLE_H_
#define TLSWEEP_APP_FLAG_TABLE_H_

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "app/flag_parsing.h"

namespace tlsweep {

// Stores one value. `flag` is the flag as the user spelled it ("-r" or
// "--rate"), and an error must start with it; `value` is "" for a flag
// without an argument. A flag given twice is set twice: a scalar keeps the
// last value, a list (--module, --eal, report's -m) collects them all.
using FlagSetter = std::function<absl::Status(const std::string& flag, const std::string& value)>;

struct Flag {
  // Every member has an initialiser so that an entry may name only the
  // members it needs (-Wmissing-field-initializers).
  std::string name = {};           // long name, without "--"
  char short_name = 0;             // 0: long option only
  std::string arg = {};            // the argument's name in the help; "": no argument
  std::string help = {};           // one sentence, wrapped by FlagHelp
  std::string default_value = {};  // shown as "(default X)"; "": none shown
  FlagSetter set = {};
};

struct FlagGroup {
  std::string title;  // a heading in the help; "" for none
  std::vector<Flag> flags;
};

struct ParsedFlags {
  bool help = false;                    // -h or --help (every command has it)
  std::vector<std::string> positional;  // the arguments that are not flags
};

// Parses `args` (the words after the command) against `groups`, calling each
// flag's setter in order. GNU rules: flags and positional arguments may mix,
// "--" ends the flags, long names may be abbreviated to a unique prefix,
// -xVALUE and --name=VALUE work. Errors: an unknown flag, a missing value
// (both with "see tlsweep COMMAND --help"), a setter's error, or a table
// that names a flag twice.
absl::StatusOr<ParsedFlags> ParseFlags(const std::string& command,
                                       std::span<const FlagGroup> groups,
                                       const std::vector<std::string>& args);

// The flags part of a command's --help: each group's title, then one entry
// per flag ("  -p, --target-ports=LIST  help (default X)"), wrapped to 79
// columns, and -h, --help last.
std::string FlagHelp(std::span<const FlagGroup> groups);

// `a` then `b`: a command's table from shared groups.
std::vector<FlagGroup> Concat(std::vector<FlagGroup> a, std::vector<FlagGroup> b);

// -o, -m and -q, which scan, run and grab share; `output_help` says what -o
// receives.
std::vector<Flag> OutputFileFlags(std::string output_help, std::string* output_file,
                                  std::string* metadata_file, bool* quiet);

// Where a command's DPDK port comes from, shared by scan, run and passive:
// -i (af_packet on a kernel interface), --dpdk-config, --eal (split at
// spaces, repeatable) and --dpdk-port.
std::vector<Flag> DpdkPortFlags(std::string* interface, std::string* dpdk_config,
                                std::vector<std::string>* eal_args, uint16_t* port_id);

// Setters for the common cases.
FlagSetter SetString(std::string* field);
FlagSetter SetTrue(bool* field);
// A whole number in [min, max] (ParseFlagNumber's message).
template <typename T>
FlagSetter SetNumber(T* field, T min, T max) {
  return [field, min, max](const std::string& flag, const std::string& value) -> absl::Status {
    absl::StatusOr<T> n = ParseFlagNumber<T>(flag, value, min, max);
    if (!n.ok()) return n.status();
    *field = *n;
    return absl::OkStatus();
  };
}
// A parser's result into `field`; its error is prefixed with the flag.
template <typename T, typename Parser>
FlagSetter SetParsed(T* field, Parser parse) {
  return [field, parse](const std::string& flag, const std::string& value) -> absl::Status {
    auto parsed = parse(value);
    if (!parsed.ok()) return FlagError(flag, parsed.status());
    *field = *std::move(parsed);
    return absl::OkStatus();
  };
}

}  // namespace tlsweep

#endif  // TLSWEEP_APP_FLAG_TABLE_H_
