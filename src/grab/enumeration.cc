// See enumeration.h.
#include "grab/enumeration.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tls/tls_registry.h"

namespace tlsweep {
namespace {

// RFC 8446 6.2 / RFC 5246 7.2.2: protocol_version(70), the alert a server
// sends for a version it does not speak.
constexpr int kAlertProtocolVersion = 70;

// supported_groups: every elliptic curve of the IANA registry that servers
// of the last fifteen years pick (RFC 8422 and RFC 4492's secp curves,
// RFC 7027's brainpool, RFC 7748's x25519 and x448), most common first, so
// that an ECDHE suite is never refused for want of a shared curve. No FFDHE
// groups: with RFC 7919 offered, a server that has none of them in common
// refuses DHE suites it would otherwise choose.
constexpr uint16_t kGroups[] = {29, 23, 24, 25, 30, 26, 27, 28, 22, 21, 20, 19};

// signature_algorithms (TLS 1.2 and 1.3): RFC 8446's schemes and RFC 5246's
// (hash, signature) pairs down to MD5, so no certificate a server holds
// makes it refuse for want of a scheme.
constexpr uint16_t kSignatureAlgorithms[] = {
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808, 0x0809, 0x080A,
    0x080B, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602,
    0x0203, 0x0201, 0x0202, 0x0101, 0x0102, 0x0103};

std::vector<uint16_t> Candidates(uint16_t version) {
  std::vector<uint16_t> out;
  for (uint16_t id : SelectableCipherSuiteIds()) {
    const CipherSuiteInfo* suite = FindCipherSuite(id);
    const bool tls13_suite = suite != nullptr && suite->key_exchange == KeyExchange::kAny;
    if (tls13_suite == (version >= kTls13Version)) out.push_back(id);
  }
  return out;
}

bool Contains(const std::vector<uint16_t>& list, uint16_t value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

ClientHelloProfile EnumerationOffer(uint16_t version, std::vector<uint16_t> suites) {
  ClientHelloProfile p;
  p.name = "enumeration";
  p.source = "grab/enumeration.h";
  p.cipher_suites = std::move(suites);
  if (version <= kSsl3Version) {
    // SSL 3.0 has no extensions; some SSL 3.0 servers reject a hello with
    // an extensions block (tls/client_hello.h).
    p.record_version = p.client_version = kSsl3Version;
    p.server_name = false;
    return p;
  }
  p.record_version = kTls10Version;
  p.client_version = std::min(version, kTls12Version);
  p.groups.assign(std::begin(kGroups), std::end(kGroups));
  p.point_formats = {0};  // uncompressed
  p.renegotiation_info = true;
  if (version >= kTls12Version) {
    p.signature_algorithms.assign(std::begin(kSignatureAlgorithms),
                                  std::end(kSignatureAlgorithms));
  }
  if (version >= kTls13Version) {
    p.supported_versions = {kTls13Version};
    p.key_shares = {kGroupX25519, kGroupSecp256r1};
  }
  return p;
}

Enumerator::Enumerator(const EnumerationOptions& options) : options_(options) {
  if (options_.tls13) versions_.push_back(kTls13Version);
  versions_.insert(versions_.end(), {kTls12Version, kTls11Version, kTls10Version, kSsl3Version});
}

const ClientHelloProfile* Enumerator::Pending() {
  while (!done_ && !pending_) {
    if (!state_) {
      if (version_index_ == versions_.size()) {
        done_ = true;
        break;
      }
      const uint16_t version = versions_[version_index_];
      // Assigned, not emplace()d: clang 14 decides a nested struct with member
      // initialisers is not default-constructible inside its enclosing class.
      state_ = VersionState{};
      state_->out.version = version;
      state_->candidates = Candidates(version);
    }
    if (BuildOffer()) {
      if (result_.connections >= options_.budget) {
        Truncate("budget", "");
        break;
      }
      pending_ = true;
      break;
    }
    NextVersion();
  }
  return pending_ ? &offer_ : nullptr;
}

void Enumerator::NextVersion() {
  result_.versions.push_back(std::move(state_->out));
  state_.reset();
  ++version_index_;
}

bool Enumerator::BuildOffer() {
  VersionState& s = *state_;
  const uint16_t version = s.out.version;
  switch (s.phase) {
    case Phase::kDiscover: {
      std::vector<uint16_t> batch;
      while (s.batch * kEnumerationBatch < s.candidates.size()) {
        const size_t first = s.batch * kEnumerationBatch;
        const size_t last = std::min(first + kEnumerationBatch, s.candidates.size());
        for (size_t i = first; i < last; ++i) {
          if (!Contains(s.out.suites, s.candidates[i])) batch.push_back(s.candidates[i]);
        }
        if (!batch.empty()) {
          offer_ = EnumerationOffer(version, std::move(batch));
          return true;
        }
        ++s.batch;
      }
      EndDiscovery();
      return BuildOffer();
    }
    case Phase::kOrderAB:
      offer_ = EnumerationOffer(version, {s.out.suites[0], s.out.suites[1]});
      return true;
    case Phase::kOrderBA:
      offer_ = EnumerationOffer(version, {s.out.suites[1], s.out.suites[0]});
      return true;
    case Phase::kSort:
      if (s.unsorted.size() <= 1) {
        s.sorted.insert(s.sorted.end(), s.unsorted.begin(), s.unsorted.end());
        s.out.suites = std::move(s.sorted);
        s.phase = Phase::kDone;
        return false;
      }
      offer_ = EnumerationOffer(version, s.unsorted);
      return true;
    case Phase::kDone:
      return false;
  }
  return false;
}

void Enumerator::EndDiscovery() {
  VersionState& s = *state_;
  s.out.complete = true;
  s.phase = s.out.suites.size() >= 2 ? Phase::kOrderAB : Phase::kDone;
}

void Enumerator::Started(uint64_t now_ms) {
  if (result_.connections == 0) first_ms_ = now_ms;
  last_ms_ = now_ms;
  ++result_.connections;
}

void Enumerator::OnChoice(const RawProbeChoice& choice, uint64_t now_ms) {
  if (!pending_) return;
  pending_ = false;
  last_ms_ = std::max(last_ms_, now_ms);  // AbortAll() knows no time: 0
  // An answer of TLS: a ServerHello, an alert, a close after the hello. A
  // probe that never sent its hello (refused, the dialogue failed) or timed
  // out waiting says nothing about suites; asking again would spend the
  // server's connections on the same failure.
  if (!choice.hello_sent || (!choice.server_hello && choice.status != GrabStatus::kTlsError)) {
    std::string error(GrabStatusName(choice.status));
    if (!choice.error.empty()) error += ": " + std::string(choice.error);
    Truncate("probe-error", std::move(error));
    return;
  }
  VersionState& s = *state_;
  const uint16_t version = s.out.version;
  const bool accepted = choice.server_hello && choice.version == version &&
                        Contains(offer_.cipher_suites, choice.suite);
  switch (s.phase) {
    case Phase::kDiscover:
      if (accepted) {
        s.out.accepted = true;
        s.out.suites.push_back(choice.suite);
        if (!std::count(s.batches_found.begin(), s.batches_found.end(), s.batch)) {
          s.batches_found.push_back(s.batch);
        }
      } else if ((choice.server_hello && choice.version != version) ||
                 choice.alert == kAlertProtocolVersion) {
        // Not this version (enumeration.h); the suites found so far stay
        // (a server that changes its mind between hellos).
        EndDiscovery();
      } else {
        // Refused, or a suite that was not offered (a broken server):
        // the batch is over either way, so the loop always ends.
        ++s.batch;
      }
      break;
    case Phase::kOrderAB:
      if (accepted) {
        s.choice_ab = choice.suite;
        s.phase = Phase::kOrderBA;
      } else {
        s.phase = Phase::kDone;
      }
      break;
    case Phase::kOrderBA:
      if (!accepted) {
        s.phase = Phase::kDone;
        break;
      }
      s.out.server_order = choice.suite == s.choice_ab;
      // Within one batch the discovery's order is already the server's.
      if (*s.out.server_order && s.batches_found.size() > 1 &&
          s.out.suites.size() <= kEnumerationBatch) {
        s.phase = Phase::kSort;
        s.unsorted = s.out.suites;
      } else {
        s.phase = Phase::kDone;
      }
      break;
    case Phase::kSort:
      if (accepted) {
        s.sorted.push_back(choice.suite);
        s.unsorted.erase(std::find(s.unsorted.begin(), s.unsorted.end(), choice.suite));
      } else {
        // The order is unknown after all: keep the order found.
        s.out.server_order.reset();
        s.phase = Phase::kDone;
      }
      break;
    case Phase::kDone:
      break;
  }
}

void Enumerator::Truncate(std::string stopped, std::string error) {
  if (state_) {
    result_.versions.push_back(std::move(state_->out));
    state_.reset();
  }
  result_.truncated = true;
  result_.stopped = std::move(stopped);
  result_.error = std::move(error);
  done_ = true;
  pending_ = false;
}

void Enumerator::Stop(std::string_view reason) {
  if (!done_) Truncate(std::string(reason), "");
}

EnumerationResult Enumerator::Result() const {
  EnumerationResult r = result_;
  r.milliseconds = last_ms_ - first_ms_;
  return r;
}

}  // namespace tlsweep
