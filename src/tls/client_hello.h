// Builds a raw TLS ClientHello from a profile, for offers that the linked
// OpenSSL cannot make (RC4, 3DES, EXPORT, SSLv3, a 2015 client's exact list);
// and parses one that a client sent (the passive mode), with its JA3
// fingerprint.
//
// The probe sends this, parses the server's first flight (server_flight.h)
// and closes: it never derives keys or finishes the handshake. So the
// ClientHello only has to be well-formed, not backed by secrets: the TLS 1.3
// key_share for x25519 is 32 random bytes, which RFC 7748 5 makes a valid
// public value for any input (the server clamps nothing on the public side
// and no one ever computes the shared secret); the secp256r1 share is the
// curve's generator G, a valid point whose private key (1) does not matter
// since the handshake never completes. Servers check the point's validity,
// not its secrecy.
//
// A profile with SSLv2 cipher specs instead makes an SSL 2.0 CLIENT-HELLO
// (Hickman, "The SSL Protocol", 1995, 2.6 and Appendix B; the same message
// RFC 5246 E.2 describes for backward compatibility) with version 0x0002,
// no session id and a 16-byte challenge from the inputs' random: the DROWN
// question is only whether a server still answers SSLv2 at all.
//
// Layout (RFC 5246 7.4.1.2 and 6.2.1; RFC 8446 4.1.2 and 4.2): one record
// (type 22) holding one handshake message; extensions in a fixed order
// (server_name, extended_master_secret, renegotiation_info, supported_groups,
// ec_point_formats, session_ticket, status_request, signature_algorithms,
// supported_versions, key_share). Only what a profile enables is written; a
// profile with no extension at all (SSLv3) writes no extensions block,
// because some SSLv3-era servers reject a ClientHello that has one. The
// order is not a client's fingerprint: servers choose by content, and the
// study compares choices, not fingerprints.
#ifndef TLSWEEP_TLS_CLIENT_HELLO_H_
#define TLSWEEP_TLS_CLIENT_HELLO_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tlsweep {

inline constexpr uint16_t kSsl3Version = 0x0300;
inline constexpr uint16_t kTls10Version = 0x0301;
inline constexpr uint16_t kTls11Version = 0x0302;
inline constexpr uint16_t kTls12Version = 0x0303;
inline constexpr uint16_t kTls13Version = 0x0304;

// Named groups the builder can make a key_share for.
inline constexpr uint16_t kGroupSecp256r1 = 23;
inline constexpr uint16_t kGroupX25519 = 29;

// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 3.3).
inline constexpr uint16_t kRenegotiationScsv = 0x00FF;

// The largest ClientHello record: one record's plaintext (RFC 5246 6.2.1,
// 2^14 bytes) plus its 5-byte header.
inline constexpr size_t kMaxClientHelloRecord = 5 + (1u << 14);

// What one ClientHello offers. Profiles are data (conf/tls_profiles.conf,
// read by tls_profiles.h); every list is sent in the order given.
struct ClientHelloProfile {
  std::string name;
  std::string source;  // where the lists come from (a citation)
  uint16_t record_version = kTls10Version;  // the record header's version
  uint16_t client_version = kTls12Version;  // ClientHello.client_version
  std::vector<uint16_t> cipher_suites;
  // Empty: no supported_versions extension (TLS <= 1.2 negotiation).
  std::vector<uint16_t> supported_versions;
  std::vector<uint16_t> groups;        // supported_groups; empty: none
  std::vector<uint8_t> point_formats;  // ec_point_formats; empty: none
  std::vector<uint16_t> signature_algorithms;  // empty: none
  // Groups to send a TLS 1.3 key_share for (x25519, secp256r1); empty: none.
  std::vector<uint16_t> key_shares;
  bool server_name = true;  // SNI, when the caller has a host name
  bool extended_master_secret = false;
  bool renegotiation_info = false;  // the empty extension (RFC 5746 3.4)
  bool renegotiation_scsv = false;  // 0x00FF appended to the suites
  bool session_ticket = false;      // empty SessionTicket (RFC 5077 3.2)
  bool status_request = false;      // OCSP, no responders (RFC 6066 8)
  // Non-empty: an SSLv2 CLIENT-HELLO with these 3-byte cipher specs (e.g.
  // 0x010080 SSL_CK_RC4_128_WITH_MD5); everything above but the suites,
  // which follow as 0x00XXYY specs, is then unused.
  std::vector<uint32_t> sslv2_cipher_specs;
};

// Per-connection inputs.
struct ClientHelloInputs {
  std::string_view server_name;      // "" (or an IP literal): no SNI
  std::span<const uint8_t> random;   // exactly 32 bytes
  std::span<const uint8_t> session_id;  // 0..32 bytes
  std::span<const uint8_t> x25519_share;  // 32 bytes, when offered
};

// Writes the ClientHello record into `out`. Returns its size, or nullopt
// when the inputs are invalid (random not 32 bytes, session id over 32, a
// host name over 255 bytes, a missing x25519 share, a key_share group the
// builder cannot make) or the record does not fit `out` or one record.
std::optional<size_t> BuildClientHello(const ClientHelloProfile& profile,
                                       const ClientHelloInputs& inputs,
                                       std::span<uint8_t> out);

// What a captured ClientHello offers, every list in the order sent (GREASE
// values included: JA3 leaves them out, the record keeps the truth).
struct ParsedClientHello {
  uint16_t record_version = 0;
  uint16_t client_version = 0;  // ClientHello.legacy_version
  std::vector<uint16_t> cipher_suites;
  std::vector<uint16_t> extensions;  // extension types
  std::vector<uint16_t> supported_versions;
  std::vector<uint16_t> groups;
  std::vector<uint8_t> point_formats;
  std::vector<uint16_t> signature_algorithms;
  std::string server_name;  // the first host_name of SNI; "" = none
  bool session_ticket = false;  // the extension was present
  bool session_ticket_data = false;  // ... with a ticket (RFC 5077 3.1 resumption)
  bool session_id = false;      // a non-empty session id (resumption offer)
  uint8_t session_id_length = 0;
  std::array<uint8_t, 32> session_id_bytes{};  // the first session_id_length
  bool pre_shared_key = false;  // TLS 1.3 pre_shared_key (RFC 8446 4.2.11)
  // The first protocol of ALPN (RFC 7301), as sent; "" = none (JA4's part).
  std::string alpn_first;
};

enum class ClientHelloParse : uint8_t {
  kOk,
  kIncomplete,  // the stream so far ends inside the first ClientHello
  kNotTls,      // not a TLS handshake record (SSL 2.0 form, plaintext, ...)
  kMalformed,   // lengths that do not add up, or not a ClientHello
};

// "ok", "incomplete", "not-tls", "malformed".
std::string_view ClientHelloParseName(ClientHelloParse result);

// Parses the first ClientHello from the start of a client's TLS stream,
// which may span several records (RFC 5246 6.2.1 allows a handshake
// message to be fragmented). Reads at most kMaxClientHelloRecord bytes of
// handshake message: a longer ClientHello is kMalformed. Allocates only the
// lists of `out` (control-plane cost: once per connection).
ClientHelloParse ParseClientHello(std::span<const uint8_t> stream, ParsedClientHello* out);

// RFC 8701 GREASE values (0x0A0A, 0x1A1A, ... 0xFAFA).
bool IsGreaseValue(uint16_t value);

// The JA3 string (Salesforce, 2017: "SSLVersion,Ciphers,Extensions,
// EllipticCurves,EllipticCurvePointFormats", decimal values joined by '-',
// GREASE left out) and its MD5 in lower-case hex.
std::string Ja3String(const ParsedClientHello& hello);
std::string Ja3Md5(std::string_view ja3);

// JA4, TLS over TCP (FoxIO, "JA4: TLS Client Fingerprinting",
// github.com/FoxIO-LLC/ja4 technical_details/JA4.md, v0.18.2):
// "t" + version ("13", "12", ... "s3", "00"; the highest of
// supported_versions, else ClientHello.legacy_version) + "d" (SNI) or "i"
// + the counts of suites and extensions (two digits, at most 99) + the
// first and last character of the first ALPN protocol ("00" without; a
// non-ASCII byte counts as '9' and a one-byte protocol ends in '0', as
// FoxIO's reference implementation does), "_", the first 12 hex digits of
// the SHA-256 of the suites sorted ("002f,0035,..."; "000000000000" for
// none), "_", the same of the extensions sorted without SNI and ALPN, then
// "_" and the signature algorithms in the order sent (no "_" without
// them; "000000000000" when both are empty, as for the suites). GREASE
// (RFC 8701) is left out everywhere.
std::string Ja4(const ParsedClientHello& hello);
// JA4_r: the same with the lists themselves instead of their hashes.
std::string Ja4Raw(const ParsedClientHello& hello);

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_CLIENT_HELLO_H_
