// tlsweep report: exact counts on a hand-made fixture (tests/report/testdata),
// shard merging, bad lines, metadata, and the three renderings.
//
// The fixture, by group (every record's scan answer is a SYN-ACK):
//   smtp/25: .1 ECDHE/AEAD trusted (SPKI 11..), .2 RSA/RC4 self-signed (SPKI
//     11.., PLAIN LOGIN before TLS), .3 RSA/CBC TLS 1.0 expired + name
//     mismatch (RSA 1024, sha1), .4 DHE 1024 then tls-error, .5 no STARTTLS
//     (LOGIN before TLS), .6 not grabbed, .7 protocol-error, .8 (shard b)
//     connection-closed; shard b repeats .1 as io-timeout (a duplicate).
//   imap/143: LOGINDISABLED / PLAIN before TLS + DHE 2048 + unknown issuer /
//     STARTTLS refused. imaps/993: one TLS 1.3, one tls-error before
//     ServerHello. smtps/465: a legacy-profile 3DES TLS 1.0 and a modern TLS
//     1.3. submission/587 (shard b): 13 servers, 10 sharing SPKI 33.. and one
//     certificate, 3 sharing SPKI 44..; after TLS 2x "PLAIN, LOGIN" ... a
//     long tail and one without AUTH. xmpp/5222: application-error.
//   2525: a not_grabbed record on a port no record names a protocol for.
//   Raw probes (shard a): smtp .1 thunderbird31 ECDHE/AEAD TLS 1.2, java7
//     DHE 1024 on RFC 2409 group 2; .2 thunderbird31 RSA/RC4 TLS 1.0, java7
//     a handshake_failure alert; .4 both DHE 1024 on one unnamed prime
//     (ab..: counted once); imap .2 thunderbird31 DHE 2048 on ffdhe2048.
//   Enumerations (shard a, smtp): .1 TLS 1.3 and 1.2 (AEAD, 3DES last);
//     .2 SSLv3 to TLS 1.2 in its own order with RC4 first (EXPORT at TLS
//     1.0); .3 truncated by its budget inside TLS 1.0 (AES, RC4; the
//     client's order: RC4 accepted, not preferred).
//   bad_lines.jsonl: a pop3 record, then not JSON, a record of version 2, a
//     ZMap line, a blank line and a truncated last line.
//   passive.jsonl (tlsweep passive records, one per connection):
//     submission/587: (1) PLAIN,LOGIN, upgraded, client offers AEAD + RC4
//     up to TLS 1.3 (GREASE too), server TLS 1.2 ECDHE AEAD; (2) PLAIN,LOGIN,
//     upgraded, client AEAD TLS 1.2, server DHE 1024 CBC; (3) LOGIN,PLAIN,
//     upgraded, ClientHello incomplete, no ServerHello; (4) LOGIN,PLAIN,
//     STARTTLS offered but not used, AUTH PLAIN in the clear; (5) no AUTH
//     and no STARTTLS listed, AUTH CRAM-MD5 (no plaintext credentials);
//     (6) picked up mid-stream, nothing seen. smtp/25: (7) PLAIN,LOGIN,
//     upgraded, client 3DES + CBC TLS 1.0, server TLS 1.0 RSA 3DES; (8) no
//     AUTH, no STARTTLS. imaps/993: (9) TLS 1.3 both sides. pop3s/995 (no
//     server record): (10) client RC4 TLS 1.1, server TLS 1.1 RSA RC4.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "app/report_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report/aggregate.h"
#include "report/metadata.h"
#include "report/render.h"
#include "report/tables.h"

namespace tlsweep::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

using Strings = std::vector<std::vector<std::string>>;

std::string Data(const std::string& name) { return std::string(TLSWEEP_TEST_DATA) + "/" + name; }

std::string Basename(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// Header and rows as displayed (Markdown / HTML text); input file names as
// base names.
Strings Displayed(const Table& t) {
  Strings out = {t.columns};
  for (const std::vector<Cell>& row : t.rows) {
    std::vector<std::string> cells;
    for (const Cell& c : row) cells.push_back(c.Display());
    if (t.id == "input") cells[0] = Basename(cells[0]);
    out.push_back(cells);
  }
  return out;
}

const Table& Find(const Report& r, const std::string& id) {
  for (const Table& t : r.tables) {
    if (t.id == id) return t;
  }
  ADD_FAILURE() << "no table " << id;
  static const Table kEmpty;
  return kEmpty;
}

const Chart& FindChart(const Report& r, const std::string& id) {
  for (const Chart& c : r.charts) {
    if (c.id == id) return c;
  }
  ADD_FAILURE() << "no chart " << id;
  static const Chart kEmpty;
  return kEmpty;
}

std::string ReadAll(std::FILE* f) {
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  return out;
}

// The fixture's report: both shards, the bad lines, both shards' metadata.
Report FixtureReport(std::FILE* errors = nullptr) {
  Aggregator aggregator(errors);
  for (const char* name : {"shard_a.jsonl", "shard_b.jsonl", "bad_lines.jsonl"}) {
    EXPECT_TRUE(aggregator.AddFile(Data(name)).ok()) << name;
  }
  auto targets = ReadTargetCounts({Data("meta_shard0.json"), Data("meta_shard1.json")});
  EXPECT_TRUE(targets.ok()) << targets.status();
  ReportOptions options;
  options.top = 3;
  return BuildReport(aggregator, *targets, options);
}

// Every table of the fixture's report, cell by cell (hand-counted from the
// records listed at the top of this file).
const std::map<std::string, Strings>& ExpectedTables() {
  static const auto* const kTables = new std::map<std::string, Strings>{
    {"input",
     {
         {"file", "lines", "records", "duplicates", "skipped: not JSON", "skipped: truncated last line", "skipped: other version"},
         {"shard_a.jsonl", "16", "16", "0", "0", "0", "0"},
         {"shard_b.jsonl", "15", "14", "1", "0", "0", "0"},
         {"bad_lines.jsonl", "5", "1", "0", "1", "1", "2"},
     }},
    {"overview",
     {
         {"protocol", "port", "TLS mode", "targets", "open", "answered", "TLS / STARTTLS offered", "offered % of answered", "STARTTLS accepted", "handshake completed", "completed % of answered", "status: success", "status: connection-closed", "status: protocol-error", "status: application-error", "status: starttls-refused", "status: no-starttls", "status: tls-error", "status: not-grabbed"},
         {"smtp", "25", "STARTTLS", "256", "8", "5", "4", "80.00%", "4", "3", "60.00%", "3", "1", "1", "0", "0", "1", "1", "1"},
         {"pop3", "110", "STARTTLS", "-", "1", "1", "0", "0.00%", "0", "0", "0.00%", "0", "0", "0", "0", "0", "1", "0", "0"},
         {"imap", "143", "STARTTLS", "256", "3", "3", "3", "100.00%", "2", "2", "66.67%", "2", "0", "0", "0", "1", "0", "0", "0"},
         {"smtps", "465", "implicit TLS", "256", "2", "2", "2", "100.00%", "-", "2", "100.00%", "2", "0", "0", "0", "0", "0", "0", "0"},
         {"submission", "587", "STARTTLS", "256", "13", "13", "13", "100.00%", "13", "13", "100.00%", "13", "0", "0", "0", "0", "0", "0", "0"},
         {"imaps", "993", "implicit TLS", "256", "2", "2", "1", "50.00%", "-", "1", "50.00%", "1", "0", "0", "0", "0", "0", "1", "0"},
         {"-", "2525", "-", "-", "1", "0", "0", "-", "-", "0", "-", "0", "0", "0", "0", "0", "0", "0", "1"},
         {"xmpp", "5222", "STARTTLS", "256", "1", "0", "0", "-", "0", "0", "-", "0", "0", "0", "1", "0", "0", "0", "0"},
     }},
    {"versions",
     {
         {"protocol", "port", "profile", "version", "server hellos", "% of profile"},
         {"smtp", "25", "modern", "TLSv1.2", "3", "75.00%"},
         {"smtp", "25", "modern", "TLSv1.0", "1", "25.00%"},
         {"imap", "143", "modern", "TLSv1.2", "2", "100.00%"},
         {"smtps", "465", "legacy", "TLSv1.0", "1", "100.00%"},
         {"smtps", "465", "modern", "TLSv1.3", "1", "100.00%"},
         {"submission", "587", "modern", "TLSv1.3", "13", "100.00%"},
         {"imaps", "993", "modern", "TLSv1.3", "1", "100.00%"},
     }},
    {"ciphers",
     {
         {"protocol", "port", "server hellos", "AEAD %", "CBC %", "RC4 %", "3DES %", "NULL %", "EXPORT %", "forward secrecy %", "without forward secrecy %"},
         {"smtp", "25", "4", "25.00%", "50.00%", "25.00%", "0.00%", "0.00%", "0.00%", "50.00%", "50.00%"},
         {"pop3", "110", "0", "-", "-", "-", "-", "-", "-", "-", "-"},
         {"imap", "143", "2", "100.00%", "0.00%", "0.00%", "0.00%", "0.00%", "0.00%", "100.00%", "0.00%"},
         {"smtps", "465", "2", "50.00%", "0.00%", "0.00%", "50.00%", "0.00%", "0.00%", "50.00%", "50.00%"},
         {"submission", "587", "13", "100.00%", "0.00%", "0.00%", "0.00%", "0.00%", "0.00%", "100.00%", "0.00%"},
         {"imaps", "993", "1", "100.00%", "0.00%", "0.00%", "0.00%", "0.00%", "0.00%", "100.00%", "0.00%"},
         {"-", "2525", "0", "-", "-", "-", "-", "-", "-", "-", "-"},
         {"xmpp", "5222", "0", "-", "-", "-", "-", "-", "-", "-", "-"},
     }},
    {"cipher_suites",
     {
         {"protocol", "port", "cipher suite", "server hellos", "% of server hellos"},
         {"smtp", "25", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "1", "25.00%"},
         {"smtp", "25", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "1", "25.00%"},
         {"smtp", "25", "TLS_RSA_WITH_AES_128_CBC_SHA", "1", "25.00%"},
         {"smtp", "25", "other 1 suites", "1", "25.00%"},
         {"imap", "143", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "1", "50.00%"},
         {"imap", "143", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "1", "50.00%"},
         {"smtps", "465", "TLS_AES_128_GCM_SHA256", "1", "50.00%"},
         {"smtps", "465", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "1", "50.00%"},
         {"submission", "587", "TLS_AES_128_GCM_SHA256", "13", "100.00%"},
         {"imaps", "993", "TLS_AES_256_GCM_SHA384", "1", "100.00%"},
     }},
    // shard_b spells x25519 as records did before groups had their IANA
    // names (X25519) on some lines: one row all the same.
    {"key_exchange",
     {
         {"protocol", "port", "key exchange", "group or prime size", "server hellos", "% of server hellos"},
         {"smtp", "25", "RSA", "-", "2", "50.00%"},
         {"smtp", "25", "DHE", "1024 bits", "1", "25.00%"},
         {"smtp", "25", "ECDHE", "x25519", "1", "25.00%"},
         {"imap", "143", "DHE", "2048 bits", "1", "50.00%"},
         {"imap", "143", "ECDHE", "secp384r1", "1", "50.00%"},
         {"smtps", "465", "RSA", "-", "1", "50.00%"},
         {"smtps", "465", "TLS1.3", "x25519", "1", "50.00%"},
         {"submission", "587", "TLS1.3", "x25519", "13", "100.00%"},
         {"imaps", "993", "TLS1.3", "x25519", "1", "100.00%"},
     }},
    {"dh_sizes",
     {
         {"protocol", "port", "DHE server hellos", "at or below 1024 bits", "% at or below 1024", "smallest bits", "largest bits"},
         {"smtp", "25", "1", "1", "100.00%", "1024", "1024"},
         {"imap", "143", "1", "0", "0.00%", "2048", "2048"},
     }},
    {"raw_probes",
     {
         {"protocol", "port", "profile", "probes", "server hellos", "alerts", "% SSLv2", "% SSLv3", "% TLSv1", "% TLSv1.1", "% TLSv1.2", "% TLSv1.3", "% RC4", "% 3DES", "% EXPORT", "% NULL", "% forward secrecy", "% DHE", "% DHE <= 1024 bits"},
         {"smtp", "25", "java7", "3", "2", "1", "0.00%", "0.00%", "100.00%", "0.00%", "0.00%", "0.00%", "0.00%", "0.00%", "0.00%", "0.00%", "100.00%", "100.00%", "100.00%"},
         {"smtp", "25", "thunderbird31", "3", "3", "0", "0.00%", "0.00%", "33.33%", "0.00%", "66.67%", "0.00%", "33.33%", "0.00%", "0.00%", "0.00%", "66.67%", "33.33%", "33.33%"},
         {"imap", "143", "thunderbird31", "1", "1", "0", "0.00%", "0.00%", "0.00%", "0.00%", "100.00%", "0.00%", "0.00%", "0.00%", "0.00%", "0.00%", "100.00%", "100.00%", "0.00%"},
     }},
    {"raw_probe_dh_sizes",
     {
         {"protocol", "port", "profile", "prime bits", "server hellos", "% of DHE"},
         {"smtp", "25", "java7", "1024", "2", "100.00%"},
         {"smtp", "25", "thunderbird31", "1024", "1", "100.00%"},
         {"imap", "143", "thunderbird31", "2048", "1", "100.00%"},
     }},
    {"enumeration",
     {
         {"protocol", "port", "servers", "truncated", "% SSLv3", "% TLSv1", "% TLSv1.1", "% TLSv1.2", "% TLSv1.3", "% RC4", "% RC4 preferred", "% EXPORT", "% 3DES"},
         {"smtp", "25", "3", "1", "33.33%", "66.67%", "33.33%", "66.67%", "33.33%", "66.67%", "33.33%", "33.33%", "33.33%"},
     }},
    {"certificates",
     {
         {"protocol", "port", "chains", "verifies", "verifies %", "self-signed", "self-signed %", "expired", "expired %", "name mismatch", "name mismatch %", "name not checked", "other errors", "other errors %"},
         {"smtp", "25", "3", "1", "33.33%", "1", "33.33%", "1", "33.33%", "1", "33.33%", "2", "0", "0.00%"},
         {"imap", "143", "2", "1", "50.00%", "0", "0.00%", "0", "0.00%", "0", "0.00%", "2", "1", "50.00%"},
         {"smtps", "465", "2", "2", "100.00%", "0", "0.00%", "0", "0.00%", "1", "50.00%", "0", "0", "0.00%"},
         {"submission", "587", "13", "13", "100.00%", "0", "0.00%", "0", "0.00%", "0", "0.00%", "0", "0", "0.00%"},
         {"imaps", "993", "1", "1", "100.00%", "0", "0.00%", "0", "0.00%", "0", "0.00%", "1", "0", "0.00%"},
     }},
    {"certificate_keys",
     {
         {"protocol", "port", "key type", "bits", "servers", "% of chains"},
         {"smtp", "25", "RSA", "2048", "2", "66.67%"},
         {"smtp", "25", "RSA", "1024", "1", "33.33%"},
         {"imap", "143", "RSA", "2048", "2", "100.00%"},
         {"smtps", "465", "EC", "256", "1", "50.00%"},
         {"smtps", "465", "RSA", "2048", "1", "50.00%"},
         {"submission", "587", "RSA", "2048", "13", "100.00%"},
         {"imaps", "993", "RSA", "2048", "1", "100.00%"},
     }},
    {"certificate_signatures",
     {
         {"protocol", "port", "signature algorithm", "servers", "% of chains"},
         {"smtp", "25", "sha256WithRSAEncryption", "2", "66.67%"},
         {"smtp", "25", "sha1WithRSAEncryption", "1", "33.33%"},
         {"imap", "143", "sha256WithRSAEncryption", "2", "100.00%"},
         {"smtps", "465", "ecdsa-with-SHA256", "1", "50.00%"},
         {"smtps", "465", "sha256WithRSAEncryption", "1", "50.00%"},
         {"submission", "587", "sha256WithRSAEncryption", "13", "100.00%"},
         {"imaps", "993", "sha256WithRSAEncryption", "1", "100.00%"},
     }},
    {"key_reuse",
     {
         {"protocol", "port", "chains", "distinct keys", "servers sharing their key", "sharing key %", "largest key group", "distinct certificates", "servers sharing their certificate", "sharing certificate %", "largest certificate group"},
         {"smtp", "25", "3", "2", "2", "66.67%", "2", "3", "0", "0.00%", "1"},
         {"imap", "143", "2", "2", "0", "0.00%", "1", "2", "0", "0.00%", "1"},
         {"smtps", "465", "2", "2", "0", "0.00%", "1", "2", "0", "0.00%", "1"},
         {"submission", "587", "13", "2", "13", "100.00%", "10", "4", "10", "76.92%", "10"},
         {"imaps", "993", "1", "1", "0", "0.00%", "1", "1", "0", "0.00%", "1"},
     }},
    {"shared_keys",
     {
         {"protocol", "port", "rank", "SPKI SHA-256", "servers", "% of chains"},
         {"smtp", "25", "1", "1111111111111111111111111111111111111111111111111111111111111111", "2", "66.67%"},
         {"submission", "587", "1", "3333333333333333333333333333333333333333333333333333333333333333", "10", "76.92%"},
         {"submission", "587", "2", "4444444444444444444444444444444444444444444444444444444444444444", "3", "23.08%"},
     }},
    {"shared_dh_primes",
     {
         {"protocol", "port", "prime sha256", "bits", "name", "servers", "% of DHE servers"},
         {"smtp", "25", "3f35a3f5f6c4376a744acad409bb22f8d897f949d2311d885adaa890981b67a0", "1024", "RFC 2409 group 2 (1024-bit MODP)", "1", "50.00%"},
         {"smtp", "25", "abababababababababababababababababababababababababababababababab", "1024", "-", "1", "50.00%"},
         {"imap", "143", "9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966", "2048", "RFC 7919 ffdhe2048", "1", "100.00%"},
     }},
    {"logjam",
     {
         {"protocol", "port", "servers answering raw probes", "DHE servers", "on a well-known prime <= 1024 bits", "% of answering", "% of DHE servers"},
         {"smtp", "25", "3", "2", "1", "33.33%", "50.00%"},
         {"imap", "143", "1", "1", "0", "0.00%", "0.00%"},
     }},
    {"auth_mechanisms",
     {
         {"protocol", "port", "side", "mechanism", "servers", "listings", "% of listings"},
         {"smtp", "25", "before TLS", "LOGIN", "2", "5", "40.00%"},
         {"smtp", "25", "before TLS", "PLAIN", "1", "5", "20.00%"},
         {"smtp", "25", "after TLS", "LOGIN", "2", "3", "66.67%"},
         {"smtp", "25", "after TLS", "PLAIN", "2", "3", "66.67%"},
         {"imap", "143", "before TLS", "PLAIN", "1", "3", "33.33%"},
         {"imap", "143", "after TLS", "PLAIN", "2", "2", "100.00%"},
         {"smtps", "465", "after TLS", "LOGIN", "2", "2", "100.00%"},
         {"submission", "587", "after TLS", "PLAIN", "8", "13", "61.54%"},
         {"submission", "587", "after TLS", "LOGIN", "7", "13", "53.85%"},
         {"submission", "587", "after TLS", "CRAM-MD5", "3", "13", "23.08%"},
         {"submission", "587", "after TLS", "DIGEST-MD5", "1", "13", "7.69%"},
         {"submission", "587", "after TLS", "GSSAPI", "1", "13", "7.69%"},
         {"submission", "587", "after TLS", "NTLM", "1", "13", "7.69%"},
         {"submission", "587", "after TLS", "XAOL-UAS-MB", "1", "13", "7.69%"},
         {"imaps", "993", "after TLS", "PLAIN", "1", "1", "100.00%"},
     }},
    {"plaintext_auth",
     {
         {"protocol", "port", "listings before TLS", "plaintext before TLS", "plaintext before TLS %", "IMAP listings", "LOGINDISABLED", "LOGINDISABLED %"},
         {"smtp", "25", "5", "2", "40.00%", "-", "-", "-"},
         {"pop3", "110", "1", "1", "100.00%", "-", "-", "-"},
         {"imap", "143", "3", "2", "66.67%", "3", "1", "33.33%"},
         {"submission", "587", "13", "0", "0.00%", "-", "-", "-"},
         {"imaps", "993", "0", "0", "-", "1", "0", "0.00%"},
     }},
    {"auth_combinations",
     {
         {"protocol", "port", "side", "mechanisms (in the order offered)", "servers", "% of listings"},
         {"smtp", "25", "before TLS", "LOGIN", "1", "20.00%"},
         {"smtp", "25", "before TLS", "PLAIN, LOGIN", "1", "20.00%"},
         {"smtp", "25", "before TLS", "none offered", "3", "60.00%"},
         {"smtp", "25", "after TLS", "PLAIN, LOGIN", "2", "66.67%"},
         {"smtp", "25", "after TLS", "none offered", "1", "33.33%"},
         {"pop3", "110", "before TLS", "none offered", "1", "100.00%"},
         {"imap", "143", "before TLS", "PLAIN", "1", "33.33%"},
         {"imap", "143", "before TLS", "none offered", "2", "66.67%"},
         {"imap", "143", "after TLS", "PLAIN", "2", "100.00%"},
         {"smtps", "465", "after TLS", "LOGIN", "2", "100.00%"},
         {"submission", "587", "before TLS", "none offered", "13", "100.00%"},
         {"submission", "587", "after TLS", "PLAIN, LOGIN", "3", "23.08%"},
         {"submission", "587", "after TLS", "LOGIN, PLAIN", "2", "15.38%"},
         {"submission", "587", "after TLS", "CRAM-MD5", "1", "7.69%"},
         {"submission", "587", "after TLS", "DIGEST-MD5, CRAM-MD5", "1", "7.69%"},
         {"submission", "587", "after TLS", "GSSAPI", "1", "7.69%"},
         {"submission", "587", "after TLS", "LOGIN, PLAIN, CRAM-MD5", "1", "7.69%"},
         {"submission", "587", "after TLS", "other 3 combinations", "3", "23.08%"},
         {"submission", "587", "after TLS", "none offered", "1", "7.69%"},
         {"imaps", "993", "after TLS", "PLAIN", "1", "100.00%"},
     }},
  };
  return *kTables;
}

TEST(ReportTest, EveryTableHasTheHandCountedNumbers) {
  const Report r = FixtureReport();
  ASSERT_EQ(r.tables.size(), ExpectedTables().size());
  for (const Table& t : r.tables) {
    const auto it = ExpectedTables().find(t.id);
    ASSERT_NE(it, ExpectedTables().end()) << t.id;
    EXPECT_EQ(Displayed(t), it->second) << "table " << t.id;
  }
}

TEST(ReportTest, SummaryCountsRecordsDuplicatesAndSkippedLines) {
  const Report r = FixtureReport();
  EXPECT_EQ(r.summary[0],
            "3 input files, 36 lines: 31 records counted, 1 duplicates of a host and port, 4 "
            "lines skipped (1 not JSON, 1 truncated, 2 of another version).");
  EXPECT_EQ(r.summary[1], "Targets from the scan metadata given with --metadata.");
  EXPECT_EQ(r.summary.size(), 2u);  // both shards' metadata: no caveat
}

TEST(ReportTest, SharesKeepTheirNumeratorAndDenominator) {
  const Report r = FixtureReport();
  const Table& t = Find(r, "auth_combinations");
  // submission/587 after TLS, "other 3 combinations": 3 of 13 listings.
  const auto row = std::find_if(t.rows.begin(), t.rows.end(), [](const std::vector<Cell>& cells) {
    return cells[1].text == "587" && cells[3].text == "other 3 combinations";
  });
  ASSERT_NE(row, t.rows.end());
  EXPECT_EQ((*row)[5].count, 3u);
  EXPECT_EQ((*row)[5].denominator, 13u);
  EXPECT_EQ((*row)[5].Plain(), "23.08");
}

TEST(ReportTest, ChartsHoldTheDhHistogramAndTheReuseCdf) {
  const Report r = FixtureReport();
  const Chart& dh = FindChart(r, "dh_sizes");
  EXPECT_THAT(dh.labels, ElementsAre("1024", "2048"));
  EXPECT_THAT(dh.values, ElementsAre(1.0, 1.0));
  // Servers by the size of their key's group, per port: 6 keys of one
  // server, 2 servers sharing one key (smtp), 3 and 10 (submission).
  const Chart& cdf = FindChart(r, "key_reuse_cdf");
  ASSERT_EQ(cdf.points.size(), 4u);
  EXPECT_THAT(cdf.points[0], Pair(1.0, 6.0 / 21));
  EXPECT_THAT(cdf.points[1], Pair(2.0, 8.0 / 21));
  EXPECT_THAT(cdf.points[2], Pair(3.0, 11.0 / 21));
  EXPECT_THAT(cdf.points[3], Pair(10.0, 1.0));
  const Chart& offered = FindChart(r, "tls_offered");
  // Shares of the servers that answered: -/2525 (never grabbed) and
  // xmpp/5222 (a stream error) answered nothing.
  EXPECT_THAT(offered.labels, ElementsAre("smtp/25", "pop3/110", "imap/143", "smtps/465",
                                          "submission/587", "imaps/993"));
  EXPECT_DOUBLE_EQ(offered.values[0], 0.8);
  // Logjam: of the servers answering raw probes, those on a well-known
  // prime of <= 1024 bits.
  const Chart& logjam = FindChart(r, "logjam");
  EXPECT_THAT(logjam.labels, ElementsAre("smtp/25", "imap/143"));
  EXPECT_THAT(logjam.values, ElementsAre(1.0 / 3, 0.0));
}

TEST(ReportTest, TwoShardsEqualTheirConcatenation) {
  const std::string joined = ::testing::TempDir() + "/report_joined.jsonl";
  {
    std::ofstream out(joined, std::ios::binary);
    for (const char* name : {"shard_a.jsonl", "shard_b.jsonl"}) {
      std::ifstream in(Data(name), std::ios::binary);
      out << in.rdbuf();
    }
  }
  const TargetCounts no_targets;
  Aggregator shards(nullptr);
  ASSERT_TRUE(shards.AddFile(Data("shard_a.jsonl")).ok());
  ASSERT_TRUE(shards.AddFile(Data("shard_b.jsonl")).ok());
  Aggregator one(nullptr);
  ASSERT_TRUE(one.AddFile(joined).ok());
  const Report a = BuildReport(shards, no_targets, {});
  const Report b = BuildReport(one, no_targets, {});
  ASSERT_EQ(a.tables.size(), b.tables.size());
  for (size_t i = 0; i < a.tables.size(); ++i) {
    if (a.tables[i].id == "input") continue;  // names the files
    EXPECT_EQ(Displayed(a.tables[i]), Displayed(b.tables[i])) << a.tables[i].id;
  }
  EXPECT_EQ(one.files()[0].duplicates, 1u);
  EXPECT_EQ(one.files()[0].records, 30u);
}

TEST(ReportTest, BadLinesAreReportedWithFileAndLineAndSkipped) {
  std::FILE* errors = std::tmpfile();
  ASSERT_NE(errors, nullptr);
  Aggregator aggregator(errors);
  ASSERT_TRUE(aggregator.AddFile(Data("bad_lines.jsonl")).ok());
  const std::string messages = ReadAll(errors);
  std::fclose(errors);
  const std::string file = Data("bad_lines.jsonl");
  EXPECT_THAT(messages, HasSubstr(file + ":2: not JSON: "));
  EXPECT_THAT(messages, HasSubstr(file + ":3: record of another version: \"tlsweep_record_version\" is not 1"));
  EXPECT_THAT(messages, HasSubstr(file + ":4: record of another version: no \"ip\""));
  EXPECT_THAT(messages, HasSubstr(file + ":6: truncated last line: "));
  EXPECT_EQ(std::count(messages.begin(), messages.end(), '\n'), 4);  // the blank line 5 is no error
  const FileStats& stats = aggregator.files()[0];
  EXPECT_EQ(stats.lines, 5u);
  EXPECT_EQ(stats.records, 1u);
  EXPECT_EQ(stats.skipped[static_cast<int>(SkipReason::kNotJson)], 1u);
  EXPECT_EQ(stats.skipped[static_cast<int>(SkipReason::kTruncated)], 1u);
  EXPECT_EQ(stats.skipped[static_cast<int>(SkipReason::kOtherVersion)], 2u);
}

TEST(ReportTest, RecordShapesOtherThanVersionOneAreOtherVersions) {
  const std::string path = ::testing::TempDir() + "/report_shapes.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out << R"({"ip":"10.1.0.1","port":25,"not_grabbed":"queue-full","data":{}})" << "\n"  // both
        << R"({"ip":"10.1.0.2","port":25})" << "\n"                                       // neither
        << R"({"ip":"::1","port":25,"not_grabbed":"queue-full"})" << "\n"
        << R"({"ip":"10.1.0.3","port":"25","not_grabbed":"queue-full"})" << "\n"
        << R"({"ip":"10.1.0.4","port":70000,"not_grabbed":"queue-full"})" << "\n"
        << R"({"ip":"10.1.0.5","port":25,"data":{"smtp":{"status":"success"},"imap":{}}})" << "\n"
        << R"([1,2,3])" << "\n"
        << R"({"ip":"10.1.0.6","port":25,"not_grabbed":"queue-full"} {"x":1})" << "\n"  // not JSON
        << R"({"ip":"10.1.0.7","port":25,"not_grabbed":"queue-full","tlsweep_record_version":1})"
        << "\r\n";  // CRLF, explicit version 1: counted
  }
  Aggregator aggregator(nullptr);
  ASSERT_TRUE(aggregator.AddFile(path).ok());
  const FileStats& stats = aggregator.files()[0];
  EXPECT_EQ(stats.records, 1u);
  EXPECT_EQ(stats.skipped[static_cast<int>(SkipReason::kOtherVersion)], 7u);
  EXPECT_EQ(stats.skipped[static_cast<int>(SkipReason::kNotJson)], 1u);
}

// Both shards with the passive records of passive.jsonl beside them.
Report FixtureWithConnections() {
  Aggregator aggregator(nullptr);
  for (const char* name : {"shard_a.jsonl", "shard_b.jsonl", "passive.jsonl"}) {
    EXPECT_TRUE(aggregator.AddFile(Data(name)).ok()) << name;
  }
  return BuildReport(aggregator, TargetCounts(), ReportOptions());
}

Strings RowsOf(const Table& t, const std::string& port, const std::string& side = "") {
  Strings out;
  for (const std::vector<std::string>& row : Displayed(t)) {
    if (row[1] == port && (side.empty() || row[2] == side)) out.push_back(row);
  }
  return out;
}

TEST(ReportConnectionsTest, MechanismCombinationsHaveAConnectionsColumnBesideServers) {
  const Report r = FixtureWithConnections();
  const Table& t = Find(r, "auth_combinations");
  EXPECT_THAT(t.columns, ElementsAre("protocol", "port", "side", "mechanisms (in the order offered)",
                                     "servers", "% of listings", "connections",
                                     "% of connection listings"));
  // 587 before TLS: 13 servers listed none; connections 1-5 had a listing.
  EXPECT_EQ(RowsOf(t, "587", "before TLS"),
            (Strings{{"submission", "587", "before TLS", "LOGIN, PLAIN", "0", "0.00%", "2", "40.00%"},
                     {"submission", "587", "before TLS", "PLAIN, LOGIN", "0", "0.00%", "2", "40.00%"},
                     {"submission", "587", "before TLS", "none offered", "13", "100.00%", "1", "20.00%"}}));
  // After TLS the observer sees nothing: no connection column values.
  for (const auto& row : RowsOf(t, "587", "after TLS")) {
    EXPECT_EQ(row[6], "-");
    EXPECT_EQ(row[7], "-");
  }
  EXPECT_EQ(RowsOf(t, "25", "before TLS"),
            (Strings{{"smtp", "25", "before TLS", "PLAIN, LOGIN", "1", "20.00%", "1", "50.00%"},
                     {"smtp", "25", "before TLS", "LOGIN", "1", "20.00%", "0", "0.00%"},
                     {"smtp", "25", "before TLS", "none offered", "3", "60.00%", "1", "50.00%"}}));
}

TEST(ReportConnectionsTest, StartTlsUpgradeAndPlaintextCredentials) {
  const Report r = FixtureWithConnections();
  EXPECT_EQ(Displayed(Find(r, "starttls_connections")),
            (Strings{{"protocol", "port", "servers answered", "servers offering STARTTLS",
                      "% of servers answered", "connections", "STARTTLS step seen",
                      "server offered STARTTLS", "% offered", "client asked", "upgraded",
                      "% upgraded", "not upgraded", "authenticated in the clear",
                      "plaintext credentials", "% plaintext credentials of not upgraded"},
                     {"smtp", "25", "5", "4", "80.00%", "2", "2", "1", "50.00%", "1", "1", "50.00%",
                      "1", "0", "0", "0.00%"},
                     {"submission", "587", "13", "13", "100.00%", "6", "5", "4", "80.00%", "3", "3",
                      "60.00%", "2", "2", "1", "50.00%"}}));
}

// A connection joined mid-dialogue (tlsweep passive's picked_up_midstream)
// that shows a STARTTLS command but no listing before it: whether the
// server offered STARTTLS is unknown, so the STARTTLS step is not counted
// as seen; the connection still counts.
TEST(ReportConnectionsTest, MidstreamPickupsAreLeftOutOfTheStartTlsStep) {
  const std::string path = ::testing::TempDir() + "/report_midstream.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    for (const char* pickup : {"", R"("picked_up_midstream":true,"midstream_pickup":"plaintext-dialogue",)"}) {
      out << R"({"ip":"10.0.5.2","port":587,"client_ip":"10.9.0.1","client_port":40001,)"
          << R"("protocol":"submission","timestamp":"2026-01-02T03:04:01.000000Z",)"
          << R"("end_timestamp":"2026-01-02T03:04:01.500000Z","flow_end":"fin","syn_seen":false,)"
          << R"("result":{"implicit_tls":false,)" << pickup
          << R"("starttls":{"offered":false,"attempted":true,"accepted":true},"tls_started":true}})"
          << "\n";
    }
  }
  Aggregator aggregator(nullptr);
  ASSERT_TRUE(aggregator.AddFile(path).ok());
  const Report r = BuildReport(aggregator, TargetCounts(), ReportOptions());
  // connections 2, STARTTLS step seen 1 (the one from the start), offered 0.
  const Strings rows = RowsOf(Find(r, "starttls_connections"), "587");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::vector<std::string>(rows[0].begin() + 5, rows[0].begin() + 11),
            (std::vector<std::string>{"2", "1", "0", "0.00%", "1", "1"}));
}

TEST(ReportConnectionsTest, VersionsClassesAndDhSizesOfServersBesideConnections) {
  const Report r = FixtureWithConnections();
  const Table& t = Find(r, "tls_connections");
  EXPECT_EQ(RowsOf(t, "587"),
            (Strings{{"submission", "587", "ServerHellos", "13", "100.00%", "2", "100.00%"},
                     {"submission", "587", "TLSv1.2", "0", "0.00%", "2", "100.00%"},
                     {"submission", "587", "TLSv1.3", "13", "100.00%", "0", "0.00%"},
                     {"submission", "587", "AEAD", "13", "100.00%", "1", "50.00%"},
                     {"submission", "587", "CBC", "0", "0.00%", "1", "50.00%"},
                     {"submission", "587", "forward secrecy", "13", "100.00%", "2", "100.00%"},
                     {"submission", "587", "without forward secrecy", "0", "0.00%", "0", "0.00%"},
                     {"submission", "587", "DHE", "0", "0.00%", "1", "50.00%"},
                     {"submission", "587", "DHE <= 1024 bits", "0", "0.00%", "1", "50.00%"},
                     {"submission", "587", "DHE 1024 bits", "0", "0.00%", "1", "50.00%"}}));
  // The fixture's hand-made "TLSv1.0" is not an OpenSSL name: listed after
  // the known ones rather than dropped.
  EXPECT_EQ(RowsOf(t, "25"),
            (Strings{{"smtp", "25", "ServerHellos", "4", "100.00%", "1", "100.00%"},
                     {"smtp", "25", "TLSv1", "0", "0.00%", "1", "100.00%"},
                     {"smtp", "25", "TLSv1.2", "3", "75.00%", "0", "0.00%"},
                     {"smtp", "25", "TLSv1.0", "1", "25.00%", "0", "0.00%"},
                     {"smtp", "25", "AEAD", "1", "25.00%", "0", "0.00%"},
                     {"smtp", "25", "CBC", "2", "50.00%", "0", "0.00%"},
                     {"smtp", "25", "RC4", "1", "25.00%", "0", "0.00%"},
                     {"smtp", "25", "3DES", "0", "0.00%", "1", "100.00%"},
                     {"smtp", "25", "forward secrecy", "2", "50.00%", "0", "0.00%"},
                     {"smtp", "25", "without forward secrecy", "2", "50.00%", "1", "100.00%"},
                     {"smtp", "25", "DHE", "1", "25.00%", "0", "0.00%"},
                     {"smtp", "25", "DHE <= 1024 bits", "1", "25.00%", "0", "0.00%"},
                     {"smtp", "25", "DHE 1024 bits", "1", "25.00%", "0", "0.00%"}}));
  // A port only the capture saw: servers "-".
  EXPECT_EQ(RowsOf(t, "995"),
            (Strings{{"pop3s", "995", "ServerHellos", "-", "-", "1", "100.00%"},
                     {"pop3s", "995", "TLSv1.1", "-", "-", "1", "100.00%"},
                     {"pop3s", "995", "RC4", "-", "-", "1", "100.00%"},
                     {"pop3s", "995", "forward secrecy", "-", "-", "0", "0.00%"},
                     {"pop3s", "995", "without forward secrecy", "-", "-", "1", "100.00%"}}));
  EXPECT_TRUE(RowsOf(t, "143").empty());  // no connection on 143
}

TEST(ReportConnectionsTest, ClientOffers) {
  const Report r = FixtureWithConnections();
  const Table& t = Find(r, "client_offers");
  // Connection 3's ClientHello was incomplete: 2 of 587's count.
  EXPECT_EQ(RowsOf(t, "587"),
            (Strings{{"submission", "587", "offers AEAD", "2", "100.00%"},
                     {"submission", "587", "offers CBC", "0", "0.00%"},
                     {"submission", "587", "offers RC4", "1", "50.00%"},
                     {"submission", "587", "offers 3DES", "0", "0.00%"},
                     {"submission", "587", "offers NULL", "0", "0.00%"},
                     {"submission", "587", "offers EXPORT", "0", "0.00%"},
                     {"submission", "587", "highest version TLSv1.2", "1", "50.00%"},
                     {"submission", "587", "highest version TLSv1.3", "1", "50.00%"}}));
  const Strings smtp = RowsOf(t, "25");
  ASSERT_EQ(smtp.size(), 7u);
  EXPECT_EQ(smtp[1], (std::vector<std::string>{"smtp", "25", "offers CBC", "1", "100.00%"}));
  EXPECT_EQ(smtp[3], (std::vector<std::string>{"smtp", "25", "offers 3DES", "1", "100.00%"}));
  EXPECT_EQ(smtp[6], (std::vector<std::string>{"smtp", "25", "highest version TLSv1", "1", "100.00%"}));
  EXPECT_EQ(RowsOf(t, "995")[2], (std::vector<std::string>{"pop3s", "995", "offers RC4", "1", "100.00%"}));
}

// The study's Table VII (one mechanism at a time) gets the same
// connections columns as its Table XIII (combinations).
TEST(ReportConnectionsTest, MechanismsHaveAConnectionsColumnBesideServers) {
  const Report r = FixtureWithConnections();
  const Table& t = Find(r, "auth_mechanisms");
  EXPECT_THAT(t.columns, ElementsAre("protocol", "port", "side", "mechanism", "servers", "listings",
                                     "% of listings", "connections", "connection listings",
                                     "% of connection listings"));
  // 587 before TLS: 13 servers listed no mechanism; 4 of the 5 connection
  // listings named each of LOGIN and PLAIN (in either order).
  EXPECT_EQ(RowsOf(t, "587", "before TLS"),
            (Strings{{"submission", "587", "before TLS", "LOGIN", "0", "13", "0.00%", "4", "5", "80.00%"},
                     {"submission", "587", "before TLS", "PLAIN", "0", "13", "0.00%", "4", "5", "80.00%"}}));
  EXPECT_EQ(RowsOf(t, "25", "before TLS"),
            (Strings{{"smtp", "25", "before TLS", "LOGIN", "2", "5", "40.00%", "1", "2", "50.00%"},
                     {"smtp", "25", "before TLS", "PLAIN", "1", "5", "20.00%", "1", "2", "50.00%"}}));
  // After TLS the observer sees nothing.
  const Strings after = RowsOf(t, "587", "after TLS");
  ASSERT_EQ(after.size(), 7u);
  EXPECT_EQ(after[0], (std::vector<std::string>{"submission", "587", "after TLS", "PLAIN", "8", "13",
                                                "61.54%", "-", "-", "-"}));
}

TEST(ReportConnectionsTest, ServerTablesAreUnchangedByConnections) {
  Aggregator servers_only(nullptr);
  for (const char* name : {"shard_a.jsonl", "shard_b.jsonl"}) {
    ASSERT_TRUE(servers_only.AddFile(Data(name)).ok());
  }
  const Report without = BuildReport(servers_only, TargetCounts(), ReportOptions());
  const Report with = FixtureWithConnections();
  for (const Table& t : without.tables) {
    if (t.id == "input" || t.id == "auth_combinations") continue;
    if (t.id == "auth_mechanisms") {
      // The servers' columns are unchanged; the connections' follow them
      // (connection-only rows have none: "-").
      Strings servers_part;
      for (const std::vector<std::string>& row : Displayed(Find(with, t.id))) {
        if (row[4] != "-" && row[4] != "0") servers_part.emplace_back(row.begin(), row.begin() + 7);
      }
      EXPECT_EQ(servers_part, Displayed(t)) << t.id;
      continue;
    }
    EXPECT_EQ(Displayed(Find(with, t.id)), Displayed(t)) << t.id;
  }
  // The connection tables exist only with passive records.
  for (const char* id : {"tls_connections", "starttls_connections", "client_offers"}) {
    EXPECT_TRUE(std::none_of(without.tables.begin(), without.tables.end(),
                             [&](const Table& t) { return t.id == id; }));
  }
  const Table& input = Find(with, "input");
  EXPECT_EQ(input.columns.back(), "connections");
  EXPECT_EQ(Displayed(input)[3], (std::vector<std::string>{"passive.jsonl", "10", "0", "0", "0", "0",
                                                           "0", "10"}));
  // The same connections read twice count twice (they are not servers).
  Aggregator twice(nullptr);
  ASSERT_TRUE(twice.AddFile(Data("passive.jsonl")).ok());
  ASSERT_TRUE(twice.AddFile(Data("passive.jsonl")).ok());
  const Report doubled = BuildReport(twice, TargetCounts(), ReportOptions());
  EXPECT_EQ(RowsOf(Find(doubled, "starttls_connections"), "587")[0][5], "12");
}

TEST(ReportConnectionsTest, UpgradeChartOnlyWithConnections) {
  const Report r = FixtureWithConnections();
  const Chart& c = FindChart(r, "connections_upgraded");
  EXPECT_THAT(c.labels, ElementsAre("smtp/25", "submission/587"));
  EXPECT_THAT(c.values, ElementsAre(0.5, 0.6));
  EXPECT_EQ(FixtureReport().charts.size() + 1, r.charts.size());
}

TEST(ReportConnectionsTest, PassiveShapesOtherThanVersionOneAreOtherVersions) {
  const std::string path = ::testing::TempDir() + "/report_passive_shapes.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out << R"({"ip":"10.1.0.1","port":25,"client_ip":"x","result":{}})" << "\n"  // no protocol
        << R"({"ip":"10.1.0.1","port":25,"client_ip":"x","protocol":"smtp"})" << "\n"  // no result
        << R"({"ip":"10.1.0.1","port":25,"client_ip":"x","protocol":"smtp","result":{},)"
        << R"("not_grabbed":"queue-full"})" << "\n"
        << R"({"ip":"10.1.0.1","port":25,"protocol":"smtp","result":{}})" << "\n"  // no client
        << R"({"ip":"10.1.0.1","port":25,"client_ip":"x","protocol":"smtp","result":{"tls":)"
        << R"({"client_hello":{"parse":"ok","cipher_suites":[70000]}}}})" << "\n"
        // Fields the report does not know (another helper's JA4, XMPP
        // stream) are skipped by their structure: counted.
        << R"({"ip":"10.1.0.1","port":25,"client_ip":"x","protocol":"smtp","ja4":"t13d",)"
        << R"("result":{"stream":{"id":"1"},"tls":{"client_hello":{"parse":"ok","ja4":"t13d",)"
        << R"("cipher_suites":[5]}}}})" << "\n";
  }
  Aggregator aggregator(nullptr);
  ASSERT_TRUE(aggregator.AddFile(path).ok());
  const FileStats& stats = aggregator.files()[0];
  EXPECT_EQ(stats.connections, 1u);
  EXPECT_EQ(stats.records, 0u);
  EXPECT_EQ(stats.skipped[static_cast<int>(SkipReason::kOtherVersion)], 5u);
  const Report r = BuildReport(aggregator, TargetCounts(), ReportOptions());
  EXPECT_EQ(RowsOf(Find(r, "client_offers"), "25")[2],
            (std::vector<std::string>{"smtp", "25", "offers RC4", "1", "100.00%"}));
}

TEST(ReportTest, LinesLongerThanTheReadBufferAreParsed) {
  // A banner of 9 MiB: more than twice the reader's initial 4 MiB buffer.
  const std::string path = ::testing::TempDir() + "/report_long.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out << R"({"ip":"10.2.0.1","port":25,"data":{"smtp":{"status":"success","result":{"banner":")"
        << std::string(9 << 20, 'x') << R"("}}}})" << "\n"
        << R"({"ip":"10.2.0.2","port":25,"not_grabbed":"queue-full"})";  // no final newline: fine
  }
  Aggregator aggregator(nullptr);
  ASSERT_TRUE(aggregator.AddFile(path).ok());
  EXPECT_EQ(aggregator.files()[0].records, 2u);
  EXPECT_EQ(aggregator.files()[0].skipped_total(), 0u);
}

TEST(ReportTest, UnreadableInputIsAnErrorNamingIt) {
  Aggregator aggregator(nullptr);
  const absl::Status s = aggregator.AddFile("/nonexistent/records.jsonl");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("/nonexistent/records.jsonl"));
}

TEST(ReportTest, MetadataOfOneShardOfTwoSaysSo) {
  auto one = ReadTargetCounts({Data("meta_shard0.json")});
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->known);
  EXPECT_THAT(one->per_port, ElementsAre(Pair(25, 256u), Pair(143, 256u), Pair(465, 256u),
                                         Pair(587, 256u), Pair(993, 256u), Pair(5222, 256u)));
  ASSERT_EQ(one->notes.size(), 1u);
  EXPECT_THAT(one->notes[0], HasSubstr("metadata of 1 of 2 shards given"));
  // A file that is not metadata (a result file) is an error naming it.
  const auto bad = ReadTargetCounts({Data("bad_lines.jsonl")});
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("bad_lines.jsonl"));
  EXPECT_FALSE(ReadTargetCounts({"/nonexistent/meta.json"}).ok());
}

TEST(ReportTest, HtmlIsSelfContainedWithOneSvgPerChart) {
  const Report r = FixtureReport();
  const std::string html = RenderHtml(r);
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  size_t svgs = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++svgs;
  EXPECT_EQ(svgs, r.charts.size());
  EXPECT_EQ(r.charts.size(), 8u);
  // The enumeration's RC4 chart: one bar, smtp/25's 2 of 3 enumerated
  // servers (the "enumeration" table's % RC4).
  const auto rc4 = std::find_if(r.charts.begin(), r.charts.end(),
                                [](const Chart& c) { return c.id == "enumerated_rc4"; });
  ASSERT_NE(rc4, r.charts.end());
  ASSERT_EQ(rc4->values.size(), 1u);
  EXPECT_DOUBLE_EQ(rc4->values[0], 2.0 / 3.0);
  EXPECT_THAT(html, HasSubstr("<td>other 3 combinations</td>"));
  EXPECT_THAT(html, HasSubstr("<polyline"));  // the CDF

  // No records at all: still one (empty) chart per chart.
  Aggregator empty(nullptr);
  const Report nothing = BuildReport(empty, TargetCounts(), {});
  const std::string page = RenderHtml(nothing);
  svgs = 0;
  for (size_t at = page.find("<svg"); at != std::string::npos; at = page.find("<svg", at + 1)) ++svgs;
  EXPECT_EQ(svgs, nothing.charts.size());
  EXPECT_THAT(page, HasSubstr("no data"));
}

TEST(ReportTest, MarkdownAndCsvShowTheSameCells) {
  const Report r = FixtureReport();
  const std::string md = RenderMarkdown(r);
  EXPECT_THAT(md, HasSubstr("## 8. Mechanism combinations, in the order offered"));
  EXPECT_THAT(md, HasSubstr("| submission | 587 | after TLS | other 3 combinations | 3 | 23.08% |\n"));
  const std::string csv = RenderCsv(Find(r, "overview"));
  EXPECT_THAT(csv, HasSubstr("protocol,port,TLS mode,targets,open,answered,TLS / STARTTLS offered,"));
  EXPECT_THAT(csv, HasSubstr("\r\nsmtp,25,STARTTLS,256,8,5,4,80.00,4,3,60.00,3,1,1,0,0,1,1,1\r\n"));
  EXPECT_THAT(RenderCsv(Find(r, "auth_combinations")), HasSubstr(",\"PLAIN, LOGIN\",3,23.08\r\n"));
}

TEST(ReportTest, CsvFilesOnePerTable) {
  const Report r = FixtureReport();
  const std::string dir = ::testing::TempDir() + "/report_csv/nested";
  ASSERT_TRUE(WriteCsvFiles(r, dir).ok());
  for (const Table& t : r.tables) {
    std::ifstream in(dir + "/" + t.id + ".csv");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), RenderCsv(t)) << t.id;
  }
}

TEST(ReportCommandTest, BadFlagExitsTwoAndBadInputExitsOne) {
  EXPECT_EQ(ReportCommand({"--no-such-flag", Data("shard_a.jsonl")}), 2);
  EXPECT_EQ(ReportCommand({"--top", "zero", Data("shard_a.jsonl")}), 2);
  EXPECT_EQ(ReportCommand({}), 2);
  EXPECT_EQ(ReportCommand({"-q", "/nonexistent/records.jsonl"}), 1);
  EXPECT_EQ(ReportCommand({"-q", "--metadata", "/nonexistent/meta.json", Data("shard_a.jsonl")}), 1);
}

}  // namespace
}  // namespace tlsweep::report
