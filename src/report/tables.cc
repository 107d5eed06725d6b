// See tables.h.
#include "report/tables.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string_view>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "proto/module_result.h"

namespace tlsweep::report {
namespace {

using Row = std::vector<Cell>;

// Grab statuses in the order of the enum (proto/module_result.h), then the
// records the grab pool never started.
std::vector<std::string_view> StatusOrder() {
  std::vector<std::string_view> order;
  for (size_t i = 0; i < kGrabStatusCount; ++i) {
    order.push_back(GrabStatusName(static_cast<GrabStatus>(i)));
  }
  order.push_back(kNotGrabbedStatus);
  return order;
}

constexpr std::string_view kCipherClasses[] = {"AEAD", "CBC", "RC4", "3DES", "NULL", "EXPORT"};
constexpr std::string_view kRawVersions[] = {"SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2",
                                             "TLSv1.3"};
constexpr std::string_view kLegacyClasses[] = {"RC4", "3DES", "EXPORT", "NULL"};

std::vector<std::pair<std::string, uint64_t>> ByCount(const Counts& counts) {
  std::vector<std::pair<std::string, uint64_t>> v(counts.begin(), counts.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return v;
}

std::pair<std::string, std::string> SplitLabel(const std::string& label) {
  const size_t sep = label.find(kLabelSeparator);
  if (sep == std::string::npos) return {label, ""};
  return {label.substr(0, sep), label.substr(sep + 1)};
}

uint64_t CountOf(const Counts& counts, std::string_view label) {
  const auto it = counts.find(absl::string_view(label.data(), label.size()));
  return it == counts.end() ? 0 : it->second;
}

Row GroupCells(const GroupStats& g) {
  return {Cell::Text(g.protocol), Cell::Text(absl::StrCat(g.port))};
}

// The table builders every distribution goes through -----------------------
//
// A population is what a share is of: servers (the active records) or
// connections (the passive ones). A table that shows both puts each label's
// connections column next to its servers column, so the study's tables
// (e.g. its Table XIII: mechanisms on SUBMISSION, connections | servers)
// read across one row. With one population the same builders make the
// servers-only tables.
struct Population {
  const Counts* counts;  // label -> count
  uint64_t total;        // the share's denominator; 0 shows "-"
};

// `prefix`, `label`, then each population's count of `key` and its share.
void AppendPopulationRow(const Row& prefix, std::string label, std::string_view key,
                         const std::vector<Population>& pops, Table* t) {
  Row row = prefix;
  row.push_back(Cell::Text(std::move(label)));
  for (const Population& p : pops) {
    const uint64_t n = CountOf(*p.counts, key);
    row.push_back(p.total > 0 ? Cell::Count(n) : Cell::Missing());
    row.push_back(Cell::Share(n, p.total));
  }
  t->rows.push_back(std::move(row));
}

// Every label of the populations, most frequent first: by the first
// population's count, then the next one's, then the label (with one
// population, ByCount's order).
std::vector<std::string> LabelsByCount(const std::vector<Population>& pops) {
  std::set<std::string> distinct;
  for (const Population& p : pops) {
    for (const auto& [label, n] : *p.counts) distinct.insert(label);
  }
  std::vector<std::string> labels(distinct.begin(), distinct.end());
  std::sort(labels.begin(), labels.end(), [&](const std::string& a, const std::string& b) {
    for (const Population& p : pops) {
      const uint64_t na = CountOf(*p.counts, a), nb = CountOf(*p.counts, b);
      if (na != nb) return na > nb;
    }
    return a < b;
  });
  return labels;
}

// The `top` most frequent labels over all populations (LabelsByCount),
// then one "other N <noun>" row summing the rest per population.
void AppendTop(const Row& prefix, const std::vector<Population>& pops, size_t top,
               std::string_view noun, Table* t) {
  const std::vector<std::string> labels = LabelsByCount(pops);
  for (size_t i = 0; i < labels.size() && i < top; ++i) {
    AppendPopulationRow(prefix, labels[i], labels[i], pops, t);
  }
  if (labels.size() <= top) return;
  std::vector<Counts> rest(pops.size());
  std::vector<Population> rest_pops;
  for (size_t j = 0; j < pops.size(); ++j) {
    for (size_t i = top; i < labels.size(); ++i) rest[j][""] += CountOf(*pops[j].counts, labels[i]);
    rest_pops.push_back({&rest[j], pops[j].total});
  }
  AppendPopulationRow(prefix, absl::StrCat("other ", labels.size() - top, " ", std::string(noun)),
                      "", rest_pops, t);
}

// One measure of a set of ServerHellos (HelloStats): its label and how many
// of the hellos it counts; its share is of the hellos. The ciphers table
// (per port), the raw probes table (per profile) and the servers-beside-
// connections table (per population) are all lists of these.
struct HelloMeasure {
  std::string label;
  std::function<uint64_t(const HelloStats&)> count;
};

uint64_t AtMost(const std::map<int64_t, uint64_t>& bits, int64_t limit) {
  uint64_t n = 0;
  for (const auto& [b, count] : bits) {
    if (b <= limit) n += count;
  }
  return n;
}

uint64_t Total(const std::map<int64_t, uint64_t>& bits) {
  uint64_t n = 0;
  for (const auto& [b, count] : bits) n += count;
  return n;
}

// In this order: each version, each cipher class, forward secrecy, then on
// request without forward secrecy, DHE and DHE at or below 1024 bits.
std::vector<HelloMeasure> HelloMeasures(std::span<const std::string_view> versions,
                                        std::span<const std::string_view> classes,
                                        bool without_forward_secrecy, bool dhe) {
  std::vector<HelloMeasure> m;
  for (std::string_view v : versions) {
    m.push_back({std::string(v), [v](const HelloStats& s) { return CountOf(s.versions, v); }});
  }
  for (std::string_view c : classes) {
    m.push_back({std::string(c), [c](const HelloStats& s) { return CountOf(s.cipher_classes, c); }});
  }
  m.push_back({"forward secrecy", [](const HelloStats& s) { return s.forward_secrecy; }});
  if (without_forward_secrecy) {
    m.push_back({"without forward secrecy",
                 [](const HelloStats& s) { return s.hellos - s.forward_secrecy; }});
  }
  if (dhe) {
    m.push_back({"DHE", [](const HelloStats& s) { return Total(s.dh_bits); }});
    m.push_back({"DHE <= 1024 bits", [](const HelloStats& s) { return AtMost(s.dh_bits, 1024); }});
  }
  return m;
}

// Wide form: one share column per measure, named by `name(label)`.
void AddHelloColumns(const std::vector<HelloMeasure>& measures,
                     std::string (*name)(std::string_view), Table* t) {
  for (const HelloMeasure& m : measures) t->columns.push_back(name(m.label));
}
std::string SuffixPercent(std::string_view label) { return std::string(label) + " %"; }
std::string PrefixPercent(std::string_view label) { return "% " + std::string(label); }

void AppendHelloCells(const HelloStats& s, const std::vector<HelloMeasure>& measures, Row* row) {
  for (const HelloMeasure& m : measures) row->push_back(Cell::Share(m.count(s), s.hellos));
}

// Long form: the measures as labels -> counts, for AppendPopulationRow.
Counts HelloCounts(const HelloStats& s, const std::vector<HelloMeasure>& measures) {
  Counts counts;
  for (const HelloMeasure& m : measures) counts[m.label] = m.count(s);
  return counts;
}

// One row per two-part label ("kind|detail") of `counts`, most frequent
// first: the group, both parts (a missing detail shown as such), the count
// and its share of `denominator`.
void AddSplitLabelRows(Table& t, const GroupStats& g, const Counts& counts,
                       uint64_t denominator) {
  for (const auto& [label, n] : ByCount(counts)) {
    auto [first, second] = SplitLabel(label);
    Row row = GroupCells(g);
    row.push_back(Cell::Text(first));
    row.push_back(second.empty() ? Cell::Missing() : Cell::Text(second));
    row.push_back(Cell::Count(n));
    row.push_back(Cell::Share(n, denominator));
    t.rows.push_back(std::move(row));
  }
}

std::string GroupLabel(const GroupStats& g) { return absl::StrCat(g.protocol, "/", g.port); }

std::string TlsMode(const GroupStats& g) {
  if (g.implicit_tls > 0 && g.starttls_ports > 0) return "mixed";
  if (g.implicit_tls > 0) return "implicit TLS";
  if (g.starttls_ports > 0) return "STARTTLS";
  return "-";
}

Table InputTable(const std::vector<FileStats>& files, bool with_connections) {
  Table t{"input", "Input files",
          absl::StrCat("Lines: non-empty lines. Records: counted, the first record of each host "
                       "and port. Duplicates: records of a host and port already counted (from "
                       "any file). Skipped lines are reported on stderr with file and line.",
                       with_connections ? " Connections: passive records (tlsweep passive), "
                                          "each counted."
                                        : ""),
          {"file", "lines", "records", "duplicates", "skipped: not JSON",
           "skipped: truncated last line", "skipped: other version"},
          {}};
  if (with_connections) t.columns.push_back("connections");
  for (const FileStats& f : files) {
    t.rows.push_back({Cell::Text(f.name), Cell::Count(f.lines), Cell::Count(f.records),
                      Cell::Count(f.duplicates), Cell::Count(f.skipped[0]), Cell::Count(f.skipped[1]),
                      Cell::Count(f.skipped[2])});
    if (with_connections) t.rows.back().push_back(Cell::Count(f.connections));
  }
  return t;
}

Table OverviewTable(const std::vector<const GroupStats*>& groups, const TargetCounts& targets) {
  // Status columns: every status some group has, in the format's order.
  std::set<std::string> present;
  for (const GroupStats* g : groups) {
    for (const auto& [status, n] : g->status) present.insert(status);
  }
  std::vector<std::string> statuses;
  for (std::string_view s : StatusOrder()) {
    if (present.erase(std::string(s)) > 0) statuses.emplace_back(s);
  }
  statuses.insert(statuses.end(), present.begin(), present.end());

  Table t{"overview", "1. Scan overview",
          "Targets: addresses probed on the port, from --metadata (\"-\" without it). Open: the "
          "scan's answer was a SYN-ACK (records without a scan answer: the grab connected). TLS / "
          "STARTTLS offered: on implicit-TLS ports the server answered the ClientHello with a "
          "ServerHello; on STARTTLS ports it listed STARTTLS. Accepted: it answered STARTTLS "
          "with a go-ahead. Completed: the TLS handshake finished. Answered: offered, or the grab "
          "ended success, starttls-refused, no-starttls or tls-error; shares are of these "
          "(busy, error and timed-out servers say nothing about TLS). "
          "The status columns count records by grab status; not-grabbed: open but never "
          "grabbed (queue full, interrupted).",
          {"protocol", "port", "TLS mode", "targets", "open", "answered",
           "TLS / STARTTLS offered", "offered % of answered", "STARTTLS accepted",
           "handshake completed", "completed % of answered"},
          {}};
  for (const std::string& s : statuses) t.columns.push_back(absl::StrCat("status: ", s));
  for (const GroupStats* g : groups) {
    Row row = GroupCells(*g);
    row.push_back(Cell::Text(TlsMode(*g)));
    const auto target = targets.per_port.find(g->port);
    row.push_back(target != targets.per_port.end() ? Cell::Count(target->second) : Cell::Missing());
    row.push_back(Cell::Count(g->open));
    row.push_back(Cell::Count(g->answered));
    row.push_back(Cell::Count(g->tls_or_starttls));
    row.push_back(Cell::Share(g->tls_or_starttls, g->answered));
    row.push_back(g->starttls_ports > 0 ? Cell::Count(g->starttls_accepted) : Cell::Missing());
    row.push_back(Cell::Count(g->handshake_complete));
    row.push_back(Cell::Share(g->handshake_complete, g->answered));
    for (const std::string& s : statuses) row.push_back(Cell::Count(CountOf(g->status, s)));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table VersionTable(const std::vector<const GroupStats*>& groups) {
  Table t{"versions", "2. TLS versions negotiated, per ClientHello profile",
          "Per profile, the version of each ServerHello; share of that profile's ServerHellos.",
          {"protocol", "port", "profile", "version", "server hellos", "% of profile"},
          {}};
  for (const GroupStats* g : groups) {
    std::map<std::string, uint64_t> per_profile;
    for (const auto& [label, n] : g->profile_versions) per_profile[SplitLabel(label).first] += n;
    for (const auto& [profile, total] : per_profile) {
      for (const auto& [label, n] : ByCount(g->profile_versions)) {
        auto [p, version] = SplitLabel(label);
        if (p != profile) continue;
        Row row = GroupCells(*g);
        row.push_back(Cell::Text(profile));
        row.push_back(Cell::Text(version));
        row.push_back(Cell::Count(n));
        row.push_back(Cell::Share(n, total));
        t.rows.push_back(std::move(row));
      }
    }
  }
  return t;
}

Table CipherTable(const std::vector<const GroupStats*>& groups) {
  Table t{"ciphers", "3. Cipher choices",
          "Cipher class of the suite each ServerHello chose (the study's classes) and the share "
          "with forward secrecy (ECDHE, DHE or TLS 1.3); shares of ServerHellos.",
          {"protocol", "port", "server hellos"},
          {}};
  const std::vector<HelloMeasure> measures = HelloMeasures({}, kCipherClasses, true, false);
  AddHelloColumns(measures, SuffixPercent, &t);
  for (const GroupStats* g : groups) {
    Row row = GroupCells(*g);
    row.push_back(Cell::Count(g->hello.hellos));
    AppendHelloCells(g->hello, measures, &row);
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table SuiteTable(const std::vector<const GroupStats*>& groups, size_t top) {
  Table t{"cipher_suites", "3b. Top cipher suites",
          absl::StrCat("The ", top, " suites ServerHellos chose most, the rest folded; shares of "
                       "ServerHellos."),
          {"protocol", "port", "cipher suite", "server hellos", "% of server hellos"},
          {}};
  for (const GroupStats* g : groups) {
    AppendTop(GroupCells(*g), {{&g->cipher_suites, g->hello.hellos}}, top, "suites", &t);
  }
  return t;
}

Table KeyExchangeTable(const std::vector<const GroupStats*>& groups) {
  Table t{"key_exchange", "4. Key exchange",
          "Key exchange of each ServerHello: the ECDHE (or TLS 1.3) group, the DHE prime size; "
          "RSA has neither. Shares of ServerHellos.",
          {"protocol", "port", "key exchange", "group or prime size", "server hellos",
           "% of server hellos"},
          {}};
  for (const GroupStats* g : groups) AddSplitLabelRows(t, *g, g->key_exchanges, g->hello.hellos);
  return t;
}

Table DhTable(const std::vector<const GroupStats*>& groups) {
  Table t{"dh_sizes", "4b. Diffie-Hellman prime sizes",
          "ServerHellos with a DHE key exchange whose prime size is known (also handshakes the "
          "client then refused for a small prime); share at or below 1024 bits.",
          {"protocol", "port", "DHE server hellos", "at or below 1024 bits", "% at or below 1024",
           "smallest bits", "largest bits"},
          {}};
  for (const GroupStats* g : groups) {
    const std::map<int64_t, uint64_t>& dh_bits = g->hello.dh_bits;
    if (dh_bits.empty()) continue;
    const uint64_t total = Total(dh_bits), small = AtMost(dh_bits, 1024);
    Row row = GroupCells(*g);
    row.push_back(Cell::Count(total));
    row.push_back(Cell::Count(small));
    row.push_back(Cell::Share(small, total));
    row.push_back(Cell::Count(static_cast<uint64_t>(dh_bits.begin()->first)));
    row.push_back(Cell::Count(static_cast<uint64_t>(dh_bits.rbegin()->first)));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table CertificateTable(const std::vector<const GroupStats*>& groups) {
  Table t{"certificates", "5. Certificates",
          "Servers that sent a certificate chain; shares of those. Verifies: the chain verifies "
          "against the run's root store. Self-signed, expired: of the leaf. Name mismatch: a name "
          "was checked (the input's, --names or --server-name) and does not match; not checked: "
          "no name was known. Other errors: does not verify, yet neither self-signed nor expired "
          "(unknown issuer, ...). The flags overlap.",
          {"protocol", "port", "chains", "verifies", "verifies %", "self-signed", "self-signed %",
           "expired", "expired %", "name mismatch", "name mismatch %", "name not checked",
           "other errors", "other errors %"},
          {}};
  for (const GroupStats* g : groups) {
    if (g->chains == 0) continue;
    Row row = GroupCells(*g);
    row.push_back(Cell::Count(g->chains));
    for (uint64_t n : {g->trusted, g->self_signed, g->expired, g->name_mismatch}) {
      row.push_back(Cell::Count(n));
      row.push_back(Cell::Share(n, g->chains));
    }
    row.push_back(Cell::Count(g->name_unchecked));
    row.push_back(Cell::Count(g->other_error));
    row.push_back(Cell::Share(g->other_error, g->chains));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table KeyTypeTable(const std::vector<const GroupStats*>& groups) {
  Table t{"certificate_keys", "5b. Certificate key types and sizes",
          "Public key of the leaf; shares of servers that sent a chain.",
          {"protocol", "port", "key type", "bits", "servers", "% of chains"},
          {}};
  for (const GroupStats* g : groups) AddSplitLabelRows(t, *g, g->key_types, g->chains);
  return t;
}

Table SignatureTable(const std::vector<const GroupStats*>& groups) {
  Table t{"certificate_signatures", "5c. Certificate signature algorithms",
          "Signature algorithm of the leaf; shares of servers that sent a chain.",
          {"protocol", "port", "signature algorithm", "servers", "% of chains"},
          {}};
  for (const GroupStats* g : groups) {
    for (const auto& [name, n] : ByCount(g->signature_algorithms)) {
      Row row = GroupCells(*g);
      row.push_back(Cell::Text(name));
      row.push_back(Cell::Count(n));
      row.push_back(Cell::Share(n, g->chains));
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

struct Reuse {
  uint64_t distinct = 0, shared_hosts = 0, largest = 0;
};

Reuse ReuseOf(const absl::flat_hash_map<Digest, uint32_t>& hosts) {
  Reuse r;
  r.distinct = hosts.size();
  for (const auto& [digest, n] : hosts) {
    if (n >= 2) r.shared_hosts += n;
    r.largest = std::max<uint64_t>(r.largest, n);
  }
  return r;
}

Table ReuseTable(const std::vector<const GroupStats*>& groups) {
  Table t{"key_reuse", "6. Key and certificate reuse",
          "Leaf SPKI (public key) and certificate SHA-256 over the servers of the port that sent "
          "a chain. Sharing: the same key (certificate) is also presented by at least one other "
          "server; largest: servers presenting the most common one. Shares of chains.",
          {"protocol", "port", "chains", "distinct keys", "servers sharing their key",
           "sharing key %", "largest key group", "distinct certificates",
           "servers sharing their certificate", "sharing certificate %",
           "largest certificate group"},
          {}};
  for (const GroupStats* g : groups) {
    if (g->chains == 0) continue;
    const Reuse keys = ReuseOf(g->spki_hosts);
    const Reuse certs = ReuseOf(g->cert_hosts);
    Row row = GroupCells(*g);
    row.push_back(Cell::Count(g->chains));
    for (const Reuse& r : {keys, certs}) {
      row.push_back(Cell::Count(r.distinct));
      row.push_back(Cell::Count(r.shared_hosts));
      row.push_back(Cell::Share(r.shared_hosts, g->chains));
      row.push_back(Cell::Count(r.largest));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string Hex(const Digest& d) {
  std::string out;
  for (uint8_t b : d) absl::StrAppendFormat(&out, "%02x", b);
  return out;
}

Table SharedKeyTable(const std::vector<const GroupStats*>& groups, size_t top) {
  Table t{"shared_keys", "6b. Most shared keys",
          absl::StrCat("The ", top, " leaf keys (SPKI SHA-256) presented by the most servers of "
                       "the port, keys of two or more servers only; share of chains."),
          {"protocol", "port", "rank", "SPKI SHA-256", "servers", "% of chains"},
          {}};
  for (const GroupStats* g : groups) {
    std::vector<std::pair<Digest, uint32_t>> shared;
    for (const auto& [digest, n] : g->spki_hosts) {
      if (n >= 2) shared.emplace_back(digest, n);
    }
    std::sort(shared.begin(), shared.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (size_t i = 0; i < shared.size() && i < top; ++i) {
      Row row = GroupCells(*g);
      row.push_back(Cell::Text(absl::StrCat(i + 1)));
      row.push_back(Cell::Text(Hex(shared[i].first)));
      row.push_back(Cell::Count(shared[i].second));
      row.push_back(Cell::Share(shared[i].second, g->chains));
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

// The study's single-mechanism table. With passive records the servers'
// columns get a connections triple beside them, as the combinations table
// (CombinationTable) does: the listing the server sent before TLS on each
// observed connection (after TLS the observer sees nothing, so "-").
Table MechanismTable(const std::vector<const GroupStats*>& groups, bool with_connections) {
  Table t{"auth_mechanisms", "7. Authentication mechanisms offered",
          absl::StrCat("SASL / AUTH mechanisms each server listed, before and after TLS (on "
                       "implicit-TLS ports only after). Share of the servers whose capability "
                       "listing was received on that side (the listings column).",
                       with_connections
                           ? " Connections (tlsweep passive): the listing the server sent on "
                             "each observed connection before TLS; share of the connections "
                             "whose listing was seen (the connection listings column; after "
                             "TLS it is encrypted: \"-\")."
                           : ""),
          {"protocol", "port", "side", "mechanism", "servers", "listings", "% of listings"},
          {}};
  if (with_connections) {
    t.columns.push_back("connections");
    t.columns.push_back("connection listings");
    t.columns.push_back("% of connection listings");
  }
  const SideAuth no_connections;
  for (const GroupStats* g : groups) {
    for (const auto& [side, auth, conn] :
         {std::tuple<std::string, const SideAuth*, const SideAuth*>{
              "before TLS", &g->before_tls, &g->connections.before_tls},
          std::tuple<std::string, const SideAuth*, const SideAuth*>{"after TLS", &g->after_tls,
                                                                    &no_connections}}) {
      std::vector<Population> pops = {{&auth->mechanisms, auth->listings}};
      if (with_connections) pops.push_back({&conn->mechanisms, conn->listings});
      for (const std::string& mech : LabelsByCount(pops)) {
        Row row = GroupCells(*g);
        row.push_back(Cell::Text(side));
        row.push_back(Cell::Text(mech));
        for (const Population& p : pops) {
          const uint64_t n = CountOf(*p.counts, mech);
          // A port with connections but no server listing (or the reverse).
          row.push_back(p.total > 0 ? Cell::Count(n) : Cell::Missing());
          row.push_back(p.total > 0 ? Cell::Count(p.total) : Cell::Missing());
          row.push_back(Cell::Share(n, p.total));
        }
        t.rows.push_back(std::move(row));
      }
    }
  }
  return t;
}

Table PlaintextTable(const std::vector<const GroupStats*>& groups) {
  Table t{"plaintext_auth", "7b. Plaintext authentication before TLS, LOGINDISABLED",
          "Plaintext before TLS: a password could be sent in the clear before TLS (PLAIN or "
          "LOGIN offered; IMAP: LOGIN not disabled; POP3: USER), of the servers with a listing "
          "before TLS. LOGINDISABLED (IMAP only): of the servers whose capabilities were seen, "
          "before TLS on STARTTLS ports, inside TLS on implicit ones.",
          {"protocol", "port", "listings before TLS", "plaintext before TLS",
           "plaintext before TLS %", "IMAP listings", "LOGINDISABLED", "LOGINDISABLED %"},
          {}};
  for (const GroupStats* g : groups) {
    if (g->plaintext_known == 0 && g->login_disabled_known == 0) continue;
    Row row = GroupCells(*g);
    row.push_back(Cell::Count(g->plaintext_known));
    row.push_back(Cell::Count(g->plaintext_before_tls));
    row.push_back(Cell::Share(g->plaintext_before_tls, g->plaintext_known));
    if (g->login_disabled_known > 0) {
      row.push_back(Cell::Count(g->login_disabled_known));
      row.push_back(Cell::Count(g->login_disabled));
      row.push_back(Cell::Share(g->login_disabled, g->login_disabled_known));
    } else {
      row.insert(row.end(), 3, Cell::Missing());
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

// With passive records the servers' columns get a connections column pair
// beside them: the listing the server sent before TLS on each observed
// connection (after TLS the observer sees nothing, so "-").
Table CombinationTable(const std::vector<const GroupStats*>& groups, size_t top,
                       bool with_connections) {
  Table t{"auth_combinations", "8. Mechanism combinations, in the order offered",
          absl::StrCat("As the study's SUBMISSION table: the ", top,
                       " most common lists of mechanisms, the rest folded into \"other N "
                       "combinations\", and servers that listed none. Share of the servers whose "
                       "listing was received on that side.",
                       with_connections
                           ? " Connections (tlsweep passive): the listing the server sent on each "
                             "observed connection before TLS; share of the connections whose "
                             "listing was seen (after TLS it is encrypted: \"-\")."
                           : ""),
          {"protocol", "port", "side", "mechanisms (in the order offered)", "servers",
           "% of listings"},
          {}};
  if (with_connections) {
    t.columns.push_back("connections");
    t.columns.push_back("% of connection listings");
  }
  const Counts no_listings;
  for (const GroupStats* g : groups) {
    for (const auto& [side, auth, conn] :
         {std::tuple<std::string, const SideAuth*, const SideAuth*>{
              "before TLS", &g->before_tls, &g->connections.before_tls},
          std::tuple<std::string, const SideAuth*, const SideAuth*>{"after TLS", &g->after_tls,
                                                                    nullptr}}) {
      const uint64_t conn_listings = conn != nullptr ? conn->listings : 0;
      if (auth->listings == 0 && conn_listings == 0) continue;
      // The named combinations, and the listings without any ("").
      std::vector<Counts> offered = {auth->combinations};
      std::vector<uint64_t> totals = {auth->listings};
      if (with_connections) {
        offered.push_back(conn != nullptr ? conn->combinations : no_listings);
        totals.push_back(conn_listings);
      }
      std::vector<Counts> none(offered.size());
      std::vector<Population> pops;
      bool any_none = false;
      for (size_t i = 0; i < offered.size(); ++i) {
        const uint64_t n = CountOf(offered[i], "");
        offered[i].erase("");
        none[i][""] = n;
        any_none = any_none || n > 0;
        pops.push_back({&offered[i], totals[i]});
      }
      Row prefix = GroupCells(*g);
      prefix.push_back(Cell::Text(side));
      AppendTop(prefix, pops, top, "combinations", &t);
      if (any_none) {
        std::vector<Population> none_pops;
        for (size_t i = 0; i < pops.size(); ++i) none_pops.push_back({&none[i], pops[i].total});
        AppendPopulationRow(prefix, "none offered", "", none_pops, &t);
      }
    }
  }
  return t;
}

// Raw probes (result.raw_probes) ------------------------------------------

Table RawProbeTable(const std::vector<const GroupStats*>& groups) {
  Table t{"raw_probes", "4c. Raw ClientHello probes: the server's choice, per profile",
          "One row per port and --raw-probes profile (conf/tls_profiles.conf): what servers chose "
          "from offers OpenSSL 3 cannot make (RC4, 3DES, EXPORT, SSLv3). probes: servers probed "
          "with the profile; server hellos: those that answered with a version and suite (the "
          "denominator of every share); alerts: those that refused the offer with an alert.",
          {"protocol", "port", "profile", "probes", "server hellos", "alerts"},
          {}};
  const std::vector<HelloMeasure> measures = HelloMeasures(kRawVersions, kLegacyClasses, false, true);
  AddHelloColumns(measures, PrefixPercent, &t);
  for (const GroupStats* g : groups) {
    for (const auto& [profile, s] : g->raw_profiles) {
      Row row = GroupCells(*g);
      row.push_back(Cell::Text(profile));
      row.push_back(Cell::Count(s.probes));
      row.push_back(Cell::Count(s.hello.hellos));
      row.push_back(Cell::Count(s.alerts));
      AppendHelloCells(s.hello, measures, &row);
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

Table RawDhTable(const std::vector<const GroupStats*>& groups) {
  Table t{"raw_probe_dh_sizes", "4d. Raw probes: Diffie-Hellman prime sizes, per profile",
          "DHE prime sizes the servers sent to each --raw-probes profile; share of that "
          "profile's server hellos with a DHE key exchange.",
          {"protocol", "port", "profile", "prime bits", "server hellos", "% of DHE"},
          {}};
  for (const GroupStats* g : groups) {
    for (const auto& [profile, s] : g->raw_profiles) {
      const uint64_t dhe = Total(s.hello.dh_bits);
      for (const auto& [bits, n] : s.hello.dh_bits) {
        Row row = GroupCells(*g);
        row.push_back(Cell::Text(profile));
        row.push_back(Cell::Count(static_cast<uint64_t>(bits)));
        row.push_back(Cell::Count(n));
        row.push_back(Cell::Share(n, dhe));
        t.rows.push_back(std::move(row));
      }
    }
  }
  return t;
}

// Enumeration (result.enumeration) ---------------------------------------

constexpr std::string_view kEnumeratedVersions[] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2",
                                                    "TLSv1.3"};

Table EnumerationTable(const std::vector<const GroupStats*>& groups) {
  Table t{"enumeration", "4e. Enumeration: versions and legacy suites servers accept",
          "--enumerate (src/grab/enumeration.h): every IANA-registered suite offered per "
          "version until the server refused. servers: servers enumerated (the denominator); "
          "truncated: enumerations that stopped early (budget or a failed probe), counted with "
          "what they found. A version or suite class counts when the server accepted it at "
          "all; RC4 preferred: its first choice at its highest version is RC4 and it imposes "
          "its order (or has no other suite there), so every client offering RC4 gets it.",
          {"protocol", "port", "servers", "truncated"},
          {}};
  for (std::string_view v : kEnumeratedVersions) t.columns.push_back("% " + std::string(v));
  for (std::string_view c : {"% RC4", "% RC4 preferred", "% EXPORT", "% 3DES"}) {
    t.columns.emplace_back(c);
  }
  for (const GroupStats* g : groups) {
    const EnumerationStats& e = g->enumeration;
    if (e.servers == 0) continue;
    Row row = GroupCells(*g);
    row.push_back(Cell::Count(e.servers));
    row.push_back(Cell::Count(e.truncated));
    for (std::string_view v : kEnumeratedVersions) {
      row.push_back(Cell::Share(CountOf(e.versions, v), e.servers));
    }
    row.push_back(Cell::Share(e.rc4, e.servers));
    row.push_back(Cell::Share(e.rc4_preferred, e.servers));
    row.push_back(Cell::Share(e.export_suites, e.servers));
    row.push_back(Cell::Share(e.des3, e.servers));
    t.rows.push_back(std::move(row));
  }
  return t;
}

// DH primes ----------------------------------------------------------------

Table SharedPrimeTable(const std::vector<const GroupStats*>& groups, size_t top) {
  Table t{"shared_dh_primes", "6c. Most shared Diffie-Hellman primes (raw probes)",
          absl::StrCat("The ", top, " primes sent by the most servers of each port, by SHA-256 "
                       "(a server counted once per prime over all its raw probes); the name when "
                       "the prime is well known (RFC 2409, 3526, 5114, 7919 groups and server "
                       "software's built-in primes, src/tls/dh_primes.cc). Share of the servers "
                       "that sent a DHE prime to any raw probe."),
          {"protocol", "port", "prime sha256", "bits", "name", "servers", "% of DHE servers"},
          {}};
  for (const GroupStats* g : groups) {
    std::vector<std::pair<const Digest*, const DhPrimeSeen*>> primes;
    for (const auto& [digest, seen] : g->dh_primes) primes.emplace_back(&digest, &seen);
    std::sort(primes.begin(), primes.end(), [](const auto& a, const auto& b) {
      return a.second->servers != b.second->servers ? a.second->servers > b.second->servers
                                                     : *a.first < *b.first;
    });
    if (primes.size() > top) primes.resize(top);
    for (const auto& [digest, seen] : primes) {
      Row row = GroupCells(*g);
      row.push_back(Cell::Text(Hex(*digest)));
      row.push_back(Cell::Count(static_cast<uint64_t>(seen->bits)));
      row.push_back(seen->name.empty() ? Cell::Missing() : Cell::Text(seen->name));
      row.push_back(Cell::Count(seen->servers));
      row.push_back(Cell::Share(seen->servers, g->raw_dhe));
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

Table LogjamTable(const std::vector<const GroupStats*>& groups) {
  Table t{"logjam", "6d. Servers on a well-known Diffie-Hellman prime of <= 1024 bits (Logjam)",
          "The Logjam measure (Adrian et al., CCS 2015): servers that sent, to any raw probe, a "
          "well-known DHE prime of 1024 bits or less, which one precomputation per prime breaks "
          "for all of them. Shares of the servers that answered a raw probe with a ServerHello, "
          "and of those that sent a DHE prime.",
          {"protocol", "port", "servers answering raw probes", "DHE servers",
           "on a well-known prime <= 1024 bits", "% of answering", "% of DHE servers"},
          {}};
  for (const GroupStats* g : groups) {
    if (g->raw_profiles.empty()) continue;
    Row row = GroupCells(*g);
    row.push_back(Cell::Count(g->raw_answered));
    row.push_back(Cell::Count(g->raw_dhe));
    row.push_back(Cell::Count(g->raw_weak_known_prime));
    row.push_back(Cell::Share(g->raw_weak_known_prime, g->raw_answered));
    row.push_back(Cell::Share(g->raw_weak_known_prime, g->raw_dhe));
    t.rows.push_back(std::move(row));
  }
  return t;
}

// Servers beside connections (passive records) -----------------------------

// The servers' choice beside the choice seen on observed connections, as
// rows of measures (versions, cipher classes, forward secrecy, DHE sizes)
// with a servers column pair and a connections column pair.
Table HelloComparisonTable(const std::vector<const GroupStats*>& groups) {
  Table t{"tls_connections", "9. Versions, cipher classes and DH sizes: servers and connections",
          "What the server chose, per port: servers (one ServerHello per server, every "
          "ClientHello profile of the grab) beside connections (each observed connection's "
          "ServerHello, tlsweep passive). Shares of the ServerHellos of that column. DHE "
          "N bits: the prime size of the DHE key exchange.",
          {"protocol", "port", "measure", "servers", "% of server hellos", "connections",
           "% of connection hellos"},
          {}};
  for (const GroupStats* g : groups) {
    if (g->connections.hello.hellos == 0 && (g->connections.connections == 0 || g->hello.hellos == 0)) {
      continue;  // no connection saw a ServerHello and no server sent one
    }
    // The known versions in order, then any other name a record used.
    std::vector<std::string_view> versions(std::begin(kRawVersions), std::end(kRawVersions));
    std::set<std::string> other_versions;
    std::set<int64_t> sizes;
    for (const HelloStats* s : {&g->hello, &g->connections.hello}) {
      for (const auto& [version, n] : s->versions) {
        if (std::find(versions.begin(), versions.end(), version) == versions.end()) {
          other_versions.insert(version);
        }
      }
      for (const auto& [bits, n] : s->dh_bits) sizes.insert(bits);
    }
    versions.insert(versions.end(), other_versions.begin(), other_versions.end());
    std::vector<HelloMeasure> measures = HelloMeasures(versions, kCipherClasses, true, true);
    for (int64_t bits : sizes) {
      measures.push_back({absl::StrCat("DHE ", bits, " bits"), [bits](const HelloStats& s) {
                            const auto it = s.dh_bits.find(bits);
                            return it == s.dh_bits.end() ? uint64_t{0} : it->second;
                          }});
    }
    const Counts servers = HelloCounts(g->hello, measures);
    const Counts connections = HelloCounts(g->connections.hello, measures);
    const std::vector<Population> pops = {{&servers, g->hello.hellos},
                                          {&connections, g->connections.hello.hellos}};
    const Counts all_servers = {{"", g->hello.hellos}};
    const Counts all_connections = {{"", g->connections.hello.hellos}};
    AppendPopulationRow(GroupCells(*g), "ServerHellos", "",
                        {{&all_servers, g->hello.hellos},
                         {&all_connections, g->connections.hello.hellos}},
                        &t);
    for (const HelloMeasure& m : measures) {
      // A version or class neither column has says nothing: left out.
      if (CountOf(servers, m.label) == 0 && CountOf(connections, m.label) == 0 &&
          m.label != "forward secrecy" && m.label != "without forward secrecy") {
        continue;
      }
      AppendPopulationRow(GroupCells(*g), m.label, m.label, pops, &t);
    }
  }
  return t;
}

// STARTTLS as servers offer it and as clients use it: the study's "97% of
// SUBMISSION connections upgraded" and "71% of clients that did not upgrade
// still sent plaintext credentials".
Table StartTlsConnectionTable(const std::vector<const GroupStats*>& groups) {
  Table t{"starttls_connections", "10. STARTTLS upgrade and plaintext credentials: servers and "
          "connections",
          "Servers: of those that answered (table 1), offering STARTTLS. Connections (tlsweep "
          "passive, STARTTLS ports): STARTTLS step seen: the server's listing before TLS or the "
          "client's STARTTLS was captured (connections picked up later are left out); offered: "
          "the listing named STARTTLS; upgraded: the client asked and the server said go ahead "
          "(shares of the seen ones). Not upgraded: seen and not upgraded; of those, the client "
          "authenticated in the clear, and sent plaintext credentials (AUTH PLAIN / LOGIN, IMAP "
          "LOGIN, POP3 USER/PASS), shares of the not upgraded.",
          {"protocol", "port", "servers answered", "servers offering STARTTLS",
           "% of servers answered", "connections", "STARTTLS step seen",
           "server offered STARTTLS", "% offered", "client asked", "upgraded", "% upgraded",
           "not upgraded", "authenticated in the clear", "plaintext credentials",
           "% plaintext credentials of not upgraded"},
          {}};
  for (const GroupStats* g : groups) {
    const ConnectionStats& c = g->connections;
    if (c.starttls_seen == 0) continue;
    const uint64_t not_upgraded = c.starttls_seen - c.upgraded;
    Row row = GroupCells(*g);
    if (g->records > 0) {
      row.push_back(Cell::Count(g->answered));
      row.push_back(Cell::Count(g->tls_or_starttls));
      row.push_back(Cell::Share(g->tls_or_starttls, g->answered));
    } else {
      row.insert(row.end(), 3, Cell::Missing());  // no server record of this port
    }
    row.push_back(Cell::Count(c.connections));
    row.push_back(Cell::Count(c.starttls_seen));
    row.push_back(Cell::Count(c.starttls_offered));
    row.push_back(Cell::Share(c.starttls_offered, c.starttls_seen));
    row.push_back(Cell::Count(c.starttls_attempted));
    row.push_back(Cell::Count(c.upgraded));
    row.push_back(Cell::Share(c.upgraded, c.starttls_seen));
    row.push_back(Cell::Count(not_upgraded));
    row.push_back(Cell::Count(c.not_upgraded_auth));
    row.push_back(Cell::Count(c.not_upgraded_plaintext_credentials));
    row.push_back(Cell::Share(c.not_upgraded_plaintext_credentials, not_upgraded));
    t.rows.push_back(std::move(row));
  }
  return t;
}

// What clients offered in their ClientHellos (passive records only: the
// active side's offers are tlsweep's own profiles).
Table ClientOfferTable(const std::vector<const GroupStats*>& groups) {
  Table t{"client_offers", "11. What clients offered (connections)",
          "Per port, the ClientHellos captured whole (tlsweep passive): connections whose client "
          "offered at least one suite of the class (the study's classes, by the suite registry "
          "of src/tls/tls_registry.cc; GREASE and unknown suites left out), and the highest "
          "version offered (supported_versions, else the ClientHello's version). Shares of "
          "those ClientHellos.",
          {"protocol", "port", "offer", "connections", "% of client hellos"},
          {}};
  for (const GroupStats* g : groups) {
    const ConnectionStats& c = g->connections;
    if (c.client_hellos == 0) continue;
    const std::vector<Population> classes = {{&c.client_classes, c.client_hellos}};
    for (std::string_view cls : kCipherClasses) {
      AppendPopulationRow(GroupCells(*g), "offers " + std::string(cls), cls, classes, &t);
    }
    const std::vector<Population> versions = {{&c.client_max_version, c.client_hellos}};
    for (const auto& [version, n] : ByCount(c.client_max_version)) {
      AppendPopulationRow(GroupCells(*g), absl::StrCat("highest version ", version), version,
                          versions, &t);
    }
  }
  return t;
}

// Charts -------------------------------------------------------------------

Chart ShareBars(const std::vector<const GroupStats*>& groups, std::string id, std::string title,
                std::string x_label, uint64_t (*num)(const GroupStats&),
                uint64_t (*den)(const GroupStats&)) {
  Chart c;
  c.kind = Chart::Kind::kShareBars;
  c.id = std::move(id);
  c.title = std::move(title);
  c.x_label = std::move(x_label);
  for (const GroupStats* g : groups) {
    if (den(*g) == 0) continue;
    c.labels.push_back(GroupLabel(*g));
    c.values.push_back(static_cast<double>(num(*g)) / static_cast<double>(den(*g)));
  }
  return c;
}

Chart DhHistogram(const std::vector<const GroupStats*>& groups) {
  Chart c;
  c.kind = Chart::Kind::kHistogram;
  c.id = "dh_sizes";
  c.title = "DHE prime sizes (server hellos, all ports)";
  c.x_label = "prime bits";
  std::map<int64_t, uint64_t> all;
  for (const GroupStats* g : groups) {
    for (const auto& [bits, n] : g->hello.dh_bits) all[bits] += n;
  }
  for (const auto& [bits, n] : all) {
    c.labels.push_back(absl::StrCat(bits));
    c.values.push_back(static_cast<double>(n));
  }
  return c;
}

Chart ReuseCdf(const std::vector<const GroupStats*>& groups) {
  Chart c;
  c.kind = Chart::Kind::kCdf;
  c.id = "key_reuse_cdf";
  c.title = "Key reuse: share of servers whose key is shared by at most x servers of its port";
  c.x_label = "servers presenting the same key (log scale)";
  std::map<uint64_t, uint64_t> servers_by_group_size;
  uint64_t total = 0;
  for (const GroupStats* g : groups) {
    for (const auto& [digest, n] : g->spki_hosts) {
      servers_by_group_size[n] += n;
      total += n;
    }
  }
  uint64_t cumulative = 0;
  for (const auto& [size, servers] : servers_by_group_size) {
    cumulative += servers;
    c.points.emplace_back(static_cast<double>(size),
                          static_cast<double>(cumulative) / static_cast<double>(total));
  }
  return c;
}

}  // namespace

Cell Cell::Text(std::string t) {
  Cell c;
  c.kind = Kind::kText;
  c.text = std::move(t);
  return c;
}

Cell Cell::Count(uint64_t n) {
  Cell c;
  c.kind = Kind::kCount;
  c.count = n;
  return c;
}

Cell Cell::Share(uint64_t n, uint64_t of) {
  if (of == 0) return Missing();
  Cell c;
  c.kind = Kind::kShare;
  c.count = n;
  c.denominator = of;
  return c;
}

Cell Cell::Missing() { return Cell(); }

std::string Cell::Plain() const {
  switch (kind) {
    case Kind::kText:
      return text;
    case Kind::kCount:
      return absl::StrCat(count);
    case Kind::kShare:
      return absl::StrFormat("%.2f", 100.0 * static_cast<double>(count) /
                                         static_cast<double>(denominator));
    case Kind::kMissing:
      return "-";
  }
  return "-";
}

std::string Cell::Display() const { return kind == Kind::kShare ? Plain() + "%" : Plain(); }

Report BuildReport(Aggregator& aggregator, const TargetCounts& targets, const ReportOptions& options) {
  // The servers' tables show the (port, protocol)s with servers; passive
  // records of a port no server record names add only connection tables.
  std::vector<const GroupStats*> groups;
  bool with_connections = false;
  for (const GroupStats* g : aggregator.Groups()) {
    if (g->records > 0) groups.push_back(g);
    with_connections = with_connections || g->connections.connections > 0;
  }
  const std::vector<const GroupStats*> all_groups = aggregator.Groups();
  Report r;
  uint64_t records = 0, duplicates = 0, lines = 0, connections = 0;
  std::array<uint64_t, kNumSkipReasons> skipped{};
  for (const FileStats& f : aggregator.files()) {
    records += f.records;
    duplicates += f.duplicates;
    lines += f.lines;
    connections += f.connections;
    for (int i = 0; i < kNumSkipReasons; ++i) skipped[i] += f.skipped[i];
  }
  const uint64_t skipped_total = skipped[0] + skipped[1] + skipped[2];
  r.summary.push_back(absl::StrCat(aggregator.files().size(), " input files, ", lines, " lines: ",
                                   records, " records counted, ", duplicates,
                                   " duplicates of a host and port, ", skipped_total,
                                   " lines skipped (", skipped[0], " not JSON, ", skipped[1],
                                   " truncated, ", skipped[2], " of another version)."));
  if (with_connections) {
    r.summary.push_back(absl::StrCat(connections, " passive records (observed connections): the "
                                     "connections columns."));
  }
  r.summary.push_back(targets.known ? "Targets from the scan metadata given with --metadata."
                                    : "No scan metadata given (--metadata): targets are \"-\".");
  r.summary.insert(r.summary.end(), targets.notes.begin(), targets.notes.end());

  r.tables.push_back(InputTable(aggregator.files(), with_connections));
  r.tables.push_back(OverviewTable(groups, targets));
  r.tables.push_back(VersionTable(groups));
  r.tables.push_back(CipherTable(groups));
  r.tables.push_back(SuiteTable(groups, options.top));
  r.tables.push_back(KeyExchangeTable(groups));
  r.tables.push_back(DhTable(groups));
  r.tables.push_back(RawProbeTable(groups));
  r.tables.push_back(RawDhTable(groups));
  r.tables.push_back(EnumerationTable(groups));
  r.tables.push_back(CertificateTable(groups));
  r.tables.push_back(KeyTypeTable(groups));
  r.tables.push_back(SignatureTable(groups));
  r.tables.push_back(ReuseTable(groups));
  r.tables.push_back(SharedKeyTable(groups, options.top));
  r.tables.push_back(SharedPrimeTable(groups, options.top));
  r.tables.push_back(LogjamTable(groups));
  r.tables.push_back(MechanismTable(with_connections ? all_groups : groups, with_connections));
  r.tables.push_back(PlaintextTable(groups));
  r.tables.push_back(CombinationTable(with_connections ? all_groups : groups,
                                      options.top_combinations, with_connections));
  if (with_connections) {
    r.tables.push_back(HelloComparisonTable(all_groups));
    r.tables.push_back(StartTlsConnectionTable(all_groups));
    r.tables.push_back(ClientOfferTable(all_groups));
  }

  r.charts.push_back(ShareBars(
      groups, "tls_offered", "TLS or STARTTLS offered", "share of servers that answered",
      [](const GroupStats& g) { return g.tls_or_starttls; }, [](const GroupStats& g) { return g.answered; }));
  r.charts.push_back(ShareBars(
      groups, "no_forward_secrecy", "Without forward secrecy", "share of server hellos",
      [](const GroupStats& g) { return g.hello.hellos - g.hello.forward_secrecy; },
      [](const GroupStats& g) { return g.hello.hellos; }));
  r.charts.push_back(ShareBars(
      groups, "verified_chains", "Certificate chains that verify", "share of chains",
      [](const GroupStats& g) { return g.trusted; }, [](const GroupStats& g) { return g.chains; }));
  r.charts.push_back(ShareBars(
      groups, "plaintext_before_tls", "Plaintext authentication offered before TLS",
      "share of servers with a listing before TLS",
      [](const GroupStats& g) { return g.plaintext_before_tls; },
      [](const GroupStats& g) { return g.plaintext_known; }));
  r.charts.push_back(DhHistogram(groups));
  r.charts.push_back(ShareBars(
      groups, "logjam", "Servers on a well-known DH prime of <= 1024 bits (raw probes)",
      "share of servers answering raw probes",
      [](const GroupStats& g) { return g.raw_weak_known_prime; },
      [](const GroupStats& g) { return g.raw_answered; }));
  r.charts.push_back(ShareBars(
      groups, "enumerated_rc4", "Servers accepting RC4 at any version (--enumerate)",
      "share of enumerated servers", [](const GroupStats& g) { return g.enumeration.rc4; },
      [](const GroupStats& g) { return g.enumeration.servers; }));
  r.charts.push_back(ReuseCdf(groups));
  if (with_connections) {
    r.charts.push_back(ShareBars(
        all_groups, "connections_upgraded", "Connections upgraded with STARTTLS (tlsweep passive)",
        "share of connections whose STARTTLS step was seen",
        [](const GroupStats& g) { return g.connections.upgraded; },
        [](const GroupStats& g) { return g.connections.starttls_seen; }));
  }
  return r;
}

}  // namespace tlsweep::report
