// Incremental parser of a TLS server's first flight, for raw probes and for
// captured handshakes (the passive mode): bytes in, a verdict and the parsed
// messages out, no I/O and no OpenSSL.
//
// It reads records (RFC 5246 6.2.1) and reassembles the handshake stream
// across record boundaries in either direction (a message split over many
// records, a record split over many reads, several messages in one record),
// then parses ServerHello (or HelloRetryRequest), Certificate,
// ServerKeyExchange, CertificateRequest, CertificateStatus and
// ServerHelloDone, or an Alert. For TLS 1.3 it stops after ServerHello:
// everything after it is encrypted. A first record in SSL 2.0 form (high bit
// set) is read as an SSLv2 SERVER-HELLO or ERROR (Hickman 1995, 2.6).
//
// Bounded by construction: the handshake bytes go into one buffer allocated
// when the parser is made (limits.max_flight_bytes) and never grown; at most
// limits.max_certificates certificates are kept; every length is checked
// against what encloses it. A malformed flight ends in a verdict naming what
// was wrong; nothing here asserts or throws on input. Views handed out
// (certificates, DH values) point into the parser's buffer and stay valid
// until Reset() or destruction.
#ifndef TLSWEEP_TLS_SERVER_FLIGHT_H_
#define TLSWEEP_TLS_SERVER_FLIGHT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace tlsweep {

enum class FlightVerdict : uint8_t {
  kIncomplete,         // more bytes needed
  kServerHelloDone,    // TLS <= 1.2: the whole first flight was read
  kTls13ServerHello,   // TLS 1.3 chosen; the rest of the flight is encrypted
  kHelloRetryRequest,  // TLS 1.3 HelloRetryRequest (RFC 8446 4.1.4)
  kAlert,              // the server answered with an alert
  kSslv2ServerHello,   // the server speaks SSL 2.0
  kSslv2Error,         // an SSL 2.0 ERROR message (e.g. no cipher)
  // TLS <= 1.2: ChangeCipherSpec right after ServerHello (and maybe a
  // NewSessionTicket), before any Certificate or ServerKeyExchange: the
  // server resumed a session (RFC 5246 7.3 figure 2; RFC 5077 3.1 figure 2).
  kAbbreviatedHandshake,
  // Errors: the flight is not what TLS allows.
  kTruncated,                   // the stream ended mid-flight
  kNotTls,                      // not a TLS record (plaintext, SSLv2, ...)
  kRecordOverflow,              // record longer than RFC 5246 6.2.3 allows
  kEmptyRecord,                 // zero-length handshake or alert record
  kUnexpectedRecord,            // ChangeCipherSpec or data inside the flight
  kFlightTooLarge,              // over limits.max_flight_bytes
  kUnexpectedMessage,           // a handshake message out of order
  kMalformedServerHello,
  kMalformedCertificate,
  kTooManyCertificates,         // over limits.max_certificates
  kMalformedServerKeyExchange,
  kMalformedHandshake,          // other handshake messages (lengths)
  kMalformedSslv2,              // an SSL 2.0 record that does not parse
};

// "server-hello-done", "malformed-certificate", ...
std::string_view FlightVerdictName(FlightVerdict verdict);
// True for the verdicts from kTruncated on.
bool IsFlightError(FlightVerdict verdict);

struct FlightLimits {
  // OpenSSL's default limit on a peer's certificate message
  // (SSL_CTX_set_max_cert_list(3): 100 KiB); the rest of a first flight is
  // small beside it.
  size_t max_flight_bytes = 100 * 1024;
  // Chains in scans rarely exceed five certificates; 16 keeps margin for
  // servers that send their whole bundle.
  size_t max_certificates = 16;
};

struct ServerHelloInfo {
  uint16_t legacy_version = 0;  // ServerHello.server_version
  uint16_t version = 0;         // negotiated: supported_versions, else legacy
  uint16_t cipher_suite = 0;
  uint8_t compression_method = 0;
  uint8_t session_id_length = 0;
  std::array<uint8_t, 32> session_id{};  // the first session_id_length bytes
  bool hello_retry_request = false;
  // RFC 8446 4.1.3 downgrade sentinels in the server random.
  bool downgrade_sentinel_tls12 = false;
  bool downgrade_sentinel_tls11 = false;
  uint16_t extension_count = 0;
  bool supported_versions = false;  // the extension was present
  uint16_t key_share_group = 0;     // 0: no key_share
  bool renegotiation_info = false;  // RFC 5746 secure renegotiation
  bool extended_master_secret = false;
  bool session_ticket = false;
  bool status_request = false;
  bool ec_point_formats = false;
  bool ec_point_uncompressed = false;  // "uncompressed" in the list
  bool pre_shared_key = false;  // TLS 1.3: a PSK was selected (resumption)
};

enum class ServerKeyExchangeKind : uint8_t {
  kNone,       // no ServerKeyExchange
  kDhe,        // ServerDHParams (DHE, DH_anon, DHE_PSK)
  kEcdhe,      // ServerECDHParams (ECDHE, ECDH_anon, ECDHE_PSK)
  kRsaExport,  // ServerRSAParams (RSA_EXPORT's temporary key)
  kOther,      // present but not parsed (PSK hints, SRP, GOST, unknown suite)
};

struct ServerKeyExchangeInfo {
  ServerKeyExchangeKind kind = ServerKeyExchangeKind::kNone;
  // kDhe: the values as sent (big-endian); bits count from the top set bit.
  std::span<const uint8_t> dh_p;
  std::span<const uint8_t> dh_g;
  std::span<const uint8_t> dh_ys;
  uint32_t dh_p_bits = 0;
  uint32_t dh_ys_bits = 0;
  // kEcdhe: ECCurveType (RFC 8422 5.4: 3 named_curve, 1 and 2 explicit).
  uint8_t curve_type = 0;
  uint16_t named_curve = 0;
  uint32_t ec_point_bytes = 0;
  // kRsaExport.
  uint32_t rsa_modulus_bits = 0;
};

// The most certificates any FlightLimits may ask to keep (the views live in
// ServerFlight itself, so this bounds its size: 64 spans, 1 KiB).
inline constexpr size_t kMaxFlightCertificates = 64;

// SSL 2.0 SERVER-HELLO (or ERROR). Its certificate, if any, is the flight's
// only certificate.
struct Sslv2ServerHelloInfo {
  uint16_t version = 0;  // 0x0002
  bool session_id_hit = false;
  uint8_t certificate_type = 0;  // 1: X.509
  // The server's 3-byte cipher specs, as sent.
  std::span<const uint8_t> cipher_specs;
  uint16_t error_code = 0;  // kSslv2Error: e.g. 0x0001 NO-CIPHER-ERROR
};

struct ServerFlight {
  Sslv2ServerHelloInfo sslv2;
  bool has_server_hello = false;
  ServerHelloInfo server_hello;
  // Certificate (TLS <= 1.2): DER, leaf first, as sent.
  bool has_certificate = false;
  size_t certificate_count = 0;
  std::span<const std::span<const uint8_t>> certificates() const {
    return std::span<const std::span<const uint8_t>>(certificate_views.data(),
                                                     certificate_count);
  }
  ServerKeyExchangeInfo server_key_exchange;
  bool certificate_request = false;
  bool certificate_status = false;  // a stapled OCSP response (RFC 6066 8)
  bool new_session_ticket = false;  // in an abbreviated handshake (RFC 5077 3.1)
  bool server_hello_done = false;
  bool has_alert = false;
  uint8_t alert_level = 0;
  uint8_t alert_description = 0;

  // Backing store for certificates(); the first certificate_count are set.
  std::array<std::span<const uint8_t>, kMaxFlightCertificates>
      certificate_views{};
};

class ServerFlightParser {
 public:
  // Allocates the flight buffer (control plane); limits.max_certificates is
  // capped at kMaxFlightCertificates.
  explicit ServerFlightParser(FlightLimits limits = {});

  ServerFlightParser(const ServerFlightParser&) = delete;
  ServerFlightParser& operator=(const ServerFlightParser&) = delete;

  // Forgets everything for the next connection; keeps the buffer.
  void Reset();

  // Consumes `bytes` and returns the verdict so far. Once the verdict is
  // final (anything but kIncomplete) further bytes are ignored; the bytes
  // after the end of the flight are never looked at.
  FlightVerdict Feed(std::span<const uint8_t> bytes);
  // The peer closed the stream: an incomplete flight becomes kTruncated.
  FlightVerdict Finish();

  FlightVerdict verdict() const { return verdict_; }
  const ServerFlight& flight() const { return flight_; }
  // How much of the stream the parser has read. While kIncomplete: every
  // byte fed. Once final: the stream up to and including the byte that
  // decided the verdict (the last byte of the deciding record header,
  // handshake message or alert, or the first handshake byte over
  // limits.max_flight_bytes). So it is the same however the stream was
  // split into Feed() calls or the flight into records, and the bytes
  // after it (the encrypted rest of a TLS 1.3 flight, whatever follows a
  // ServerHelloDone) were never looked at. Finish() does not change it.
  size_t bytes_consumed() const { return consumed_; }

 private:
  // Takes one record's payload bytes (its part in this Feed) and returns
  // how many of them it read: all, or those up to the deciding byte when
  // the verdict became final.
  size_t FeedRecordPayload(std::span<const uint8_t> payload);
  void ParseMessages();
  FlightVerdict HandleMessage(uint8_t type, std::span<const uint8_t> body);
  FlightVerdict ParseServerHello(std::span<const uint8_t> body);
  FlightVerdict ParseCertificate(std::span<const uint8_t> body);
  FlightVerdict ParseServerKeyExchange(std::span<const uint8_t> body);
  FlightVerdict ParseSslv2(std::span<const uint8_t> message);
  // A TLS <= 1.2 ServerHello and nothing of a full handshake after it: a
  // ChangeCipherSpec or NewSessionTicket now means resumption.
  bool ResumedSoFar() const;

  FlightLimits limits_;
  std::unique_ptr<uint8_t[]> buffer_;  // handshake stream, max_flight_bytes
  size_t handshake_bytes_ = 0;         // bytes in buffer_
  size_t parse_offset_ = 0;            // start of the next message
  // Where in the handshake stream ParseMessages() reached its verdict.
  size_t decided_at_ = 0;

  uint8_t header_[5] = {};
  size_t header_have_ = 0;
  bool any_record_ = false;  // a record header was read
  size_t record_remaining_ = 0;
  uint8_t record_type_ = 0;
  uint8_t alert_[2] = {};
  size_t alert_have_ = 0;

  size_t consumed_ = 0;
  FlightVerdict verdict_ = FlightVerdict::kIncomplete;
  ServerFlight flight_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_SERVER_FLIGHT_H_
