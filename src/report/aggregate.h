// The streaming half of `tlsweep report`: reads JSON Lines result files with
// simdjson's On-Demand API and folds each record into per-(port, protocol)
// counters, never keeping a record.
//
// Memory does not grow with the records' size or number, only with what the
// tables need: counters and small label -> count maps (versions, suites,
// mechanisms ...), plus three structures that grow with distinct hosts:
//   - the duplicate filter, one 8-byte key per distinct (IPv4, port);
//   - per group, a hash map of 32-byte SPKI digests -> hosts, and
//   - per group, a hash map of 32-byte certificate digests -> hosts,
// which the key and certificate reuse table needs. A flat hash map slot of
// a digest and its count is 36 bytes plus a control byte, at a load of
// 44-88%: 40-85 bytes per distinct key, 10-20 bytes per host in the
// duplicate filter. At worst (every host with its own key and certificate)
// that is 90-190 bytes per TLS host: about 1-2 GB for 10 million of them.
//
// A line is one of:
//   - a version-1 record (see kRecordVersionRule), counted once per host and
//     port: the first record read for an (ip, port) wins, later ones are
//     counted as duplicates, so shards and re-runs merge;
//   - a passive record (tlsweep passive: "client_ip", "protocol" and
//     "result" at the top level), one observed connection, counted each
//     into its (port, protocol)'s ConnectionStats, never deduplicated: the
//     same capture given twice counts twice;
//   - an empty line, ignored;
//   - a bad line: not JSON, a truncated last line, or a record of another
//     version. Reported on stderr as FILE:LINE and skipped, never counted
//     partially (a record is parsed into RecordFacts first and only folded in
//     once the whole line parsed).
// On-Demand parsing validates what it reads; values the report never looks
// at (the base64 certificates, banners) are skipped by their structure only.
#ifndef TLSWEEP_REPORT_AGGREGATE_H_
#define TLSWEEP_REPORT_AGGREGATE_H_

#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"

namespace tlsweep::report {

// What makes a line a record this report understands. Records carry no
// version field today; a later format that changes their shape must add
// "tlsweep_record_version" with a value other than 1.
inline constexpr char kRecordVersionRule[] =
    "A record of version 1 is a JSON object with \"ip\" (IPv4 text), \"port\"\n"
    "(an integer) and either \"data\" (an object with one protocol key, as\n"
    "written by tlsweep grab and run) or \"not_grabbed\" (a string), and no\n"
    "\"tlsweep_record_version\" or the value 1. A passive record (tlsweep\n"
    "passive) has \"client_ip\", \"protocol\" (a string) and \"result\" (an\n"
    "object) instead of \"data\"; it is one connection and always counted.\n"
    "Any other JSON line is a record of another version.\n";

struct RecordFacts;
struct EnumerationFacts;

// The status column of records of open ports that were never grabbed
// ("not_grabbed" records); the other columns are GrabStatusName's.
inline constexpr std::string_view kNotGrabbedStatus = "not-grabbed";

// SHA-256 digest of an SPKI or a certificate.
using Digest = std::array<uint8_t, 32>;
// label -> count. Composite labels join their parts with kLabelSeparator.
using Counts = absl::flat_hash_map<std::string, uint64_t>;
inline constexpr char kLabelSeparator = '\x1f';

// Authentication offered on one side of the TLS upgrade.
struct SideAuth {
  uint64_t listings = 0;  // servers whose capability listing was received
  Counts mechanisms;      // mechanism -> servers offering it
  Counts combinations;    // "PLAIN, LOGIN" (order offered) -> servers; "" = none
};

// What servers chose in a set of ServerHellos: one per server and
// ClientHello profile in a grab record, per raw probe of a profile, or per
// observed connection in a passive record. Every table of the servers'
// choice (ciphers, raw probes, servers beside connections) reads this one
// shape (tables.cc HelloColumns).
struct HelloStats {
  uint64_t hellos = 0;    // ServerHellos: the server chose a version and suite
  Counts versions;        // version -> hellos
  Counts cipher_classes;  // RC4, 3DES, EXPORT, NULL, AEAD, CBC ... -> hellos
  uint64_t forward_secrecy = 0;
  std::map<int64_t, uint64_t> dh_bits;  // DHE prime bits -> hellos

  // One ServerHello; dh_bits < 0: no DHE prime.
  void Add(std::string_view version, std::string_view cipher_class, bool forward_secret,
           int64_t dh_bits);
};

// The raw probes (result.raw_probes) of one ClientHello profile in one
// (port, protocol): each record counts once per profile it probed with.
struct RawProfileStats {
  uint64_t probes = 0;  // records with a probe of this profile
  uint64_t alerts = 0;  // ... answered with an alert instead of a ServerHello
  HelloStats hello;     // ... answered with the server's choice
};

// Passive records (tlsweep passive): one per observed connection, counted
// each (a connection is not a server: a busy server counts many times).
struct ConnectionStats {
  uint64_t connections = 0;
  // STARTTLS ports: connections whose STARTTLS step was seen (the listing
  // before TLS or the client's STARTTLS; result.starttls present).
  uint64_t starttls_seen = 0;
  uint64_t starttls_offered = 0;    // ... the server listed STARTTLS
  uint64_t starttls_attempted = 0;  // ... the client asked for it
  uint64_t upgraded = 0;            // ... the server said go ahead
  // Of the seen ones that were not upgraded: the client authenticated in
  // the clear at all, and with plaintext credentials (PLAIN, LOGIN, IMAP
  // LOGIN, POP3 USER/PASS).
  uint64_t not_upgraded_auth = 0;
  uint64_t not_upgraded_plaintext_credentials = 0;
  SideAuth before_tls;  // the server's listing before TLS, per connection
  HelloStats hello;     // the server's choice, per connection
  uint64_t client_hellos = 0;  // ClientHellos parsed whole
  Counts client_classes;       // class -> ClientHellos offering a suite of it
  Counts client_max_version;   // highest version offered -> ClientHellos
};

// The suite enumerations (result.enumeration, grab/enumeration.h) of one
// (port, protocol): servers counted once each.
struct EnumerationStats {
  uint64_t servers = 0;    // records with an enumeration
  uint64_t truncated = 0;  // ... that stopped early (budget, error)
  // Servers that accepted each version (SSLv3, TLSv1, TLSv1.1, TLSv1.2,
  // TLSv1.3, as kEnumeratedVersions in tables.cc orders them).
  Counts versions;
  uint64_t rc4 = 0;            // accept an RC4 suite at any version
  // ... and choose it first: the first suite of their highest version is
  // RC4 and they impose their order or have no other suite there, so any
  // client that offers RC4 gets it.
  uint64_t rc4_preferred = 0;
  uint64_t export_suites = 0;  // accept an EXPORT suite at any version
  uint64_t des3 = 0;           // accept a 3DES suite at any version
};

// One DHE prime seen in raw probes, by its SHA-256.
struct DhPrimeSeen {
  uint64_t servers = 0;  // servers that sent it (once per server)
  int64_t bits = 0;
  std::string name;  // the record's dh_prime_name; "" when not well known
};

// Counters for one (port, protocol). A "server" is one distinct (ip, port).
struct GroupStats {
  uint16_t port = 0;
  std::string protocol;  // data.<name>; "-" for not_grabbed records

  uint64_t records = 0;          // distinct hosts
  uint64_t open = 0;             // scan answered SYN-ACK, or grab connected
  uint64_t implicit_tls = 0;     // records whose module starts TLS at once
  uint64_t starttls_ports = 0;   // records whose module uses STARTTLS
  uint64_t tls_or_starttls = 0;  // implicit: ServerHello seen; else STARTTLS offered
  // Servers that answered the question "TLS / STARTTLS?": offered, or the
  // grab ended success / starttls-refused / no-starttls / tls-error. Busy,
  // error, timed-out and never-grabbed servers are left out, so the study's
  // shares are not diluted by overload (issue 12, item 3).
  uint64_t answered = 0;
  uint64_t starttls_accepted = 0;
  uint64_t handshake_complete = 0;
  Counts status;  // grab status (or "not-grabbed") -> records

  HelloStats hello;          // records whose handshake reached ServerHello
  Counts profile_versions;   // profile SEP version -> server hellos
  Counts cipher_suites;
  Counts key_exchanges;      // kind SEP group ("" when none)

  uint64_t chains = 0;  // records with a certificate chain
  uint64_t trusted = 0, self_signed = 0, expired = 0;
  uint64_t name_mismatch = 0, name_unchecked = 0, other_error = 0;
  Counts key_types;             // algorithm SEP bits ("" when unknown)
  Counts signature_algorithms;  // of the leaf
  absl::flat_hash_map<Digest, uint32_t> spki_hosts;
  absl::flat_hash_map<Digest, uint32_t> cert_hosts;

  // Raw probes: per profile, and the DHE primes over all profiles (each
  // server counted once per prime). Memory grows with distinct primes,
  // which are few (Logjam: a handful of primes cover most DHE servers).
  std::map<std::string, RawProfileStats, std::less<>> raw_profiles;
  absl::flat_hash_map<Digest, DhPrimeSeen> dh_primes;
  uint64_t raw_answered = 0;  // servers with a ServerHello in any raw probe
  uint64_t raw_dhe = 0;       // ... with a DHE prime in any of them
  uint64_t raw_weak_known_prime = 0;  // ... a well-known prime of <= 1024 bits

  // Enumerations (result.enumeration), one per server that has one.
  EnumerationStats enumeration;

  SideAuth before_tls, after_tls;
  uint64_t plaintext_known = 0, plaintext_before_tls = 0;
  uint64_t login_disabled_known = 0, login_disabled = 0;  // IMAP only

  ConnectionStats connections;  // passive records of this port and protocol
};

enum class SkipReason { kNotJson, kTruncated, kOtherVersion };
inline constexpr int kNumSkipReasons = 3;
std::string_view SkipReasonName(SkipReason reason);

struct FileStats {
  std::string name;
  uint64_t lines = 0;       // non-empty lines
  uint64_t records = 0;     // records counted (first for their host and port)
  uint64_t duplicates = 0;  // records of a host and port already counted
  uint64_t connections = 0;  // passive records (each counted)
  std::array<uint64_t, kNumSkipReasons> skipped{};
  uint64_t bytes = 0;
  uint64_t skipped_total() const;
};

class Aggregator {
 public:
  // `errors` receives one "FILE:LINE: reason (skipped)" line per bad line,
  // at most kMaxReportedPerFile per file (then one line saying how many
  // more); nullptr keeps quiet.
  explicit Aggregator(std::FILE* errors);
  ~Aggregator();
  Aggregator(const Aggregator&) = delete;
  Aggregator& operator=(const Aggregator&) = delete;

  // Reads one file ("-" is standard input). NotFound / Unavailable naming
  // the file when it cannot be opened or read; bad lines are not errors.
  absl::Status AddFile(const std::string& path);
  // Reads an open stream; `name` labels its lines in messages.
  absl::Status AddStream(std::FILE* in, const std::string& name);

  // Groups ordered by port, then protocol. not_grabbed records carry no
  // protocol: they are counted under their port's protocol when the input
  // has exactly one protocol on that port, else under protocol "-".
  std::vector<const GroupStats*> Groups();
  const std::vector<FileStats>& files() const { return files_; }

  // Bad lines reported per file before the rest are only counted.
  static constexpr uint64_t kMaxReportedPerFile = 100;

 private:
  struct Parser;
  void Fold(const RecordFacts& f, FileStats* file);
  // A passive record's part of Fold().
  void FoldConnection(const RecordFacts& f, FileStats* file);
  // The enumeration's part of Fold().
  static void FoldEnumeration(const EnumerationFacts& e, EnumerationStats* s);
  // The raw probes' part of Fold().
  void FoldRawProbes(const RecordFacts& f, GroupStats* g);
  GroupStats& Group(uint16_t port, std::string_view protocol);

  std::FILE* errors_;
  std::unique_ptr<Parser> parser_;
  absl::flat_hash_set<uint64_t> seen_;  // ip << 16 | port
  std::vector<std::unique_ptr<GroupStats>> groups_;
  std::vector<FileStats> files_;
  std::string scratch_;  // composite labels, reused
};

}  // namespace tlsweep::report

#endif  // TLSWEEP_REPORT_AGGREGATE_H_
