// See client_hello.h.
#include "tls/client_hello.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "tls/byte_io.h"

namespace tlsweep {
namespace {

// Extension code points (IANA TLS ExtensionType Values).
constexpr uint16_t kExtServerName = 0;            // RFC 6066
constexpr uint16_t kExtStatusRequest = 5;         // RFC 6066
constexpr uint16_t kExtSupportedGroups = 10;      // RFC 8422
constexpr uint16_t kExtEcPointFormats = 11;       // RFC 8422
constexpr uint16_t kExtSignatureAlgorithms = 13;  // RFC 8446
constexpr uint16_t kExtExtendedMasterSecret = 23; // RFC 7627
constexpr uint16_t kExtAlpn = 16;                 // RFC 7301
constexpr uint16_t kExtSessionTicket = 35;        // RFC 5077
constexpr uint16_t kExtPreSharedKey = 41;         // RFC 8446
constexpr uint16_t kExtSupportedVersions = 43;    // RFC 8446
constexpr uint16_t kExtKeyShare = 51;             // RFC 8446
constexpr uint16_t kExtRenegotiationInfo = 0xFF01;  // RFC 5746

constexpr uint8_t kContentHandshake = 22;
constexpr uint8_t kHandshakeClientHello = 1;

// SEC 1 2.7.2 / SEC 2 2.4.2: secp256r1's generator G, uncompressed
// (0x04 || x || y). A valid point; see client_hello.h for why it serves.
constexpr uint8_t kSecp256r1Generator[65] = {
    0x04, 0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6,
    0xE5, 0x63, 0xA4, 0x40, 0xF2, 0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33,
    0xA0, 0xF4, 0xA1, 0x39, 0x45, 0xD8, 0x98, 0xC2, 0x96, 0x4F, 0xE3, 0x42,
    0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E, 0xE7, 0xEB, 0x4A, 0x7C, 0x0F, 0x9E,
    0x16, 0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31, 0x5E, 0xCE, 0xCB, 0xB6, 0x40,
    0x68, 0x37, 0xBF, 0x51, 0xF5};

// An IP literal never goes into SNI (RFC 6066 3: "Literal IPv4 and IPv6
// addresses are not permitted in HostName").
bool IsIpLiteral(std::string_view name) {
  if (name.find(':') != std::string_view::npos) return true;
  for (char c : name) {
    if ((c < '0' || c > '9') && c != '.') return false;
  }
  return true;
}

void PutList16(ByteWriter& w, std::span<const uint16_t> values, int prefix) {
  const ByteWriter::Mark m = w.Open(prefix);
  for (uint16_t v : values) w.Put16(v);
  w.Close(m);
}

// SSL 2.0 CLIENT-HELLO: a 2-byte record header (high bit set, 15-bit
// length), then msg type 1, version 0x0002, the three lengths, the specs
// and the challenge (the first 16 bytes of the random).
std::optional<size_t> BuildSslv2ClientHello(const ClientHelloProfile& profile,
                                            const ClientHelloInputs& in,
                                            std::span<uint8_t> out) {
  constexpr size_t kChallengeBytes = 16;
  ByteWriter w(out);
  const size_t specs =
      profile.sslv2_cipher_specs.size() + profile.cipher_suites.size();
  const size_t length = 9 + 3 * specs + kChallengeBytes;
  if (length > 0x7FFF) return std::nullopt;
  w.Put16(static_cast<uint16_t>(0x8000 | length));
  w.Put8(1);  // CLIENT-HELLO
  w.Put16(0x0002);
  w.Put16(static_cast<uint16_t>(3 * specs));
  w.Put16(0);  // session id
  w.Put16(kChallengeBytes);
  const auto put_spec = [&w](uint32_t spec) {
    w.Put8(static_cast<uint8_t>(spec >> 16));
    w.Put16(static_cast<uint16_t>(spec));
  };
  for (uint32_t spec : profile.sslv2_cipher_specs) put_spec(spec);
  for (uint16_t suite : profile.cipher_suites) put_spec(suite);
  w.PutBytes(in.random.first(kChallengeBytes));
  if (!w.ok()) return std::nullopt;
  return w.size();
}

}  // namespace

std::optional<size_t> BuildClientHello(const ClientHelloProfile& profile,
                                       const ClientHelloInputs& in,
                                       std::span<uint8_t> out) {
  if (in.random.size() != 32 || in.session_id.size() > 32) return std::nullopt;
  if (!profile.sslv2_cipher_specs.empty()) {
    return BuildSslv2ClientHello(profile, in, out);
  }
  const bool sni = profile.server_name && !in.server_name.empty() &&
                   !IsIpLiteral(in.server_name);
  if (sni && in.server_name.size() > 255) return std::nullopt;
  for (uint16_t group : profile.key_shares) {
    if (group == kGroupX25519) {
      if (in.x25519_share.size() != 32) return std::nullopt;
    } else if (group != kGroupSecp256r1) {
      return std::nullopt;
    }
  }
  if (out.size() > kMaxClientHelloRecord) out = out.first(kMaxClientHelloRecord);

  ByteWriter w(out);
  w.Put8(kContentHandshake);
  w.Put16(profile.record_version);
  const ByteWriter::Mark record = w.Open(2);
  w.Put8(kHandshakeClientHello);
  const ByteWriter::Mark body = w.Open(3);
  w.Put16(profile.client_version);
  w.PutBytes(in.random);
  const ByteWriter::Mark sid = w.Open(1);
  w.PutBytes(in.session_id);
  w.Close(sid);
  const ByteWriter::Mark suites = w.Open(2);
  for (uint16_t suite : profile.cipher_suites) w.Put16(suite);
  if (profile.renegotiation_scsv) w.Put16(kRenegotiationScsv);
  w.Close(suites);
  w.Put8(1);  // compression_methods: null only
  w.Put8(0);

  const bool any_extension =
      sni || profile.extended_master_secret || profile.renegotiation_info ||
      !profile.groups.empty() || !profile.point_formats.empty() ||
      profile.session_ticket || profile.status_request ||
      !profile.signature_algorithms.empty() ||
      !profile.supported_versions.empty() || !profile.key_shares.empty();
  if (any_extension) {
    const ByteWriter::Mark exts = w.Open(2);
    if (sni) {
      w.Put16(kExtServerName);
      const ByteWriter::Mark ext = w.Open(2);
      const ByteWriter::Mark list = w.Open(2);
      w.Put8(0);  // host_name
      const ByteWriter::Mark host = w.Open(2);
      w.PutBytes(std::span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(in.server_name.data()),
          in.server_name.size()));
      w.Close(host);
      w.Close(list);
      w.Close(ext);
    }
    if (profile.extended_master_secret) {
      w.Put16(kExtExtendedMasterSecret);
      w.Put16(0);
    }
    if (profile.renegotiation_info) {
      w.Put16(kExtRenegotiationInfo);
      w.Put16(1);
      w.Put8(0);  // renegotiated_connection: empty on a first handshake
    }
    if (!profile.groups.empty()) {
      w.Put16(kExtSupportedGroups);
      const ByteWriter::Mark ext = w.Open(2);
      PutList16(w, profile.groups, 2);
      w.Close(ext);
    }
    if (!profile.point_formats.empty()) {
      w.Put16(kExtEcPointFormats);
      const ByteWriter::Mark ext = w.Open(2);
      const ByteWriter::Mark list = w.Open(1);
      w.PutBytes(profile.point_formats);
      w.Close(list);
      w.Close(ext);
    }
    if (profile.session_ticket) {
      w.Put16(kExtSessionTicket);
      w.Put16(0);
    }
    if (profile.status_request) {
      w.Put16(kExtStatusRequest);
      w.Put16(5);
      w.Put8(1);   // status_type: ocsp
      w.Put16(0);  // responder_id_list: empty
      w.Put16(0);  // request_extensions: empty
    }
    if (!profile.signature_algorithms.empty()) {
      w.Put16(kExtSignatureAlgorithms);
      const ByteWriter::Mark ext = w.Open(2);
      PutList16(w, profile.signature_algorithms, 2);
      w.Close(ext);
    }
    if (!profile.supported_versions.empty()) {
      w.Put16(kExtSupportedVersions);
      const ByteWriter::Mark ext = w.Open(2);
      PutList16(w, profile.supported_versions, 1);
      w.Close(ext);
    }
    if (!profile.key_shares.empty()) {
      w.Put16(kExtKeyShare);
      const ByteWriter::Mark ext = w.Open(2);
      const ByteWriter::Mark list = w.Open(2);
      for (uint16_t group : profile.key_shares) {
        w.Put16(group);
        const ByteWriter::Mark key = w.Open(2);
        if (group == kGroupX25519) {
          w.PutBytes(in.x25519_share);
        } else {
          w.PutBytes(kSecp256r1Generator);
        }
        w.Close(key);
      }
      w.Close(list);
      w.Close(ext);
    }
    w.Close(exts);
  }
  w.Close(body);
  w.Close(record);
  if (!w.ok()) return std::nullopt;
  return w.size();
}

}  // namespace tlsweep

namespace tlsweep {
namespace {

constexpr uint8_t kRecordHandshake = 22;
constexpr uint8_t kClientHelloType = 1;

bool ReadList16(ByteReader& r, int length_bytes, std::vector<uint16_t>* out) {
  std::span<const uint8_t> body;
  if (!r.ReadVector(length_bytes, &body) || body.size() % 2 != 0) return false;
  ByteReader items(body);
  uint16_t v;
  while (items.Read16(&v)) out->push_back(v);
  return true;
}

bool ParseExtension(uint16_t type, std::span<const uint8_t> body, ParsedClientHello* out) {
  ByteReader r(body);
  switch (type) {
    case kExtServerName: {
      std::span<const uint8_t> list;
      if (!r.ReadVector(2, &list)) return false;
      ByteReader names(list);
      uint8_t name_type;
      std::span<const uint8_t> name;
      while (names.Read8(&name_type) && names.ReadVector(2, &name)) {
        if (name_type == 0 && out->server_name.empty()) {
          out->server_name.assign(name.begin(), name.end());
        }
      }
      return names.empty();
    }
    case kExtSupportedGroups:
      return ReadList16(r, 2, &out->groups);
    case kExtEcPointFormats: {
      std::span<const uint8_t> formats;
      if (!r.ReadVector(1, &formats)) return false;
      out->point_formats.assign(formats.begin(), formats.end());
      return true;
    }
    case kExtSignatureAlgorithms:
      return ReadList16(r, 2, &out->signature_algorithms);
    case kExtSupportedVersions:
      return ReadList16(r, 1, &out->supported_versions);
    case kExtSessionTicket:
      out->session_ticket = true;
      out->session_ticket_data = !body.empty();
      return true;
    case kExtPreSharedKey:
      out->pre_shared_key = true;
      return true;
    case kExtAlpn: {
      // ProtocolNameList: a 2-byte length, then 1-byte-length names, none
      // empty (RFC 7301 3.1).
      std::span<const uint8_t> list, name;
      if (!r.ReadVector(2, &list) || !r.empty()) return false;
      ByteReader names(list);
      if (!names.ReadVector(1, &name) || name.empty()) return false;
      out->alpn_first.assign(name.begin(), name.end());
      return true;
    }
    default:
      return true;
  }
}

ClientHelloParse ParseBody(std::span<const uint8_t> body, ParsedClientHello* out) {
  ByteReader r(body);
  std::span<const uint8_t> random, session_id, compression;
  if (!r.Read16(&out->client_version) || !r.ReadBytes(32, &random) ||
      !r.ReadVector(1, &session_id) || session_id.size() > 32 ||
      !ReadList16(r, 2, &out->cipher_suites) || !r.ReadVector(1, &compression)) {
    return ClientHelloParse::kMalformed;
  }
  out->session_id = !session_id.empty();
  out->session_id_length = static_cast<uint8_t>(session_id.size());
  std::copy(session_id.begin(), session_id.end(), out->session_id_bytes.begin());
  if (r.empty()) return ClientHelloParse::kOk;  // no extensions block (SSLv3 style)
  std::span<const uint8_t> extensions;
  if (!r.ReadVector(2, &extensions) || !r.empty()) return ClientHelloParse::kMalformed;
  ByteReader ext(extensions);
  while (!ext.empty()) {
    uint16_t type;
    std::span<const uint8_t> ext_body;
    if (!ext.Read16(&type) || !ext.ReadVector(2, &ext_body)) return ClientHelloParse::kMalformed;
    out->extensions.push_back(type);
    if (!ParseExtension(type, ext_body, out)) return ClientHelloParse::kMalformed;
  }
  return ClientHelloParse::kOk;
}

void AppendJoined(std::string* s, const std::vector<uint16_t>& values) {
  bool first = true;
  for (uint16_t v : values) {
    if (IsGreaseValue(v)) continue;
    if (!first) s->push_back('-');
    first = false;
    s->append(std::to_string(v));
  }
}

// "002f,0035" for {0x35, 0x2f} when `sort`; GREASE and `skip` left out.
std::string HexList(std::vector<uint16_t> values, bool sort,
                    std::initializer_list<uint16_t> skip = {}) {
  std::erase_if(values, [&skip](uint16_t v) {
    return IsGreaseValue(v) || std::find(skip.begin(), skip.end(), v) != skip.end();
  });
  if (sort) std::sort(values.begin(), values.end());
  std::string out;
  char hex[8];
  for (uint16_t v : values) {
    if (!out.empty()) out.push_back(',');
    std::snprintf(hex, sizeof(hex), "%04x", v);
    out.append(hex);
  }
  return out;
}

// The first 12 hex digits of the SHA-256 of `s`.
std::string Sha256Prefix12(std::string_view s) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(s.data(), s.size(), digest, &len, EVP_sha256(), nullptr) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < 6; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

size_t CountNonGrease(const std::vector<uint16_t>& values) {
  return static_cast<size_t>(
      std::count_if(values.begin(), values.end(), [](uint16_t v) { return !IsGreaseValue(v); }));
}

// JA4_a: "t13d1516h2".
std::string Ja4Prefix(const ParsedClientHello& h) {
  uint16_t version = h.client_version;
  if (std::find(h.extensions.begin(), h.extensions.end(), kExtSupportedVersions) !=
      h.extensions.end()) {
    uint16_t highest = 0;
    for (uint16_t v : h.supported_versions) {
      if (!IsGreaseValue(v)) highest = std::max(highest, v);
    }
    if (highest != 0) version = highest;
  }
  std::string out = "t";
  switch (version) {
    case 0x0304: out += "13"; break;
    case 0x0303: out += "12"; break;
    case 0x0302: out += "11"; break;
    case 0x0301: out += "10"; break;
    case 0x0300: out += "s3"; break;
    case 0x0200: out += "s2"; break;
    case 0x0100: out += "s1"; break;
    default: out += "00"; break;
  }
  const bool sni = std::find(h.extensions.begin(), h.extensions.end(), kExtServerName) !=
                   h.extensions.end();
  out += sni ? 'd' : 'i';
  char counts[8];
  std::snprintf(counts, sizeof(counts), "%02zu%02zu", std::min<size_t>(CountNonGrease(h.cipher_suites), 99),
                std::min<size_t>(CountNonGrease(h.extensions), 99));
  out += counts;
  const std::string& alpn = h.alpn_first;
  const auto ascii_or_9 = [](char c) {
    return static_cast<unsigned char>(c) < 0x80 ? c : '9';
  };
  if (alpn.empty()) {
    out += "00";
  } else {
    out += ascii_or_9(alpn.front());
    out += alpn.size() == 1 ? '0' : ascii_or_9(alpn.back());
  }
  return out;
}

// JA4_c's input: the extensions sorted without SNI and ALPN, then "_" and
// the signature algorithms as sent.
std::string Ja4ExtensionList(const ParsedClientHello& h) {
  std::string out = HexList(h.extensions, true, {kExtServerName, kExtAlpn});
  const std::string algorithms = HexList(h.signature_algorithms, false);
  if (!algorithms.empty()) out += "_" + algorithms;
  return out;
}

}  // namespace

std::string_view ClientHelloParseName(ClientHelloParse result) {
  switch (result) {
    case ClientHelloParse::kOk: return "ok";
    case ClientHelloParse::kIncomplete: return "incomplete";
    case ClientHelloParse::kNotTls: return "not-tls";
    case ClientHelloParse::kMalformed: return "malformed";
  }
  return "malformed";
}

ClientHelloParse ParseClientHello(std::span<const uint8_t> stream, ParsedClientHello* out) {
  *out = ParsedClientHello{};
  // The handshake message may be split over records: gather the record
  // payloads until its 4-byte header's length is satisfied.
  std::vector<uint8_t> message;
  size_t need = 0;  // the whole message's length once its header is read
  ByteReader records(stream);
  bool first = true;
  while (true) {
    uint8_t type;
    uint16_t version;
    uint16_t length;
    if (!records.Read8(&type)) return ClientHelloParse::kIncomplete;
    if (type != kRecordHandshake) {
      return first ? ClientHelloParse::kNotTls : ClientHelloParse::kMalformed;
    }
    if (!records.Read16(&version)) return ClientHelloParse::kIncomplete;
    if ((version >> 8) != 3) return ClientHelloParse::kNotTls;
    if (first) out->record_version = version;
    first = false;
    if (!records.Read16(&length)) return ClientHelloParse::kIncomplete;
    // RFC 5246 6.2.1: a record's plaintext is at most 2^14 bytes and a
    // handshake record is never empty (6.2.1, "MUST NOT send zero-length
    // fragments of Handshake").
    if (length == 0 || length > (1u << 14)) return ClientHelloParse::kMalformed;
    std::span<const uint8_t> payload;
    const bool whole = records.ReadBytes(length, &payload);
    if (!whole) {
      std::span<const uint8_t> rest;
      records.ReadBytes(records.remaining(), &rest);
      payload = rest;
    }
    message.insert(message.end(), payload.begin(), payload.end());
    if (need == 0 && message.size() >= 4) {
      if (message[0] != kClientHelloType) return ClientHelloParse::kMalformed;
      need = 4 + ((size_t{message[1]} << 16) | (size_t{message[2]} << 8) | message[3]);
      if (need > kMaxClientHelloRecord) return ClientHelloParse::kMalformed;
    }
    if (need != 0 && message.size() >= need) break;
    if (!whole) return ClientHelloParse::kIncomplete;
  }
  return ParseBody(std::span<const uint8_t>(message).subspan(4, need - 4), out);
}

bool IsGreaseValue(uint16_t value) {
  return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

std::string Ja3String(const ParsedClientHello& hello) {
  std::string s = std::to_string(hello.client_version);
  s.push_back(',');
  AppendJoined(&s, hello.cipher_suites);
  s.push_back(',');
  AppendJoined(&s, hello.extensions);
  s.push_back(',');
  AppendJoined(&s, hello.groups);
  s.push_back(',');
  bool first = true;
  for (uint8_t f : hello.point_formats) {
    if (!first) s.push_back('-');
    first = false;
    s.append(std::to_string(f));
  }
  return s;
}

std::string Ja3Md5(std::string_view ja3) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(ja3.data(), ja3.size(), digest, &len, EVP_md5(), nullptr) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

std::string Ja4(const ParsedClientHello& hello) {
  const std::string suites = HexList(hello.cipher_suites, true);
  const std::string extensions = Ja4ExtensionList(hello);
  return Ja4Prefix(hello) + "_" + (suites.empty() ? "000000000000" : Sha256Prefix12(suites)) +
         "_" + (extensions.empty() ? "000000000000" : Sha256Prefix12(extensions));
}

std::string Ja4Raw(const ParsedClientHello& hello) {
  return Ja4Prefix(hello) + "_" + HexList(hello.cipher_suites, true) + "_" +
         Ja4ExtensionList(hello);
}

}  // namespace tlsweep
