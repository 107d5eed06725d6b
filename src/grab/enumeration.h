// Version and cipher-suite enumeration of one server (--enumerate): which
// protocol versions it accepts and, per version, every IANA-registered
// suite it accepts and whether it imposes its own order.
//
// The method is testssl.sh's (run_cipher_per_proto / the "remove the chosen
// suite and ask again" loop): offer the registry's selectable suites
// (tls/tls_registry.h SelectableCipherSuiteIds, the whole IANA registry but
// the SCSVs) in batches of at most kEnumerationBatch, and while the server
// answers with a ServerHello take its choice out of the batch and offer the
// rest again; a refusal (an alert, a close) ends the batch. A version is
// accepted when the server answers a ServerHello of that version; a
// ServerHello of a lower version or a protocol_version alert ends the
// version at once (RFC 5246 E.1: a server answers with the highest version
// it supports up to the client's, so it has no suite at the higher one).
// The order: two accepted suites offered in both orders; the same choice
// both times means the server imposes its order (one that follows the
// client's chooses the first each time). When it does and its suites were
// found in more than one batch, the accepted suites are offered together,
// the chosen one removed each time, to read its order across batches.
//
// Each offer is one raw probe (grab/raw_probe.h): its own connection with
// the protocol's dialogue up to STARTTLS, run by the grab driver
// (grab/grab_driver.h) after the grab's raw probes, one at a time, at most
// EnumerationOptions::budget of them per server and spaced per address by
// the scheduler (grab/scheduler.h). Sans-I/O: the driver asks for the next
// offer and hands back the server's choice.
//
// Cost (the lab's GnuTLS servers, bench/RESULTS.md 12.enum14): a server
// with one suite at one version takes 8 connections; per accepted version
// about (accepted suites + 3 refused batches + 2 order probes), plus the
// accepted suites again when the order is read across batches.
#ifndef TLSWEEP_GRAB_ENUMERATION_H_
#define TLSWEEP_GRAB_ENUMERATION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grab/raw_probe.h"
#include "grab/session.h"
#include "tls/client_hello.h"

namespace tlsweep {

// testssl.sh offers at most 128 suites per ClientHello: some servers reject
// or hang on longer lists (testssl.sh's comment on its "bundles of 128").
inline constexpr size_t kEnumerationBatch = 128;

struct EnumerationOptions {
  bool enabled = false;
  // Connections per server (address and port), the probes of all versions
  // together. By the method's count (not measured: the lab has no such
  // server), one with a default OpenSSL 3 build's ~30 TLS 1.2 suites spread
  // over the three batches and its 3 TLS 1.3 suites needs about 75 (30 + 3
  // refusals + 2 order + 29 to sort at TLS 1.2, 3 + 1 + 2 at TLS 1.3, one
  // for each other version); TLS 1.0 and 1.1 with ~20 suites each add about
  // 45 each. 200 covers such a server with margin and stops one that
  // accepts everything offered (up to 350 suites per version) early: the
  // record then says truncated, stopped "budget".
  uint32_t budget = 200;
  // Least time between two enumeration connections to one address: 4 a
  // second, so the ~160 connections of a full enumeration take ~40 s, the
  // same order as testssl.sh's ~130 s per host (issue 14) whose connections
  // follow each other back to back; never two at once (one probe at a time
  // per grab, and the per-address spacing across the address's ports).
  uint64_t interval_ms = 250;
  bool tls13 = true;  // also enumerate TLS 1.3 (supported_versions)
};

class Enumerator {
 public:
  explicit Enumerator(const EnumerationOptions& options);

  // The next offer to make, or null when the enumeration is over (done()).
  // The same offer until OnChoice() or Stop(); it lives until then.
  const ClientHelloProfile* Pending();
  // The pending offer's connection is starting now: counts it against the
  // budget.
  void Started(uint64_t now_ms);
  // The server's answer to the pending offer (its probe is done).
  void OnChoice(const RawProbeChoice& choice, uint64_t now_ms);
  // Ends the enumeration early ("aborted": the grab was abandoned).
  void Stop(std::string_view reason);

  bool done() const { return done_; }
  uint32_t connections() const { return result_.connections; }
  // Allocates: once, when the record is written.
  EnumerationResult Result() const;

 private:
  enum class Phase : uint8_t { kDiscover, kOrderAB, kOrderBA, kSort, kDone };
  struct VersionState {
    EnumeratedVersion out;
    std::vector<uint16_t> candidates;  // this version's offerable suites, registry order
    size_t batch = 0;                  // index of the current batch
    Phase phase = Phase::kDiscover;
    std::vector<size_t> batches_found;  // batches that gave a suite (distinct)
    uint16_t choice_ab = 0;             // the choice from (a, b)
    std::vector<uint16_t> unsorted;     // kSort: accepted suites not yet placed
    std::vector<uint16_t> sorted;       // kSort: in the server's order
  };

  // Moves to the next version (or done) after the current one ended.
  void NextVersion();
  // Fills offer_ for the current state; false when the version is over.
  bool BuildOffer();
  void EndDiscovery();
  void Truncate(std::string stopped, std::string error);

  EnumerationOptions options_;
  std::vector<uint16_t> versions_;  // to enumerate, in order
  size_t version_index_ = 0;
  std::optional<VersionState> state_;
  ClientHelloProfile offer_;
  bool pending_ = false;
  bool done_ = false;
  uint64_t first_ms_ = 0;
  uint64_t last_ms_ = 0;
  EnumerationResult result_;
};

// The ClientHello an enumeration sends at `version` with `suites`: the
// extensions a client of that version sends (tls/client_hello.h), every
// common elliptic curve so no ECDHE suite is refused for want of a shared
// curve, and no extension at all at SSL 3.0.
ClientHelloProfile EnumerationOffer(uint16_t version, std::vector<uint16_t> suites);

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_ENUMERATION_H_
