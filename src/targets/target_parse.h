// Turning the user's description of a scan into address sets and port lists.
//
// Syntax, kept close to ZMap's so that its allowlists and blocklists load
// unchanged, but stricter where ZMap is silently ambiguous:
//
//   token    := address | address "/" prefix | address "-" address
//   address  := dotted quad of decimal octets 0..255
//   prefix   := 0..32 (one or two digits)
//
// Decisions, each with the reason:
// - A CIDR with host bits set ("10.1.2.3/8") is accepted and masked to its
//   network (10.0.0.0/8), as ZMap does (its constraint tree ignores the low
//   bits), so ZMap's lists behave the same here.
// - An octet with a leading zero ("010.0.0.1") is rejected: ZMap reads tokens
//   with inet_aton(), which takes it as octal (8.0.0.1), while most people
//   mean decimal. Refusing is the only answer that surprises nobody.
// - Shorthand that inet_aton() accepts ("10", "10.1", hex "0xa.0.0.1") and
//   hostnames (ZMap resolves them with DNS) are rejected: a scan's target list
//   should not depend on a resolver at start-up.
// - Surrounding ASCII whitespace around a token is ignored; whitespace inside
//   one is an error. In a file that means one token per line: ZMap would take
//   the first word of "1.2.3.4 5.6.7.8" and drop the rest without a word.
// - "a-b" is an inclusive range and needs a <= b.
#ifndef TLSWEEP_TARGETS_TARGET_PARSE_H_
#define TLSWEEP_TARGETS_TARGET_PARSE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "targets/address_set.h"

namespace tlsweep {

// Parses one token ("1.2.3.4", "1.2.3.0/24", "1.2.3.4-1.2.3.9"). Returns the
// interval it names, or InvalidArgument quoting the token, e.g.
// "invalid CIDR '10.0.0.0/33'".
absl::StatusOr<AddressInterval> ParseAddressToken(std::string_view token);

// Adds every token of the file at `path` to `out`. Format (ZMap's): one token
// per line, '#' starts a comment anywhere on a line, blank lines and
// surrounding whitespace (including a CR from CRLF files) are ignored.
// Errors: InvalidArgument "PATH:LINE: invalid CIDR '10.0.0.0/33'" for a bad
// line (nothing is added to `out` then); for a file that cannot be opened or
// read, a status from errno naming the path, e.g. NotFound
// "cannot open PATH: No such file or directory".
absl::Status ReadAddressFile(const std::string& path, AddressSet* out);

// Parses a port list: comma-separated ports and inclusive ranges
// ("25,110,143", "1-1024", "25,465-587"); whitespace around an element is
// ignored. Duplicates are dropped, keeping first-occurrence order (that order
// is the port order of the TargetSpace). Returns InvalidArgument naming the
// offending element for port 0, a port above 65535, a reversed range, an
// empty element or anything that is not decimal.
absl::StatusOr<std::vector<uint16_t>> ParsePortList(std::string_view spec);

struct TargetOptions {
  std::vector<std::string> target_args;  // positional tokens
  std::string list_file;                 // -I: file of tokens
  std::string allowlist_file;            // -w: file of tokens
  std::string blocklist_file;            // -b; empty = DefaultBlocklistPath()
  bool no_blocklist = false;             // --no-blocklist: no blocklist file
};

struct AllowedAddresses {
  AddressSet allowed;            // what will be scanned
  uint64_t requested = 0;        // addresses named by args, -I and -w
  uint64_t blocked = 0;          // requested addresses that will not be scanned
  std::string blocklist_source;  // the blocklist path used, or "none"
};

// Builds the set of addresses to scan:
//
//   allowed = (target_args ∪ -I list ∪ -w allowlist) − blocklist − {0.0.0.0}
//
// How this relates to ZMap (lib/blocklist.c, blocklist_init(), and
// src/send.c):
// - ZMap unions the -w allowlist with the positional addresses (it warns that
//   it does so), applies the blocklist after the allowlist so the blocklist
//   always wins, and finally always disallows 0.0.0.0. All three hold here.
//   0.0.0.0 is "this host" and must never be a destination (RFC 1122
//   3.2.1.3), so it is removed even under --no-blocklist and counts as blocked.
// - ZMap with no positional address and no -w scans all of 0.0.0.0/0; here
//   that is an error: a full sweep must be asked for with "0.0.0.0/0".
// - ZMap's -I does not add targets: it filters the permutation of the
//   allowed space, so "-I list -w allow" scans their intersection. Here -I is
//   one more source in the union (the tlsweep interface contract).
// - -b replaces the default blocklist; --no-blocklist drops it; giving both is
//   a contradiction and an error.
//
// Errors: InvalidArgument "no targets: give addresses, CIDRs or ranges, -I or
// -w" when no source was given or the sources name no address;
// InvalidArgument "all N requested addresses are in the blocklist PATH" when
// nothing survives; any error of ParseAddressToken (prefixed with
// "target argument: ") or ReadAddressFile.
absl::StatusOr<AllowedAddresses> BuildAllowedAddresses(
    const TargetOptions& options);

// The blocklist used when -b is not given: the installed
// PREFIX/share/tlsweep/blocklist.conf if it exists, else the source tree's
// conf/blocklist.conf (for running from a build directory), else the
// installed path (so that the error names the file a user expects).
std::string DefaultBlocklistPath();

}  // namespace tlsweep

#endif  // TLSWEEP_TARGETS_TARGET_PARSE_H_
