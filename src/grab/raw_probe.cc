// See raw_probe.h.
#include "grab/raw_probe.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "tls/raw_flight.h"

namespace tlsweep {
namespace {

constexpr std::string_view kPhaseFlight = "server-flight";
constexpr std::string_view kPhaseDone = "done";

GrabStatus VerdictStatus(FlightVerdict verdict) {
  switch (verdict) {
    case FlightVerdict::kServerHelloDone:
    case FlightVerdict::kTls13ServerHello:
    case FlightVerdict::kHelloRetryRequest:
    case FlightVerdict::kSslv2ServerHello:
      return GrabStatus::kSuccess;
    default:
      return GrabStatus::kTlsError;
  }
}

}  // namespace

RawProbeSession::RawProbeSession(std::unique_ptr<ProtocolModule> module,
                                 const ClientHelloProfile& profile, const TlsContext& tls,
                                 std::string server_name, const GrabTimeouts& timeouts,
                                 uint64_t now_ms)
    : module_(std::move(module)),
      profile_(profile),
      tls_(tls),
      server_name_(std::move(server_name)),
      timeouts_(timeouts),
      start_ms_(now_ms),
      deadline_ms_(now_ms + timeouts.connect_ms) {}

RawProbeSession::~RawProbeSession() = default;

void RawProbeSession::OnConnected(uint64_t now_ms) {
  if (done_) return;
  connected_ = true;
  deadline_ms_ = std::min(now_ms + timeouts_.phase_ms, start_ms_ + timeouts_.session_ms);
  if (module_->implicit_tls()) {
    SendClientHello(now_ms);
    return;
  }
  ModuleActions a;
  module_->OnConnected(&a);
  Apply(a, now_ms);
}

void RawProbeSession::OnConnectFailed(GrabStatus status, std::string error) {
  if (done_) return;
  status_ = status;
  error_ = std::move(error);
  done_ = true;
}

void RawProbeSession::OnBytes(std::string_view bytes, uint64_t now_ms) {
  if (done_) return;
  if (parser_ != nullptr) {
    Feed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    return;
  }
  ModuleActions a;
  module_->OnData(bytes, &a);
  Apply(a, now_ms);
}

void RawProbeSession::OnPeerClosed() {
  if (done_) return;
  done_ = true;
  if (parser_ != nullptr) {
    Settle(parser_->Finish());
    return;
  }
  if (!module_->done()) module_->OnPeerClosed();
  status_ = module_->status();
}

void RawProbeSession::Tick(uint64_t now_ms) {
  if (done_ || now_ms < deadline_ms_) return;
  done_ = true;
  if (!connected_) {
    status_ = GrabStatus::kConnectionTimeout;
    error_ = "connect: timed out";
  } else if (parser_ != nullptr) {
    status_ = GrabStatus::kIoTimeout;
    error_ = "server flight: timed out";
  } else {
    module_->OnTimeout();
    status_ = module_->status();
  }
}

void RawProbeSession::Apply(const ModuleActions& a, uint64_t now_ms) {
  out_ += a.send;
  if (!a.send.empty() || a.start_tls) {
    deadline_ms_ = std::min(now_ms + timeouts_.phase_ms, start_ms_ + timeouts_.session_ms);
  }
  if (a.start_tls) {
    SendClientHello(now_ms);
    return;
  }
  if (a.finished || module_->done()) {
    done_ = true;
    status_ = module_->status();
    // A module that ends its dialogue without the go-ahead has a reason
    // (no-starttls, starttls-refused, ...); "success" would claim a TLS
    // answer that never came.
    if (status_ == GrabStatus::kSuccess) {
      status_ = GrabStatus::kUnknownError;
      error_ = "the dialogue ended before STARTTLS";
    }
  }
}

void RawProbeSession::SendClientHello(uint64_t now_ms) {
  // Fresh randoms per connection: the server's choice must not depend on a
  // value it saw before. Nothing is derived from them (raw_probe.h).
  std::array<uint8_t, 32> random;
  std::array<uint8_t, 32> session_id;
  std::array<uint8_t, 32> x25519;
  if (RAND_bytes(random.data(), random.size()) != 1 ||
      RAND_bytes(session_id.data(), session_id.size()) != 1 ||
      RAND_bytes(x25519.data(), x25519.size()) != 1) {
    done_ = true;
    status_ = GrabStatus::kUnknownError;
    error_ = "RAND_bytes failed";
    return;
  }
  // TLS 1.3 offers send a 32-byte session id (RFC 8446 D.4, the
  // middlebox-compatible form every browser uses); older ones none.
  const std::span<const uint8_t> sid =
      profile_.supported_versions.empty() ? std::span<const uint8_t>()
                                          : std::span<const uint8_t>(session_id);
  ClientHelloInputs inputs{.server_name = server_name_,
                           .random = random,
                           .session_id = sid,
                           .x25519_share = x25519};
  std::vector<uint8_t> record(kMaxClientHelloRecord);
  const std::optional<size_t> size = BuildClientHello(profile_, inputs, record);
  if (!size) {
    done_ = true;
    status_ = GrabStatus::kUnknownError;
    error_ = absl::StrCat("profile ", profile_.name, ": no ClientHello could be built");
    return;
  }
  out_.append(reinterpret_cast<const char*>(record.data()), *size);
  parser_ = std::make_unique<ServerFlightParser>();
  deadline_ms_ = std::min(now_ms + timeouts_.phase_ms, start_ms_ + timeouts_.session_ms);
}

void RawProbeSession::Feed(std::span<const uint8_t> bytes) {
  const FlightVerdict verdict = parser_->Feed(bytes);
  if (verdict == FlightVerdict::kIncomplete) return;
  done_ = true;
  Settle(verdict);
}

void RawProbeSession::Settle(FlightVerdict verdict) {
  status_ = VerdictStatus(verdict);
  if (IsFlightError(verdict)) {
    error_ = absl::StrCat("server flight: ", std::string(FlightVerdictName(verdict)));
  }
}

RawProbeChoice RawProbeSession::Choice() const {
  RawProbeChoice c{.status = done_ ? status_ : GrabStatus::kUnknownError, .error = error_};
  if (parser_ == nullptr) return c;
  c.hello_sent = true;
  // The ServerHello alone answers "which suite": a flight that goes wrong
  // after it (a certificate that does not parse) still chose it.
  const ServerFlight& flight = parser_->flight();
  if (flight.has_server_hello) {
    c.server_hello = true;
    c.version = flight.server_hello.version;
    c.suite = flight.server_hello.cipher_suite;
  }
  if (flight.has_alert) c.alert = flight.alert_description;
  return c;
}

RawProbeResult RawProbeSession::Result() const {
  RawProbeResult r;
  r.profile = profile_.name;
  r.status = done_ ? status_ : GrabStatus::kUnknownError;
  r.error = error_;
  if (parser_ == nullptr) {
    r.phase = std::string(module_->phase());
    return r;
  }
  const FlightVerdict verdict = parser_->verdict();
  r.phase = std::string(verdict == FlightVerdict::kIncomplete ? kPhaseFlight : kPhaseDone);
  r.flight = std::string(FlightVerdictName(verdict));
  r.flight_bytes = parser_->bytes_consumed();
  RawFlightSummary summary =
      SummarizeServerFlight(parser_->flight(), tls_.ssl_ctx(), server_name_);
  r.negotiated = std::move(summary.negotiated);
  r.chain = std::move(summary.chain);
  r.validation = std::move(summary.validation);
  r.alert = std::move(summary.alert);
  return r;
}

}  // namespace tlsweep
