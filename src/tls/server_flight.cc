// See server_flight.h.
#include "tls/server_flight.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "tls/byte_io.h"
#include "tls/client_hello.h"
#include "tls/tls_registry.h"

namespace tlsweep {
namespace {

constexpr uint8_t kContentChangeCipherSpec = 20;
constexpr uint8_t kContentAlert = 21;
constexpr uint8_t kContentApplicationData = 23;
// Not a TLS content type: marks the SSL 2.0 record being read.
constexpr uint8_t kSslv2Record = 0x80;

constexpr uint8_t kHelloRequest = 0;
constexpr uint8_t kServerHello = 2;
constexpr uint8_t kNewSessionTicket = 4;
constexpr uint8_t kCertificate = 11;
constexpr uint8_t kServerKeyExchange = 12;
constexpr uint8_t kCertificateRequest = 13;
constexpr uint8_t kServerHelloDone = 14;
constexpr uint8_t kCertificateStatus = 22;

// RFC 5246 6.2.3: a TLSCiphertext fragment may be 2^14 + 2048 bytes; no
// record of a first flight may be longer.
constexpr size_t kMaxRecordLength = (1u << 14) + 2048;

// RFC 8446 4.1.3: SHA-256("HelloRetryRequest").
constexpr uint8_t kHelloRetryRandom[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
    0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
    0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
// RFC 8446 4.1.3: the last 8 bytes of a downgraded server's random.
constexpr uint8_t kDowngradePrefix[7] = {0x44, 0x4F, 0x57, 0x4E,
                                         0x47, 0x52, 0x44};

// Extension code points (IANA TLS ExtensionType Values).
constexpr uint16_t kExtStatusRequest = 5;
constexpr uint16_t kExtEcPointFormats = 11;
constexpr uint16_t kExtExtendedMasterSecret = 23;
constexpr uint16_t kExtSessionTicket = 35;
constexpr uint16_t kExtPreSharedKey = 41;
constexpr uint16_t kExtSupportedVersions = 43;
constexpr uint16_t kExtKeyShare = 51;
constexpr uint16_t kExtRenegotiationInfo = 0xFF01;

// Bits of a big-endian unsigned integer, from its top set bit.
uint32_t BitLength(std::span<const uint8_t> value) {
  size_t i = 0;
  while (i < value.size() && value[i] == 0) ++i;
  if (i == value.size()) return 0;
  return static_cast<uint32_t>((value.size() - i - 1) * 8) +
         static_cast<uint32_t>(std::bit_width(value[i]));
}

}  // namespace

std::string_view FlightVerdictName(FlightVerdict verdict) {
  switch (verdict) {
    case FlightVerdict::kIncomplete: return "incomplete";
    case FlightVerdict::kServerHelloDone: return "server-hello-done";
    case FlightVerdict::kTls13ServerHello: return "tls13-server-hello";
    case FlightVerdict::kHelloRetryRequest: return "hello-retry-request";
    case FlightVerdict::kAlert: return "alert";
    case FlightVerdict::kSslv2ServerHello: return "sslv2-server-hello";
    case FlightVerdict::kSslv2Error: return "sslv2-error";
    case FlightVerdict::kAbbreviatedHandshake: return "abbreviated-handshake";
    case FlightVerdict::kTruncated: return "truncated";
    case FlightVerdict::kNotTls: return "not-tls";
    case FlightVerdict::kRecordOverflow: return "record-overflow";
    case FlightVerdict::kEmptyRecord: return "empty-record";
    case FlightVerdict::kUnexpectedRecord: return "unexpected-record";
    case FlightVerdict::kFlightTooLarge: return "flight-too-large";
    case FlightVerdict::kUnexpectedMessage: return "unexpected-message";
    case FlightVerdict::kMalformedServerHello: return "malformed-server-hello";
    case FlightVerdict::kMalformedCertificate: return "malformed-certificate";
    case FlightVerdict::kTooManyCertificates: return "too-many-certificates";
    case FlightVerdict::kMalformedServerKeyExchange:
      return "malformed-server-key-exchange";
    case FlightVerdict::kMalformedHandshake: return "malformed-handshake";
    case FlightVerdict::kMalformedSslv2: return "malformed-sslv2";
  }
  return "unknown";
}

bool IsFlightError(FlightVerdict verdict) {
  return verdict >= FlightVerdict::kTruncated;
}

ServerFlightParser::ServerFlightParser(FlightLimits limits)
    : limits_(limits),
      buffer_(new uint8_t[limits.max_flight_bytes]) {
  limits_.max_certificates =
      std::min(limits_.max_certificates, kMaxFlightCertificates);
}

void ServerFlightParser::Reset() {
  handshake_bytes_ = 0;
  parse_offset_ = 0;
  header_have_ = 0;
  any_record_ = false;
  record_remaining_ = 0;
  record_type_ = 0;
  alert_have_ = 0;
  decided_at_ = 0;
  consumed_ = 0;
  verdict_ = FlightVerdict::kIncomplete;
  flight_ = ServerFlight();
}

FlightVerdict ServerFlightParser::Finish() {
  if (verdict_ == FlightVerdict::kIncomplete) {
    verdict_ = FlightVerdict::kTruncated;
  }
  return verdict_;
}

FlightVerdict ServerFlightParser::Feed(std::span<const uint8_t> bytes) {
  while (!bytes.empty() && verdict_ == FlightVerdict::kIncomplete) {
    if (header_have_ < sizeof(header_)) {
      const size_t n = std::min(bytes.size(), sizeof(header_) - header_have_);
      std::memcpy(header_ + header_have_, bytes.data(), n);
      header_have_ += n;
      bytes = bytes.subspan(n);
      consumed_ += n;
      if (header_have_ < sizeof(header_)) break;
      const bool first = !any_record_;
      any_record_ = true;
      if (first && (header_[0] & 0x80) != 0) {
        // SSL 2.0: a 2-byte header with a 15-bit length; the other three
        // header bytes already read are the message's first.
        const size_t length =
            static_cast<size_t>(((header_[0] & 0x7F) << 8) | header_[1]);
        if (length < 3) {
          verdict_ = FlightVerdict::kMalformedSslv2;
          break;
        }
        record_type_ = kSslv2Record;
        std::memcpy(buffer_.get(), header_ + 2, 3);
        handshake_bytes_ = 3;
        record_remaining_ = length - 3;
        if (record_remaining_ == 0) {
          verdict_ = ParseSslv2(std::span<const uint8_t>(buffer_.get(), 3));
        }
        continue;
      }
      record_type_ = header_[0];
      record_remaining_ = static_cast<size_t>((header_[3] << 8) | header_[4]);
      // A TLS record has a known type and a 3.x version; anything else
      // (a plaintext banner, an SSLv2 record, HTTP) is not TLS at all.
      if (record_type_ < kContentChangeCipherSpec ||
          record_type_ > kContentApplicationData || header_[1] != 3) {
        verdict_ = FlightVerdict::kNotTls;
        break;
      }
      if (record_remaining_ > kMaxRecordLength) {
        verdict_ = FlightVerdict::kRecordOverflow;
        break;
      }
      if (record_type_ == kContentChangeCipherSpec && ResumedSoFar()) {
        verdict_ = FlightVerdict::kAbbreviatedHandshake;
        break;
      }
      if (record_type_ == kContentChangeCipherSpec ||
          record_type_ == kContentApplicationData) {
        verdict_ = FlightVerdict::kUnexpectedRecord;
        break;
      }
      if (record_remaining_ == 0) {
        verdict_ = FlightVerdict::kEmptyRecord;
        break;
      }
      continue;
    }
    const size_t n = std::min(bytes.size(), record_remaining_);
    record_remaining_ -= n;
    consumed_ += FeedRecordPayload(bytes.first(n));
    bytes = bytes.subspan(n);
    if (record_remaining_ == 0) header_have_ = 0;
  }
  return verdict_;
}

size_t ServerFlightParser::FeedRecordPayload(
    std::span<const uint8_t> payload) {
  if (record_type_ == kContentAlert) {
    // An alert may itself arrive a byte at a time; the first complete one
    // decides, at its second byte.
    for (size_t i = 0; i < payload.size(); ++i) {
      alert_[alert_have_++] = payload[i];
      if (alert_have_ == 2) {
        flight_.has_alert = true;
        flight_.alert_level = alert_[0];
        flight_.alert_description = alert_[1];
        verdict_ = FlightVerdict::kAlert;
        return i + 1;
      }
    }
    return payload.size();
  }
  // Handshake bytes (or the SSL 2.0 record, whose length of at most 2^15
  // fits any sane limit): take what fits and parse it first, so that a
  // verdict inside what fits wins over the overflow whatever the
  // fragmentation; the first byte that does not fit decides
  // kFlightTooLarge.
  const size_t before = handshake_bytes_;
  const size_t take =
      std::min(payload.size(), limits_.max_flight_bytes - handshake_bytes_);
  std::memcpy(buffer_.get() + handshake_bytes_, payload.data(), take);
  handshake_bytes_ += take;
  if (record_type_ == kSslv2Record) {
    if (take == payload.size() && record_remaining_ == 0) {
      verdict_ = ParseSslv2(
          std::span<const uint8_t>(buffer_.get(), handshake_bytes_));
    }
  } else {
    ParseMessages();
    // Every message complete before this payload was parsed then, so the
    // deciding one ends inside it.
    if (verdict_ != FlightVerdict::kIncomplete) return decided_at_ - before;
  }
  if (take < payload.size()) {
    verdict_ = FlightVerdict::kFlightTooLarge;
    return take + 1;
  }
  return payload.size();
}

void ServerFlightParser::ParseMessages() {
  while (verdict_ == FlightVerdict::kIncomplete &&
         handshake_bytes_ - parse_offset_ >= 4) {
    const uint8_t* p = buffer_.get() + parse_offset_;
    const size_t length = (size_t{p[1]} << 16) | (size_t{p[2]} << 8) | p[3];
    if (length > limits_.max_flight_bytes - parse_offset_ - 4) {
      verdict_ = FlightVerdict::kFlightTooLarge;
      decided_at_ = parse_offset_ + 4;  // the message's header says so
      return;
    }
    if (handshake_bytes_ - parse_offset_ - 4 < length) return;
    const uint8_t type = p[0];
    parse_offset_ += 4 + length;
    verdict_ = HandleMessage(type, std::span<const uint8_t>(p + 4, length));
    decided_at_ = parse_offset_;
  }
}

bool ServerFlightParser::ResumedSoFar() const {
  return flight_.has_server_hello && flight_.server_hello.version < kTls13Version &&
         !flight_.has_certificate && !flight_.certificate_status &&
         flight_.server_key_exchange.kind == ServerKeyExchangeKind::kNone &&
         !flight_.certificate_request;
}

FlightVerdict ServerFlightParser::HandleMessage(uint8_t type,
                                                std::span<const uint8_t> body) {
  if (type == kHelloRequest) {
    // RFC 5246 7.4.1.1: clients ignore HelloRequest during a handshake.
    return body.empty() ? FlightVerdict::kIncomplete
                        : FlightVerdict::kMalformedHandshake;
  }
  if (!flight_.has_server_hello) {
    if (type != kServerHello) return FlightVerdict::kUnexpectedMessage;
    return ParseServerHello(body);
  }
  // After a NewSessionTicket only the ChangeCipherSpec record may come.
  if (flight_.new_session_ticket) return FlightVerdict::kUnexpectedMessage;
  switch (type) {
    case kNewSessionTicket:
      // Only an abbreviated handshake has one before the client's Finished.
      if (!ResumedSoFar()) return FlightVerdict::kUnexpectedMessage;
      flight_.new_session_ticket = true;
      return FlightVerdict::kIncomplete;
    case kCertificate:
      if (flight_.has_certificate ||
          flight_.server_key_exchange.kind != ServerKeyExchangeKind::kNone) {
        return FlightVerdict::kUnexpectedMessage;
      }
      return ParseCertificate(body);
    case kCertificateStatus:
      if (flight_.certificate_status || !flight_.has_certificate) {
        return FlightVerdict::kUnexpectedMessage;
      }
      flight_.certificate_status = true;
      return FlightVerdict::kIncomplete;
    case kServerKeyExchange:
      if (flight_.server_key_exchange.kind != ServerKeyExchangeKind::kNone ||
          flight_.certificate_request) {
        return FlightVerdict::kUnexpectedMessage;
      }
      return ParseServerKeyExchange(body);
    case kCertificateRequest:
      if (flight_.certificate_request) return FlightVerdict::kUnexpectedMessage;
      flight_.certificate_request = true;
      return FlightVerdict::kIncomplete;
    case kServerHelloDone:
      if (!body.empty()) return FlightVerdict::kMalformedHandshake;
      flight_.server_hello_done = true;
      return FlightVerdict::kServerHelloDone;
    default:
      return FlightVerdict::kUnexpectedMessage;
  }
}

FlightVerdict ServerFlightParser::ParseServerHello(
    std::span<const uint8_t> body) {
  constexpr FlightVerdict kBad = FlightVerdict::kMalformedServerHello;
  ServerHelloInfo& sh = flight_.server_hello;
  ByteReader r(body);
  std::span<const uint8_t> random;
  std::span<const uint8_t> session_id;
  if (!r.Read16(&sh.legacy_version) || !r.ReadBytes(32, &random) ||
      !r.ReadVector(1, &session_id) || session_id.size() > 32 ||
      !r.Read16(&sh.cipher_suite) || !r.Read8(&sh.compression_method)) {
    return kBad;
  }
  if ((sh.legacy_version >> 8) != 3) return kBad;
  sh.session_id_length = static_cast<uint8_t>(session_id.size());
  std::copy(session_id.begin(), session_id.end(), sh.session_id.begin());
  sh.hello_retry_request =
      std::equal(random.begin(), random.end(), std::begin(kHelloRetryRandom));
  if (std::equal(random.begin() + 24, random.begin() + 31,
                 std::begin(kDowngradePrefix))) {
    sh.downgrade_sentinel_tls12 = random[31] == 0x01;
    sh.downgrade_sentinel_tls11 = random[31] == 0x00;
  }
  sh.version = sh.legacy_version;
  // RFC 5246 7.4.1.3: the extensions block is optional.
  if (!r.empty()) {
    std::span<const uint8_t> extensions;
    if (!r.ReadVector(2, &extensions) || !r.empty()) return kBad;
    ByteReader er(extensions);
    while (!er.empty()) {
      uint16_t type;
      std::span<const uint8_t> data;
      if (!er.Read16(&type) || !er.ReadVector(2, &data)) return kBad;
      ++sh.extension_count;
      ByteReader dr(data);
      switch (type) {
        case kExtSupportedVersions:
          if (!dr.Read16(&sh.version) || !dr.empty()) return kBad;
          sh.supported_versions = true;
          break;
        case kExtKeyShare: {
          // ServerHello: KeyShareEntry; HelloRetryRequest: the group alone.
          if (!dr.Read16(&sh.key_share_group)) return kBad;
          if (!sh.hello_retry_request) {
            std::span<const uint8_t> key;
            if (!dr.ReadVector(2, &key) || key.empty()) return kBad;
          }
          if (!dr.empty()) return kBad;
          break;
        }
        case kExtRenegotiationInfo: {
          std::span<const uint8_t> renegotiated;
          if (!dr.ReadVector(1, &renegotiated) || !dr.empty()) return kBad;
          sh.renegotiation_info = true;
          break;
        }
        case kExtEcPointFormats: {
          std::span<const uint8_t> formats;
          if (!dr.ReadVector(1, &formats) || formats.empty() || !dr.empty()) {
            return kBad;
          }
          sh.ec_point_formats = true;
          sh.ec_point_uncompressed =
              std::find(formats.begin(), formats.end(), 0) != formats.end();
          break;
        }
        case kExtExtendedMasterSecret:
          if (!data.empty()) return kBad;
          sh.extended_master_secret = true;
          break;
        case kExtSessionTicket:
          if (!data.empty()) return kBad;
          sh.session_ticket = true;
          break;
        case kExtStatusRequest:
          if (!data.empty()) return kBad;
          sh.status_request = true;
          break;
        case kExtPreSharedKey: {
          // RFC 8446 4.2.11: the server's selected_identity.
          uint16_t identity;
          if (!dr.Read16(&identity) || !dr.empty()) return kBad;
          sh.pre_shared_key = true;
          break;
        }
        default:
          break;
      }
    }
  }
  flight_.has_server_hello = true;
  if (sh.hello_retry_request) {
    if (sh.version < kTls13Version) return kBad;
    return FlightVerdict::kHelloRetryRequest;
  }
  if (sh.version >= kTls13Version) {
    return FlightVerdict::kTls13ServerHello;
  }
  return FlightVerdict::kIncomplete;
}

FlightVerdict ServerFlightParser::ParseSslv2(
    std::span<const uint8_t> message) {
  constexpr FlightVerdict kBad = FlightVerdict::kMalformedSslv2;
  Sslv2ServerHelloInfo& v2 = flight_.sslv2;
  ByteReader r(message);
  uint8_t type;
  if (!r.Read8(&type)) return kBad;
  if (type == 0) {  // ERROR
    if (!r.Read16(&v2.error_code)) return kBad;
    return FlightVerdict::kSslv2Error;
  }
  if (type != 4) return kBad;  // SERVER-HELLO
  uint8_t hit;
  uint16_t certificate_length;
  uint16_t specs_length;
  uint16_t connection_id_length;
  std::span<const uint8_t> certificate;
  std::span<const uint8_t> connection_id;
  if (!r.Read8(&hit) || !r.Read8(&v2.certificate_type) ||
      !r.Read16(&v2.version) || !r.Read16(&certificate_length) ||
      !r.Read16(&specs_length) || !r.Read16(&connection_id_length) ||
      !r.ReadBytes(certificate_length, &certificate) ||
      !r.ReadBytes(specs_length, &v2.cipher_specs) ||
      !r.ReadBytes(connection_id_length, &connection_id) ||
      specs_length % 3 != 0) {
    return kBad;
  }
  v2.session_id_hit = hit != 0;
  if (!certificate.empty() && limits_.max_certificates > 0) {
    flight_.certificate_views[0] = certificate;
    flight_.certificate_count = 1;
    flight_.has_certificate = true;
  }
  return FlightVerdict::kSslv2ServerHello;
}

FlightVerdict ServerFlightParser::ParseCertificate(
    std::span<const uint8_t> body) {
  ByteReader r(body);
  std::span<const uint8_t> list;
  if (!r.ReadVector(3, &list) || !r.empty()) {
    return FlightVerdict::kMalformedCertificate;
  }
  ByteReader lr(list);
  while (!lr.empty()) {
    std::span<const uint8_t> der;
    if (!lr.ReadVector(3, &der) || der.empty()) {
      return FlightVerdict::kMalformedCertificate;
    }
    if (flight_.certificate_count == limits_.max_certificates) {
      return FlightVerdict::kTooManyCertificates;
    }
    flight_.certificate_views[flight_.certificate_count++] = der;
  }
  flight_.has_certificate = true;
  return FlightVerdict::kIncomplete;
}

FlightVerdict ServerFlightParser::ParseServerKeyExchange(
    std::span<const uint8_t> body) {
  constexpr FlightVerdict kBad = FlightVerdict::kMalformedServerKeyExchange;
  ServerKeyExchangeInfo& ske = flight_.server_key_exchange;
  ske.kind = ServerKeyExchangeKind::kOther;
  const CipherSuiteInfo* suite =
      FindCipherSuite(flight_.server_hello.cipher_suite);
  if (suite == nullptr) return FlightVerdict::kIncomplete;
  ByteReader r(body);
  const KeyExchange kx = suite->key_exchange;
  // RFC 4279 2 and 3, RFC 5489 2: PSK forms put the identity hint first.
  if (kx == KeyExchange::kDhePsk || kx == KeyExchange::kEcdhePsk) {
    std::span<const uint8_t> hint;
    if (!r.ReadVector(2, &hint)) return kBad;
  }
  if (kx == KeyExchange::kDhe || kx == KeyExchange::kDhePsk) {
    // RFC 5246 7.4.3 ServerDHParams; the signature after it is not checked.
    if (!r.ReadVector(2, &ske.dh_p) || !r.ReadVector(2, &ske.dh_g) ||
        !r.ReadVector(2, &ske.dh_ys) || ske.dh_p.empty() ||
        ske.dh_g.empty() || ske.dh_ys.empty()) {
      return kBad;
    }
    ske.kind = ServerKeyExchangeKind::kDhe;
    ske.dh_p_bits = BitLength(ske.dh_p);
    ske.dh_ys_bits = BitLength(ske.dh_ys);
    return FlightVerdict::kIncomplete;
  }
  if (kx == KeyExchange::kEcdhe || kx == KeyExchange::kEcdhePsk) {
    // RFC 8422 5.4 ServerECDHParams.
    if (!r.Read8(&ske.curve_type)) return kBad;
    ske.kind = ServerKeyExchangeKind::kEcdhe;
    if (ske.curve_type != 3) return FlightVerdict::kIncomplete;  // explicit
    std::span<const uint8_t> point;
    if (!r.Read16(&ske.named_curve) || !r.ReadVector(1, &point) ||
        point.empty()) {
      return kBad;
    }
    ske.ec_point_bytes = static_cast<uint32_t>(point.size());
    return FlightVerdict::kIncomplete;
  }
  if (kx == KeyExchange::kRsa &&
      suite->cipher_class == CipherClass::kExport) {
    // RFC 4346 A.5 / RFC 2246 7.4.3 ServerRSAParams: the temporary key.
    std::span<const uint8_t> modulus;
    std::span<const uint8_t> exponent;
    if (!r.ReadVector(2, &modulus) || !r.ReadVector(2, &exponent) ||
        modulus.empty() || exponent.empty()) {
      return kBad;
    }
    ske.kind = ServerKeyExchangeKind::kRsaExport;
    ske.rsa_modulus_bits = BitLength(modulus);
  }
  return FlightVerdict::kIncomplete;
}

}  // namespace tlsweep
