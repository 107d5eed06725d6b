// One grab: a protocol module and, when the module asks for it, a TLS client,
// joined into a byte-stream session that any transport can drive.
//
// Sans-I/O like its parts: GrabDriver (grab/grab_driver.h), over kernel
// sockets for `tlsweep grab` or tlsweep's userspace TCP for `tlsweep run`,
// reports connect, bytes and close, calls Tick() with the time, and sends
// whatever outgoing() holds. The session routes bytes through TLS once it
// is up, enforces the phase deadlines and produces one GrabResult when it
// is done (output/ writes it as a ZGrab2-style record); once done it
// ignores every further event, so the result is final from then on.
#ifndef TLSWEEP_GRAB_SESSION_H_
#define TLSWEEP_GRAB_SESSION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/net_types.h"
#include "proto/module.h"
#include "tls/tls_client.h"
#include "tls/tls_context.h"
#include "tls/tls_result.h"

namespace tlsweep {

// Deadlines, in milliseconds. ZGrab2's default connect timeout is 10 s; a
// responsive mail server answers each command well within 10 s, and a whole
// dialogue (two capability listings and a handshake) within 30 s, so a
// server slower than that is recorded as io-timeout rather than waited for.
struct GrabTimeouts {
  uint64_t connect_ms = 10'000;
  uint64_t phase_ms = 10'000;    // banner, each reply, the TLS handshake
  uint64_t session_ms = 30'000;  // the whole grab
};

// One probe as its record shows it (grab/raw_probe.h runs it; output/record_json.h
// writes it into the grab record's "raw_probes" list).
struct RawProbeResult {
  std::string profile;
  // success: a ServerHello (or HelloRetryRequest, or an SSLv2 SERVER-HELLO)
  // was read; tls-error: an alert or a flight that does not parse; else the
  // dialogue's or the transport's status as for the grab itself.
  GrabStatus status = GrabStatus::kUnknownError;
  // Where the probe stopped: the module's phase before the ClientHello,
  // "server-flight" while reading the answer, "done" after a verdict.
  std::string phase;
  // The flight parser's verdict (FlightVerdictName); "" when no ClientHello
  // was sent.
  std::string flight;
  std::optional<TlsNegotiated> negotiated;
  std::vector<CertificateInfo> chain;  // TLS <= 1.2 and SSLv2, as sent
  // The chain verified as the full handshake's (tls/raw_flight.h); absent
  // when the leaf could not be decoded.
  std::optional<CertificateValidation> validation;
  std::optional<TlsAlert> alert;
  uint64_t flight_bytes = 0;  // bytes of the server's flight read
  std::string error;          // "" unless the probe failed
};

// One protocol version of a suite enumeration (grab/enumeration.h).
struct EnumeratedVersion {
  uint16_t version = 0;  // 0x0300 (SSLv3) .. 0x0304 (TLS 1.3)
  // The server answered a ServerHello of this version to an offer of it.
  bool accepted = false;
  // The suites it chose at this version. With server_order true, in the
  // server's order of preference; otherwise in the order they were found
  // (registry order, as offered).
  std::vector<uint16_t> suites;
  // The server chose the same suite from two accepted suites offered in
  // both orders; nullopt: fewer than two suites, or the test was not run
  // to its end (budget, a probe error).
  std::optional<bool> server_order;
  // Every batch of this version was offered until the server refused it.
  bool complete = false;
};

// A suite enumeration's result (grab/enumeration.h), in the record's
// result.enumeration.
struct EnumerationResult {
  // In the order probed: TLS 1.3 (when enabled), TLS 1.2, 1.1, 1.0, SSLv3;
  // versions not reached (budget, error) are left out.
  std::vector<EnumeratedVersion> versions;
  uint32_t connections = 0;  // probes started, each its own connection
  uint64_t milliseconds = 0; // from the first probe's start to the last's end
  // Stopped before every version was done: "budget" (the per-host budget
  // ran out), "probe-error" (a probe ended without a TLS answer: timeout,
  // refused, the dialogue failed; `error` says which) or "aborted".
  bool truncated = false;
  std::string stopped;  // "" when complete
  std::string error;    // the failed probe's status and reason
};

// One grab as its record shows it.
struct GrabResult {
  Ipv4Address ip;
  uint16_t port = 0;
  std::string domain;    // the name sent as SNI and checked ("" = none)
  std::string protocol;  // the module's registered name
  GrabStatus status = GrabStatus::kUnknownError;
  std::string timestamp;  // RFC 3339, when the grab started
  std::string phase;      // where the module's dialogue stood
  std::optional<ModuleResult> module;  // set once TCP connected
  std::optional<TlsResult> tls;        // set once a TLS session was started
  std::string error;  // the transport's or the TLS session's reason ("" = none)
  // One per --raw-probes profile that ran (grab/raw_probe.h), in order.
  std::vector<RawProbeResult> raw_probes;
  // --enumerate: the server's versions and suites (grab/enumeration.h).
  std::optional<EnumerationResult> enumeration;
};

class GrabSession {
 public:
  GrabSession(std::unique_ptr<ProtocolModule> module, const TlsContext& tls,
              std::string server_name, Ipv4Address ip, uint16_t port,
              const GrabTimeouts& timeouts, uint64_t now_ms);

  // Transport events.
  void OnConnected(uint64_t now_ms);
  // Refused, timed out or unreachable; `error` is the system's reason.
  void OnConnectFailed(GrabStatus status, std::string error);
  void OnBytes(std::string_view bytes, uint64_t now_ms);
  void OnPeerClosed();
  // Expires deadlines; call at least once per second, or at next_deadline_ms().
  void Tick(uint64_t now_ms);

  // Bytes for the transport to send; it removes what it sent.
  std::string& outgoing() { return out_; }
  // The session is over: send outgoing(), then close.
  bool done() const { return done_; }
  bool connected() const { return connected_; }
  // A TLS session was started: the dialogue got as far as the handshake.
  bool tls_started() const { return tls_ != nullptr; }
  uint64_t next_deadline_ms() const { return deadline_ms_; }
  GrabStatus status() const;

  // What the grab learned so far (complete once done()).
  GrabResult Result() const;

 private:
  void Apply(const ModuleActions& a, uint64_t now_ms);
  void StartTls(uint64_t now_ms);
  void PumpTls(uint64_t now_ms);

  std::unique_ptr<ProtocolModule> module_;
  const TlsContext& tls_context_;
  std::string server_name_;
  Ipv4Address ip_;
  uint16_t port_;
  GrabTimeouts timeouts_;
  uint64_t start_ms_;
  uint64_t deadline_ms_;
  std::unique_ptr<TlsClient> tls_;
  bool connected_ = false;
  bool tls_reported_ = false;  // OnTlsEstablished/Failed delivered
  bool done_ = false;
  GrabStatus transport_status_ = GrabStatus::kUnknownError;
  std::string error_;
  std::string out_;
  std::string timestamp_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_SESSION_H_
