// One raw ClientHello probe: its own connection that repeats the protocol's
// dialogue up to STARTTLS (nothing on implicit-TLS ports), sends a
// ClientHello built by the handshake codec from a profile (tls/
// client_hello.h), reads the server's first flight (tls/server_flight.h),
// records the server's choice and ends without finishing the handshake.
//
// Why a connection of its own per profile: a server answers one ClientHello
// per connection, and the OpenSSL handshake of the grab itself must stay as
// it is (its after-TLS dialogue needs a finished handshake). Debian's
// OpenSSL 3 cannot offer RC4, 3DES, EXPORT or SSLv3, so without these
// probes those columns of the study's tables could only read 0%.
//
// Sans-I/O like GrabSession (session.h), with the same events and the same
// deadlines (GrabTimeouts: connect, each phase, the whole probe), so the
// grab driver runs it over either transport. Memory: the flight parser's
// buffer (FlightLimits::max_flight_bytes, allocated when the ClientHello is
// sent and freed with the probe), the ClientHello record and the module.
#ifndef TLSWEEP_GRAB_RAW_PROBE_H_
#define TLSWEEP_GRAB_RAW_PROBE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grab/session.h"
#include "proto/module.h"
#include "tls/client_hello.h"
#include "tls/server_flight.h"
#include "tls/tls_context.h"
#include "tls/tls_result.h"

namespace tlsweep {

// What a probe's server chose, without the certificate parsing of Result():
// all a suite enumeration (grab/enumeration.h) reads per probe.
struct RawProbeChoice {
  GrabStatus status = GrabStatus::kUnknownError;
  bool hello_sent = false;    // the dialogue got as far as the ClientHello
  bool server_hello = false;  // a ServerHello or HelloRetryRequest was read
  uint16_t version = 0;       // its negotiated version
  uint16_t suite = 0;         // its cipher suite
  int alert = -1;             // the alert's description received; -1: none
  std::string_view error;     // the session's; valid while it lives
};

class RawProbeSession {
 public:
  // `profile` and `tls` must outlive the session (the run's do); `tls` is
  // the grab's own context, whose root store verifies the probe's chain as
  // it verifies the full handshake's.
  RawProbeSession(std::unique_ptr<ProtocolModule> module, const ClientHelloProfile& profile,
                  const TlsContext& tls, std::string server_name, const GrabTimeouts& timeouts,
                  uint64_t now_ms);
  ~RawProbeSession();

  // The transport events, as GrabSession's.
  void OnConnected(uint64_t now_ms);
  void OnConnectFailed(GrabStatus status, std::string error);
  void OnBytes(std::string_view bytes, uint64_t now_ms);
  void OnPeerClosed();
  void Tick(uint64_t now_ms);

  std::string& outgoing() { return out_; }
  bool done() const { return done_; }
  bool connected() const { return connected_; }

  // Complete once done(). Allocates (certificates): call once.
  RawProbeResult Result() const;
  // The server's choice once done(); cheap, call any number of times.
  RawProbeChoice Choice() const;

 private:
  void Apply(const ModuleActions& a, uint64_t now_ms);
  void SendClientHello(uint64_t now_ms);
  void Feed(std::span<const uint8_t> bytes);
  // The final verdict's status and error.
  void Settle(FlightVerdict verdict);

  std::unique_ptr<ProtocolModule> module_;
  const ClientHelloProfile& profile_;
  const TlsContext& tls_;
  std::string server_name_;
  GrabTimeouts timeouts_;
  uint64_t start_ms_;
  uint64_t deadline_ms_;
  std::unique_ptr<ServerFlightParser> parser_;  // set once the hello is sent
  bool connected_ = false;
  bool done_ = false;
  GrabStatus status_ = GrabStatus::kUnknownError;  // set once known
  std::string error_;
  std::string out_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_RAW_PROBE_H_
