// See aggregate.h. The reader keeps one buffer of whole lines (grown to the
// longest line) with simdjson's padding after it, so each line is parsed in
// place: no copy per record, no allocation per record once the label maps
// hold every label.
#include "report/aggregate.h"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/net_types.h"
#include "output/passive_json.h"
#include "output/record_fields.h"
#include "proto/module_result.h"
#include "tls/client_hello.h"
#include "tls/tls_registry.h"

namespace tlsweep::report {

namespace sj = simdjson;
namespace od = simdjson::ondemand;

// One raw probe of a record (result.raw_probes[]).
struct RawProbeFacts {
  std::string_view profile, version, cipher_class, prime_name;
  bool has_server_hello = false, has_alert = false, forward_secrecy = false;
  int64_t dh_bits = -1;
  bool has_prime = false;
  Digest prime{};
};

// A record's enumeration (result.enumeration).
struct EnumerationFacts {
  bool present = false, truncated = false;
  std::vector<std::string_view> accepted;  // versions accepted
  bool rc4 = false, export_suites = false, des3 = false;
  // Of the first accepted version listed (the highest: grab/enumeration.h
  // lists them from TLS 1.3 down): its first suite's class, its order
  // flag (null: unknown) and how many suites it has.
  bool has_top = false;
  std::string_view top_first_class;
  std::optional<bool> top_server_order;
  size_t top_suites = 0;
};

// Everything one record contributes, parsed before anything is counted.
// Strings view simdjson's string buffer and live until the next line.
struct RecordFacts {
  bool has_ip = false, has_port = false;
  uint32_t ip = 0;
  uint16_t port = 0;
  std::optional<uint64_t> record_version;
  bool has_data = false, has_not_grabbed = false;
  // A passive record: "client_ip" with a top-level "protocol" and "result".
  bool has_client_ip = false, has_result = false;
  std::string_view passive_protocol;
  bool has_scan = false, scan_open = false;
  std::string_view protocol, status;

  std::optional<bool> implicit_tls, starttls_offered, starttls_accepted;
  bool has_starttls = false, starttls_attempted = false;
  bool has_auth = false, auth_plaintext_credentials = false;
  // A passive record whose observer started mid-connection: whether the
  // server offered STARTTLS before it is unknown.
  bool picked_up_midstream = false;
  std::optional<bool> plaintext_before, login_disabled;
  bool before_seen = false, after_seen = false;
  std::vector<std::string_view> mech_before, mech_after;

  bool has_tls = false, handshake_complete = false;
  std::string_view profile;
  bool has_server_hello = false;
  std::string_view version, suite, cipher_class, kx_kind, kx_group;
  bool forward_secrecy = false;
  int64_t dh_bits = -1;

  // The client's ClientHello (passive records): parsed whole ("ok"), the
  // classes of its suites (bit per CipherClass) and its highest version.
  bool client_hello_ok = false;
  uint32_t client_classes = 0;
  uint16_t client_max_version = 0;

  bool has_leaf = false;
  std::string_view key_algorithm, signature_algorithm;
  int64_t key_bits = -1;  // -1: null or absent
  bool has_spki = false, has_cert = false;
  Digest spki{}, cert{};
  bool has_validation = false, trusted = false, self_signed = false, expired = false;
  std::optional<bool> name_matches;

  std::vector<RawProbeFacts> raw_probes;
  EnumerationFacts enumeration;

  // Back to the defaults, keeping the vectors' capacity.
  void Reset() {
    std::vector<std::string_view> before = std::move(mech_before);
    std::vector<std::string_view> after = std::move(mech_after);
    std::vector<RawProbeFacts> probes = std::move(raw_probes);
    std::vector<std::string_view> accepted = std::move(enumeration.accepted);
    *this = RecordFacts();
    before.clear();
    after.clear();
    probes.clear();
    accepted.clear();
    enumeration.accepted = std::move(accepted);
    mech_before = std::move(before);
    mech_after = std::move(after);
    raw_probes = std::move(probes);
  }
};

namespace {

// Initial read buffer; grown to hold the longest line. 4 MiB keeps fread
// calls rare (a lab record is ~3 KiB) without mattering for memory.
constexpr size_t kChunkBytes = size_t{4} << 20;

// The record's shape is not version 1's: a required field is missing or a
// field has another type. The error code simdjson returns then is
// INCORRECT_TYPE; `why` says which rule broke.
struct ParseState {
  RecordFacts* f;
  std::string_view why;
  sj::error_code Shape(std::string_view reason) {
    if (why.empty()) why = reason;
    return sj::INCORRECT_TYPE;
  }
};

#define TLSWEEP_SJ_TRY(expr)                        \
  do {                                              \
    if (const sj::error_code tlsweep_sj_e_ = (expr); \
        tlsweep_sj_e_ != sj::SUCCESS) {             \
      return tlsweep_sj_e_;                         \
    }                                               \
  } while (false)

// Iterates an object's fields, calling fn(key, value&) -> error_code.
template <typename Fn>
sj::error_code ForEachField(od::value& v, Fn&& fn) {
  od::object obj;
  TLSWEEP_SJ_TRY(v.get_object().get(obj));
  for (auto field_result : obj) {
    od::field field;
    TLSWEEP_SJ_TRY(std::move(field_result).get(field));
    std::string_view key;
    TLSWEEP_SJ_TRY(field.unescaped_key().get(key));
    TLSWEEP_SJ_TRY(fn(key, field.value()));
  }
  return sj::SUCCESS;
}

sj::error_code GetBool(od::value& v, bool* out) { return v.get_bool().get(*out); }

sj::error_code GetOptionalBool(od::value& v, std::optional<bool>* out) {
  bool b = false;
  TLSWEEP_SJ_TRY(v.get_bool().get(b));
  *out = b;
  return sj::SUCCESS;
}

sj::error_code GetString(od::value& v, std::string_view* out) {
  return v.get_string().get(*out);
}

// {"name": ...} -> name
sj::error_code GetName(od::value& v, std::string_view* out) {
  return ForEachField(v, [&](std::string_view key, od::value& value) {
    return key == field::kName ? GetString(value, out) : sj::SUCCESS;
  });
}

int HexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

sj::error_code GetDigest(od::value& v, ParseState* st, Digest* out, bool* has) {
  std::string_view hex;
  TLSWEEP_SJ_TRY(GetString(v, &hex));
  if (hex.size() != 64) return st->Shape("a fingerprint_sha256 is not 64 hex digits");
  for (size_t i = 0; i < 32; ++i) {
    const int hi = HexNibble(hex[2 * i]);
    const int lo = HexNibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return st->Shape("a fingerprint_sha256 is not 64 hex digits");
    (*out)[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  *has = true;
  return sj::SUCCESS;
}

sj::error_code ParseCaps(od::value& v, std::vector<std::string_view>* mechs) {
  return ForEachField(v, [&](std::string_view key, od::value& value) {
    if (key != field::kAuthMechanisms) return sj::SUCCESS;
    od::array arr;
    TLSWEEP_SJ_TRY(value.get_array().get(arr));
    for (auto element : arr) {
      std::string_view mech;
      TLSWEEP_SJ_TRY(element.get_string().get(mech));
      mechs->push_back(mech);
    }
    return sj::SUCCESS;
  });
}

sj::error_code ParseLeaf(od::value& v, ParseState* st) {
  RecordFacts* f = st->f;
  f->has_leaf = true;
  return ForEachField(v, [&](std::string_view key, od::value& parsed) {
    if (key != field::kParsed) return sj::SUCCESS;
    return ForEachField(parsed, [&](std::string_view k, od::value& value) {
      if (k == field::kFingerprintSha256) return GetDigest(value, st, &f->cert, &f->has_cert);
      if (k == field::kSignatureAlgorithm) return GetName(value, &f->signature_algorithm);
      if (k != field::kSubjectKeyInfo) return sj::SUCCESS;
      return ForEachField(value, [&](std::string_view kk, od::value& spki) {
        if (kk == field::kFingerprintSha256) return GetDigest(spki, st, &f->spki, &f->has_spki);
        if (kk == field::kKeyAlgorithm) return GetName(spki, &f->key_algorithm);
        if (kk != field::kKeyBits) return sj::SUCCESS;
        bool is_null = false;
        TLSWEEP_SJ_TRY(spki.is_null().get(is_null));
        if (is_null) return sj::SUCCESS;
        return spki.get_int64().get(f->key_bits);
      });
    });
  });
}

sj::error_code ParseCertificates(od::value& v, ParseState* st) {
  RecordFacts* f = st->f;
  return ForEachField(v, [&](std::string_view key, od::value& value) {
    if (key == field::kChain) {
      od::array chain;
      TLSWEEP_SJ_TRY(value.get_array().get(chain));
      for (auto element : chain) {
        od::value cert;
        TLSWEEP_SJ_TRY(std::move(element).get(cert));
        TLSWEEP_SJ_TRY(ParseLeaf(cert, st));
        break;  // the leaf only; the rest of the array is skipped
      }
      return sj::SUCCESS;
    }
    if (key != field::kValidation) return sj::SUCCESS;
    f->has_validation = true;
    return ForEachField(value, [&](std::string_view k, od::value& x) {
      if (k == field::kBrowserTrusted) return GetBool(x, &f->trusted);
      if (k == field::kSelfSigned) return GetBool(x, &f->self_signed);
      if (k == field::kExpired) return GetBool(x, &f->expired);
      if (k != field::kNameMatches) return sj::SUCCESS;
      bool is_null = false;
      TLSWEEP_SJ_TRY(x.is_null().get(is_null));
      return is_null ? sj::SUCCESS : GetOptionalBool(x, &f->name_matches);
    });
  });
}

sj::error_code ParseHandshakeLog(od::value& v, ParseState* st) {
  RecordFacts* f = st->f;
  return ForEachField(v, [&](std::string_view key, od::value& value) {
    if (key == field::kServerHello) {
      f->has_server_hello = true;
      return ForEachField(value, [&](std::string_view k, od::value& x) {
        if (k == field::kVersion) return GetName(x, &f->version);
        if (k == field::kCipherSuite) return GetName(x, &f->suite);
        return sj::SUCCESS;
      });
    }
    if (key == field::kCipherClass) return GetString(value, &f->cipher_class);
    if (key == field::kForwardSecrecy) return GetBool(value, &f->forward_secrecy);
    if (key == field::kKeyExchange) {
      return ForEachField(value, [&](std::string_view k, od::value& x) {
        if (k == field::kKind) return GetString(x, &f->kx_kind);
        if (k == field::kGroup) return GetString(x, &f->kx_group);
        if (k == field::kDhPrimeBits) return x.get_int64().get(f->dh_bits);
        return sj::SUCCESS;
      });
    }
    if (key == field::kServerCertificates) return ParseCertificates(value, st);
    return sj::SUCCESS;
  });
}

// result.tls.client_hello of a passive record: what the client offered,
// folded to classes and a highest version as the report counts them.
sj::error_code ParseClientHello(od::value& v, ParseState* st) {
  RecordFacts* f = st->f;
  std::string_view parse;
  uint64_t legacy_version = 0, highest_supported = 0;
  const sj::error_code error = ForEachField(v, [&](std::string_view key, od::value& value) {
    if (key == field::kParse) return GetString(value, &parse);
    if (key == field::kVersion) {
      return ForEachField(value, [&](std::string_view k, od::value& x) {
        return k == field::kValue ? x.get_uint64().get(legacy_version) : sj::SUCCESS;
      });
    }
    if (key != field::kCipherSuites && key != field::kSupportedVersions) return sj::SUCCESS;
    od::array arr;
    TLSWEEP_SJ_TRY(value.get_array().get(arr));
    for (auto element : arr) {
      uint64_t n = 0;
      TLSWEEP_SJ_TRY(element.get_uint64().get(n));
      if (n > 0xffff) return st->Shape("a ClientHello number is above 65535");
      const auto id = static_cast<uint16_t>(n);
      if (IsGreaseValue(id)) continue;
      if (key == field::kSupportedVersions) {
        highest_supported = std::max<uint64_t>(highest_supported, id);
      } else if (const CipherSuiteInfo* suite = FindCipherSuite(id); suite != nullptr) {
        f->client_classes |= 1u << static_cast<int>(suite->cipher_class);
      }
    }
    return sj::SUCCESS;
  });
  if (error != sj::SUCCESS) return error;
  if (legacy_version > 0xffff) return st->Shape("a ClientHello version is above 65535");
  f->client_hello_ok = parse == "ok";
  // supported_versions replaces legacy_version when present (RFC 8446 4.2.1).
  f->client_max_version =
      static_cast<uint16_t>(highest_supported > 0 ? highest_supported : legacy_version);
  return sj::SUCCESS;
}

sj::error_code ParseTls(od::value& v, ParseState* st) {
  RecordFacts* f = st->f;
  f->has_tls = true;
  return ForEachField(v, [&](std::string_view key, od::value& value) {
    if (key == field::kClientHello) return ParseClientHello(value, st);
    if (key == field::kHandshakeComplete) return GetBool(value, &f->handshake_complete);
    if (key == field::kProfile) return GetString(value, &f->profile);
    if (key == field::kHandshakeLog) return ParseHandshakeLog(value, st);
    return sj::SUCCESS;
  });
}

// One element of result.raw_probes.
sj::error_code ParseRawProbe(od::value& v, ParseState* st, RawProbeFacts* p) {
  return ForEachField(v, [&](std::string_view key, od::value& value) {
    if (key == field::kProfile) return GetString(value, &p->profile);
    if (key == field::kAlert) {
      p->has_alert = true;
      return sj::SUCCESS;
    }
    if (key != field::kHandshakeLog) return sj::SUCCESS;
    return ForEachField(value, [&](std::string_view k, od::value& x) {
      if (k == field::kServerHello) {
        p->has_server_hello = true;
        return ForEachField(x, [&](std::string_view kk, od::value& y) {
          return kk == field::kVersion ? GetName(y, &p->version) : sj::SUCCESS;
        });
      }
      if (k == field::kCipherClass) return GetString(x, &p->cipher_class);
      if (k == field::kForwardSecrecy) return GetBool(x, &p->forward_secrecy);
      if (k != field::kKeyExchange) return sj::SUCCESS;
      return ForEachField(x, [&](std::string_view kk, od::value& y) {
        if (kk == field::kDhPrimeBits) return y.get_int64().get(p->dh_bits);
        if (kk == field::kDhPrimeSha256) return GetDigest(y, st, &p->prime, &p->has_prime);
        if (kk == field::kDhPrimeName) return GetString(y, &p->prime_name);
        return sj::SUCCESS;
      });
    });
  });
}

sj::error_code ParseRawProbes(od::value& v, ParseState* st) {
  od::array probes;
  TLSWEEP_SJ_TRY(v.get_array().get(probes));
  for (auto element : probes) {
    od::value probe;
    TLSWEEP_SJ_TRY(std::move(element).get(probe));
    st->f->raw_probes.emplace_back();
    TLSWEEP_SJ_TRY(ParseRawProbe(probe, st, &st->f->raw_probes.back()));
  }
  return sj::SUCCESS;
}

// The classes of result.enumeration.versions[].suites, in order.
sj::error_code ParseSuiteClasses(od::value& v, std::vector<std::string_view>* classes) {
  od::array list;
  TLSWEEP_SJ_TRY(v.get_array().get(list));
  for (auto element : list) {
    od::value suite;
    TLSWEEP_SJ_TRY(std::move(element).get(suite));
    std::string_view cipher_class;
    TLSWEEP_SJ_TRY(ForEachField(suite, [&](std::string_view k, od::value& x) {
      return k == field::kCipherClass ? GetString(x, &cipher_class) : sj::SUCCESS;
    }));
    classes->push_back(cipher_class);
  }
  return sj::SUCCESS;
}

// One element of result.enumeration.versions.
sj::error_code ParseEnumeratedVersion(od::value& v, EnumerationFacts* e) {
  std::string_view version;
  bool accepted = false;
  std::optional<bool> server_order;
  std::vector<std::string_view> classes;
  const sj::error_code error = ForEachField(v, [&](std::string_view key, od::value& value) {
    if (key == field::kVersion) return GetString(value, &version);
    if (key == field::kAccepted) return GetBool(value, &accepted);
    if (key == field::kSuites) return ParseSuiteClasses(value, &classes);
    if (key != field::kServerOrder) return sj::SUCCESS;
    bool is_null = false;
    if (const sj::error_code n = value.is_null().get(is_null); n != sj::SUCCESS) return n;
    return is_null ? sj::SUCCESS : GetOptionalBool(value, &server_order);
  });
  if (error != sj::SUCCESS) return error;
  for (std::string_view c : classes) {
    e->rc4 = e->rc4 || c == "RC4";
    e->export_suites = e->export_suites || c == "EXPORT";
    e->des3 = e->des3 || c == "3DES";
  }
  if (!accepted) return sj::SUCCESS;
  e->accepted.push_back(version);
  if (!e->has_top && !classes.empty()) {
    e->has_top = true;
    e->top_first_class = classes.front();
    e->top_server_order = server_order;
    e->top_suites = classes.size();
  }
  return sj::SUCCESS;
}

sj::error_code ParseEnumeration(od::value& v, EnumerationFacts* e) {
  e->present = true;
  return ForEachField(v, [&](std::string_view key, od::value& value) {
    if (key == field::kTruncated) return GetBool(value, &e->truncated);
    if (key != field::kVersions) return sj::SUCCESS;
    od::array versions;
    TLSWEEP_SJ_TRY(value.get_array().get(versions));
    for (auto element : versions) {
      od::value version;
      TLSWEEP_SJ_TRY(std::move(element).get(version));
      TLSWEEP_SJ_TRY(ParseEnumeratedVersion(version, e));
    }
    return sj::SUCCESS;
  });
}

sj::error_code ParseResult(od::value& v, ParseState* st) {
  RecordFacts* f = st->f;
  return ForEachField(v, [&](std::string_view key, od::value& value) {
    if (key == field::kImplicitTls) return GetOptionalBool(value, &f->implicit_tls);
    if (key == field::kStartTls) {
      f->has_starttls = true;
      return ForEachField(value, [&](std::string_view k, od::value& x) {
        if (k == field::kOffered) return GetOptionalBool(x, &f->starttls_offered);
        if (k == field::kAccepted) return GetOptionalBool(x, &f->starttls_accepted);
        if (k == field::kAttempted) return GetBool(x, &f->starttls_attempted);
        return sj::SUCCESS;
      });
    }
    if (key == field::kAuth) {  // passive records
      f->has_auth = true;
      return ForEachField(value, [&](std::string_view k, od::value& x) {
        return k == field::kPlaintextCredentials ? GetBool(x, &f->auth_plaintext_credentials)
                                                 : sj::SUCCESS;
      });
    }
    if (key == field::kPickedUpMidstream) return GetBool(value, &f->picked_up_midstream);
    if (key == field::kBeforeTls) {
      f->before_seen = true;
      return ParseCaps(value, &f->mech_before);
    }
    if (key == field::kAfterTls) {
      f->after_seen = true;
      return ParseCaps(value, &f->mech_after);
    }
    if (key == field::kPlaintextAuthBeforeTls) return GetOptionalBool(value, &f->plaintext_before);
    if (key == field::kLoginDisabled) return GetOptionalBool(value, &f->login_disabled);
    if (key == field::kTls) return ParseTls(value, st);
    if (key == field::kRawProbes) return ParseRawProbes(value, st);
    if (key == field::kEnumeration) return ParseEnumeration(value, &f->enumeration);
    return sj::SUCCESS;
  });
}

sj::error_code ParseData(od::value& v, ParseState* st) {
  RecordFacts* f = st->f;
  return ForEachField(v, [&](std::string_view key, od::value& grab) {
    if (f->has_data) return st->Shape("\"data\" holds more than one protocol");
    f->has_data = true;
    f->protocol = key;
    return ForEachField(grab, [&](std::string_view k, od::value& x) {
      if (k == field::kStatus) return GetString(x, &f->status);
      if (k == field::kResult) return ParseResult(x, st);
      return sj::SUCCESS;
    });
  });
}

sj::error_code ParseRecord(od::value& v, ParseState* st) {
  RecordFacts* f = st->f;
  const sj::error_code error = ForEachField(v, [&](std::string_view key, od::value& value) {
    if (key == field::kIp) {
      std::string_view text;
      TLSWEEP_SJ_TRY(GetString(value, &text));
      const std::optional<Ipv4Address> ip = Ipv4Address::Parse(text);
      if (!ip) return st->Shape("\"ip\" is not an IPv4 address");
      f->ip = ip->value();
      f->has_ip = true;
      return sj::SUCCESS;
    }
    if (key == field::kPort) {
      uint64_t port = 0;
      TLSWEEP_SJ_TRY(value.get_uint64().get(port));
      if (port > 65535) return st->Shape("\"port\" is above 65535");
      f->port = static_cast<uint16_t>(port);
      f->has_port = true;
      return sj::SUCCESS;
    }
    if (key == field::kData) {
      TLSWEEP_SJ_TRY(ParseData(value, st));
      return f->has_data ? sj::SUCCESS : st->Shape("\"data\" holds no protocol");
    }
    if (key == field::kNotGrabbed) {
      f->has_not_grabbed = true;
      std::string_view reason;
      return GetString(value, &reason);
    }
    if (key == field::kClientIp) {
      f->has_client_ip = true;
      std::string_view client;  // an address or a pseudonym: not counted
      return GetString(value, &client);
    }
    // A passive record's protocol and result are at the top level; a grab
    // record has neither there.
    if (key == field::kProtocol) return GetString(value, &f->passive_protocol);
    if (key == field::kResult) {
      f->has_result = true;
      return ParseResult(value, st);
    }
    if (key == field::kScan) {
      f->has_scan = true;
      return ForEachField(value, [&](std::string_view k, od::value& x) {
        return k == field::kSuccess ? GetBool(x, &f->scan_open) : sj::SUCCESS;
      });
    }
    if (key == field::kRecordVersion) {
      uint64_t version = 0;
      TLSWEEP_SJ_TRY(value.get_uint64().get(version));
      f->record_version = version;
    }
    return sj::SUCCESS;
  });
  if (error != sj::SUCCESS) return error;
  if (f->record_version && *f->record_version != 1) {
    return st->Shape("\"tlsweep_record_version\" is not 1");
  }
  if (!f->has_ip) return st->Shape("no \"ip\"");
  if (!f->has_port) return st->Shape("no \"port\"");
  if (f->has_client_ip) {
    if (f->has_data || f->has_not_grabbed) {
      return st->Shape("a passive record (\"client_ip\") with \"data\" or \"not_grabbed\"");
    }
    if (f->passive_protocol.empty()) return st->Shape("a passive record without \"protocol\"");
    if (!f->has_result) return st->Shape("a passive record without \"result\"");
    f->protocol = f->passive_protocol;
    return sj::SUCCESS;
  }
  if (f->has_result) return st->Shape("\"result\" outside \"data\" without \"client_ip\"");
  if (f->has_data == f->has_not_grabbed) return st->Shape("not exactly one of \"data\" and \"not_grabbed\"");
  if (f->has_data && f->status.empty()) return st->Shape("no data.<protocol>.status");
  return sj::SUCCESS;
}

#undef TLSWEEP_SJ_TRY

// absl's heterogeneous lookup takes absl::string_view, which is not
// std::string_view in every abseil build.
void Bump(Counts* counts, std::string_view label) {
  auto it = counts->find(absl::string_view(label.data(), label.size()));
  if (it == counts->end()) {
    counts->emplace(std::string(label), 1);
  } else {
    ++it->second;
  }
}

void FoldSide(const std::vector<std::string_view>& mechs, std::string* scratch, SideAuth* side) {
  ++side->listings;
  scratch->clear();
  for (std::string_view m : mechs) {
    Bump(&side->mechanisms, m);
    if (!scratch->empty()) scratch->append(", ");
    scratch->append(m);
  }
  Bump(&side->combinations, *scratch);
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

struct Aggregator::Parser {
  od::parser ondemand;
  sj::dom::parser dom;  // validates bad lines fully, to tell JSON from not
  RecordFacts facts;
};

std::string_view SkipReasonName(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNotJson:
      return "not JSON";
    case SkipReason::kTruncated:
      return "truncated last line";
    case SkipReason::kOtherVersion:
      return "record of another version";
  }
  return "unknown";
}

uint64_t FileStats::skipped_total() const {
  uint64_t total = 0;
  for (uint64_t n : skipped) total += n;
  return total;
}

Aggregator::Aggregator(std::FILE* errors) : errors_(errors), parser_(std::make_unique<Parser>()) {}
Aggregator::~Aggregator() = default;

absl::Status Aggregator::AddFile(const std::string& path) {
  if (path == "-") return AddStream(stdin, "stdin");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  return AddStream(file.get(), path);
}

absl::Status Aggregator::AddStream(std::FILE* in, const std::string& name) {
  FileStats stats;
  stats.name = name;
  uint64_t line_number = 0;
  uint64_t reported = 0;
  // Parses one line: buf[0, len) with `capacity` readable bytes from buf.
  auto process = [&](const char* buf, size_t len, size_t capacity, bool terminated) {
    ++line_number;
    if (len > 0 && buf[len - 1] == '\r') --len;
    if (IsBlank(std::string_view(buf, len))) return;
    ++stats.lines;
    RecordFacts& f = parser_->facts;
    f.Reset();
    ParseState st{&f, {}};
    sj::error_code error = sj::SUCCESS;
    od::document doc;
    error = parser_->ondemand.iterate(buf, len, capacity).get(doc);
    if (error == sj::SUCCESS) {
      od::value root;
      error = doc.get_value().get(root);
      if (error == sj::SUCCESS) error = ParseRecord(root, &st);
      // Anything after the object is not one JSON document per line.
      if (error == sj::SUCCESS && doc.current_location().error() != sj::OUT_OF_BOUNDS) {
        error = sj::TRAILING_CONTENT;
      }
    }
    if (error == sj::SUCCESS) {
      Fold(f, &stats);
      return;
    }
    // A bad line (rare): the DOM parser validates all of it, so a line that
    // is JSON but not a version-1 record is told from one that is not JSON.
    const sj::error_code dom_error = parser_->dom.parse(buf, len, false).error();
    SkipReason reason = SkipReason::kOtherVersion;
    std::string why;
    if (dom_error != sj::SUCCESS) {
      reason = terminated ? SkipReason::kNotJson : SkipReason::kTruncated;
      why = sj::error_message(dom_error);
    } else {
      why = st.why.empty() ? std::string(sj::error_message(error)) : std::string(st.why);
    }
    ++stats.skipped[static_cast<int>(reason)];
    if (errors_ != nullptr) {
      if (reported < kMaxReportedPerFile) {
        std::fprintf(errors_, "tlsweep report: %s:%llu: %s: %s (skipped)\n", name.c_str(),
                     static_cast<unsigned long long>(line_number),
                     std::string(SkipReasonName(reason)).c_str(), why.c_str());
      } else if (reported == kMaxReportedPerFile) {
        std::fprintf(errors_, "tlsweep report: %s: more bad lines, only counted from here on\n",
                     name.c_str());
      }
    }
    ++reported;
  };

  // buf holds [0, len) unread bytes; SIMDJSON_PADDING bytes always follow.
  std::vector<char> buf(kChunkBytes + sj::SIMDJSON_PADDING);
  size_t len = 0;
  bool eof = false;
  while (!eof) {
    const size_t room = buf.size() - sj::SIMDJSON_PADDING - len;
    const size_t n = std::fread(buf.data() + len, 1, room, in);
    if (n < room) {
      if (std::ferror(in) != 0) {
        return absl::UnavailableError(absl::StrCat("cannot read ", name, ": ", std::strerror(errno)));
      }
      eof = std::feof(in) != 0;
    }
    len += n;
    stats.bytes += n;
    size_t start = 0;
    while (start < len) {
      const void* nl = std::memchr(buf.data() + start, '\n', len - start);
      if (nl == nullptr) break;
      const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - buf.data());
      process(buf.data() + start, end - start, buf.size() - start, true);
      start = end + 1;
    }
    if (eof) {
      if (start < len) process(buf.data() + start, len - start, buf.size() - start, false);
      break;
    }
    std::memmove(buf.data(), buf.data() + start, len - start);
    len -= start;
    // A line longer than the buffer: grow it (the longest line bounds it).
    if (len == buf.size() - sj::SIMDJSON_PADDING) buf.resize(buf.size() * 2);
  }
  files_.push_back(std::move(stats));
  return absl::OkStatus();
}

GroupStats& Aggregator::Group(uint16_t port, std::string_view protocol) {
  for (const std::unique_ptr<GroupStats>& g : groups_) {
    if (g->port == port && g->protocol == protocol) return *g;
  }
  groups_.push_back(std::make_unique<GroupStats>());
  groups_.back()->port = port;
  groups_.back()->protocol = std::string(protocol);
  return *groups_.back();
}

void HelloStats::Add(std::string_view version, std::string_view cipher_class,
                     bool forward_secret, int64_t prime_bits) {
  ++hellos;
  Bump(&versions, version);
  Bump(&cipher_classes, cipher_class);
  if (forward_secret) ++forward_secrecy;
  if (prime_bits >= 0) ++dh_bits[prime_bits];
}

void Aggregator::FoldConnection(const RecordFacts& f, FileStats* file) {
  ++file->connections;
  ConnectionStats& c = Group(f.port, f.protocol).connections;
  ++c.connections;
  const bool upgraded = f.starttls_accepted.value_or(false);
  // A connection joined mid-dialogue (picked_up_midstream) may show a
  // STARTTLS command but not the listing before it: left out, as the table
  // says, rather than counted as not offered.
  if (!f.implicit_tls.value_or(false) && f.has_starttls && !f.picked_up_midstream) {
    ++c.starttls_seen;
    if (f.starttls_offered.value_or(false)) ++c.starttls_offered;
    if (f.starttls_attempted) ++c.starttls_attempted;
    if (upgraded) {
      ++c.upgraded;
    } else if (f.has_auth) {
      ++c.not_upgraded_auth;
      if (f.auth_plaintext_credentials) ++c.not_upgraded_plaintext_credentials;
    }
  }
  if (f.before_seen) FoldSide(f.mech_before, &scratch_, &c.before_tls);
  if (f.has_server_hello) c.hello.Add(f.version, f.cipher_class, f.forward_secrecy, f.dh_bits);
  if (f.client_hello_ok) {
    ++c.client_hellos;
    for (int i = 0; i < 32; ++i) {
      if ((f.client_classes >> i & 1) != 0) {
        Bump(&c.client_classes, CipherClassName(static_cast<CipherClass>(i)));
      }
    }
    Bump(&c.client_max_version, TlsVersionName(f.client_max_version));
  }
}

void Aggregator::Fold(const RecordFacts& f, FileStats* file) {
  if (f.has_client_ip) {
    FoldConnection(f, file);
    return;
  }
  if (!seen_.insert(uint64_t{f.ip} << 16 | f.port).second) {
    ++file->duplicates;
    return;
  }
  ++file->records;
  GroupStats& g = Group(f.port, f.has_data ? f.protocol : std::string_view("-"));
  ++g.records;
  if (f.has_scan ? f.scan_open
                 : f.status != GrabStatusName(GrabStatus::kConnectionRefused) &&
                       f.status != GrabStatusName(GrabStatus::kConnectionTimeout)) {
    ++g.open;
  }
  if (f.has_not_grabbed) {
    Bump(&g.status, kNotGrabbedStatus);
    return;
  }
  Bump(&g.status, f.status);
  const bool implicit = f.implicit_tls.value_or(false);
  if (f.implicit_tls.has_value()) ++(implicit ? g.implicit_tls : g.starttls_ports);
  const bool offered = implicit ? f.has_server_hello : f.starttls_offered.value_or(false);
  if (offered) ++g.tls_or_starttls;
  if (offered || f.status == GrabStatusName(GrabStatus::kSuccess) ||
      f.status == GrabStatusName(GrabStatus::kStartTlsRefused) ||
      f.status == GrabStatusName(GrabStatus::kNoStartTls) ||
      f.status == GrabStatusName(GrabStatus::kTlsError)) {
    ++g.answered;
  }
  if (!implicit && f.starttls_accepted.value_or(false)) ++g.starttls_accepted;
  if (f.has_tls && f.handshake_complete) ++g.handshake_complete;

  if (f.has_server_hello) {
    g.hello.Add(f.version, f.cipher_class, f.forward_secrecy, f.dh_bits);
    scratch_.assign(f.profile);
    scratch_.push_back(kLabelSeparator);
    scratch_.append(f.version);
    Bump(&g.profile_versions, scratch_);
    Bump(&g.cipher_suites, f.suite);
    scratch_.assign(f.kx_kind);
    scratch_.push_back(kLabelSeparator);
    if (f.dh_bits >= 0) {
      absl::StrAppend(&scratch_, f.dh_bits, " bits");
    } else {
      // Records written before groups had their IANA names ("X25519",
      // "prime256v1") count with the newer ones.
      scratch_.append(IanaGroupName(f.kx_group));
    }
    Bump(&g.key_exchanges, scratch_);
  }

  if (f.has_leaf) {
    ++g.chains;
    scratch_.assign(f.key_algorithm);
    scratch_.push_back(kLabelSeparator);
    if (f.key_bits >= 0) absl::StrAppend(&scratch_, f.key_bits);
    Bump(&g.key_types, scratch_);
    Bump(&g.signature_algorithms, f.signature_algorithm);
    if (f.has_spki) ++g.spki_hosts[f.spki];
    if (f.has_cert) ++g.cert_hosts[f.cert];
    if (f.has_validation) {
      if (f.trusted) ++g.trusted;
      if (f.self_signed) ++g.self_signed;
      if (f.expired) ++g.expired;
      if (!f.name_matches.has_value()) {
        ++g.name_unchecked;
      } else if (!*f.name_matches) {
        ++g.name_mismatch;
      }
      if (!f.trusted && !f.self_signed && !f.expired) ++g.other_error;
    }
  }

  FoldRawProbes(f, &g);
  FoldEnumeration(f.enumeration, &g.enumeration);

  if (f.before_seen) FoldSide(f.mech_before, &scratch_, &g.before_tls);
  if (f.after_seen) FoldSide(f.mech_after, &scratch_, &g.after_tls);
  if (f.plaintext_before.has_value()) {
    ++g.plaintext_known;
    if (*f.plaintext_before) ++g.plaintext_before_tls;
  }
  if (f.login_disabled.has_value()) {
    ++g.login_disabled_known;
    if (*f.login_disabled) ++g.login_disabled;
  }
}

void Aggregator::FoldEnumeration(const EnumerationFacts& e, EnumerationStats* s) {
  if (!e.present) return;
  ++s->servers;
  if (e.truncated) ++s->truncated;
  for (std::string_view v : e.accepted) Bump(&s->versions, v);
  if (e.rc4) ++s->rc4;
  // Preferred: what the server hands a client offering RC4 among others,
  // whatever that client's order (see EnumerationStats).
  if (e.has_top && e.top_first_class == "RC4" &&
      (e.top_suites == 1 || e.top_server_order == std::optional<bool>(true))) {
    ++s->rc4_preferred;
  }
  if (e.export_suites) ++s->export_suites;
  if (e.des3) ++s->des3;
}

void Aggregator::FoldRawProbes(const RecordFacts& f, GroupStats* g) {
  if (f.raw_probes.empty()) return;
  // Well-known primes (dh_primes.h) of at most this size are the Logjam
  // measure: one precomputation per prime breaks every server using it
  // (Adrian et al., CCS 2015, section 3.3, for 1024 bits).
  constexpr int64_t kLogjamBits = 1024;
  bool answered = false, dhe = false, weak_known = false;
  for (size_t i = 0; i < f.raw_probes.size(); ++i) {
    const RawProbeFacts& p = f.raw_probes[i];
    auto it = g->raw_profiles.find(p.profile);
    if (it == g->raw_profiles.end()) {
      it = g->raw_profiles.emplace(std::string(p.profile), RawProfileStats()).first;
    }
    RawProfileStats& s = it->second;
    ++s.probes;
    if (p.has_alert) ++s.alerts;
    if (!p.has_server_hello) continue;
    answered = true;
    s.hello.Add(p.version, p.cipher_class, p.forward_secrecy, p.dh_bits);
    if (!p.has_prime) continue;
    dhe = true;
    if (!p.prime_name.empty() && p.dh_bits <= kLogjamBits) weak_known = true;
    // A prime counts once per server, however many profiles got it.
    bool seen_before = false;
    for (size_t j = 0; j < i; ++j) {
      seen_before = seen_before || (f.raw_probes[j].has_prime && f.raw_probes[j].prime == p.prime);
    }
    if (seen_before) continue;
    DhPrimeSeen& prime = g->dh_primes[p.prime];
    if (prime.servers++ == 0) {
      prime.bits = p.dh_bits;
      prime.name = std::string(p.prime_name);
    }
  }
  if (answered) ++g->raw_answered;
  if (dhe) ++g->raw_dhe;
  if (weak_known) ++g->raw_weak_known_prime;
}

std::vector<const GroupStats*> Aggregator::Groups() {
  // Fold each "-" group (not_grabbed records) into its port's only protocol.
  for (size_t i = 0; i < groups_.size();) {
    GroupStats& orphan = *groups_[i];
    GroupStats* target = nullptr;
    int protocols = 0;
    if (orphan.protocol == "-") {
      for (const std::unique_ptr<GroupStats>& g : groups_) {
        if (g->port == orphan.port && g->protocol != "-") {
          ++protocols;
          target = g.get();
        }
      }
    }
    if (protocols != 1) {
      ++i;
      continue;
    }
    target->records += orphan.records;
    target->open += orphan.open;
    for (const auto& [label, n] : orphan.status) target->status[label] += n;
    groups_.erase(groups_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  std::vector<const GroupStats*> out;
  for (const std::unique_ptr<GroupStats>& g : groups_) out.push_back(g.get());
  std::sort(out.begin(), out.end(), [](const GroupStats* a, const GroupStats* b) {
    return a->port != b->port ? a->port < b->port : a->protocol < b->protocol;
  });
  return out;
}

}  // namespace tlsweep::report
