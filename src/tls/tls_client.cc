// See tls_client.h.
#include "tls/tls_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tls/cert_info.h"
#include "tls/tls_registry.h"

namespace tlsweep {

namespace {

// Plaintext is read in records of at most 16 KiB (the TLS record limit).
constexpr size_t kReadChunk = 16 * 1024;

bool IsIpLiteral(const std::string& name) {
  unsigned char addr[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), addr) == 1 ||
         inet_pton(AF_INET6, name.c_str(), addr) == 1;
}

const char* SslErrorName(int ssl_error) {
  switch (ssl_error) {
    case SSL_ERROR_NONE:
      return "SSL_ERROR_NONE";
    case SSL_ERROR_SSL:
      return "SSL_ERROR_SSL";
    case SSL_ERROR_WANT_READ:
      return "SSL_ERROR_WANT_READ";
    case SSL_ERROR_WANT_WRITE:
      return "SSL_ERROR_WANT_WRITE";
    case SSL_ERROR_SYSCALL:
      return "SSL_ERROR_SYSCALL";
    case SSL_ERROR_ZERO_RETURN:
      return "SSL_ERROR_ZERO_RETURN";
    default:
      return "SSL_ERROR_OTHER";
  }
}

// TLS group name as the IANA registry spells it ("x25519", "secp256r1",
// "ffdhe2048"; tls_registry.h), as a raw probe's record names it.
std::string GroupName(int nid) {
  if (nid == NID_undef) return "";
  if ((nid & TLSEXT_nid_unknown) != 0) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%04X", nid & 0xffff);
    return buf;
  }
  const char* sn = OBJ_nid2sn(nid);
  return sn != nullptr ? std::string(IanaGroupName(sn)) : "";
}

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The SignatureScheme name (RFC 8446 4.2.3) for what the server signed with,
// or "" when there is none (TLS < 1.2 uses fixed MD5+SHA1 / SHA1).
std::string SignatureSchemeName(int type_nid, int hash_nid, bool pss_key) {
  const std::string hash =
      hash_nid != NID_undef && OBJ_nid2sn(hash_nid) != nullptr
          ? Lower(OBJ_nid2sn(hash_nid))
          : "";
  const bool known_hash = hash == "sha1" || hash == "sha224" ||
                          hash == "sha256" || hash == "sha384" ||
                          hash == "sha512";
  switch (type_nid) {
    case NID_ED25519:
      return "ed25519";
    case NID_ED448:
      return "ed448";
    case NID_rsassaPss:
      return known_hash ? (pss_key ? "rsa_pss_pss_" : "rsa_pss_rsae_") + hash
                        : "";
    case NID_rsaEncryption:
      return known_hash ? "rsa_pkcs1_" + hash : "";
    case NID_dsa:
      return known_hash ? "dsa_" + hash : "";
    case NID_X9_62_id_ecPublicKey:
      if (hash == "sha256") return "ecdsa_secp256r1_sha256";
      if (hash == "sha384") return "ecdsa_secp384r1_sha384";
      if (hash == "sha512") return "ecdsa_secp521r1_sha512";
      if (hash == "sha1" || hash == "sha224") return "ecdsa_" + hash;
      return "";
    default:
      return "";
  }
}

// The study's cipher classes. Export suites are recognised by name only:
// OpenSSL 3 can no longer negotiate them.
std::string CipherClassOf(const SSL_CIPHER* cipher) {
  const std::string_view name = SSL_CIPHER_get_name(cipher);
  if (name.find("EXP") != std::string_view::npos) return "EXPORT";
  const int nid = SSL_CIPHER_get_cipher_nid(cipher);
  if (nid == NID_undef) return "NULL";
  if (nid == NID_rc4 || nid == NID_rc4_40 || nid == NID_rc4_hmac_md5) {
    return "RC4";
  }
  if (nid == NID_des_ede3_cbc) return "3DES";
  if (SSL_CIPHER_is_aead(cipher) == 1) return "AEAD";
  return "CBC";
}

// The key exchange's kind, group and DH prime size, and forward secrecy.
void ReadKeyExchange(SSL* ssl, const SSL_CIPHER* cipher,
                     TlsResult::Negotiated* out) {
  std::string kind;
  if (SSL_version(ssl) >= TLS1_3_VERSION) {
    kind = "TLS1.3";
  } else {
    switch (SSL_CIPHER_get_kx_nid(cipher)) {
      case NID_kx_ecdhe:
      case NID_kx_ecdhe_psk:
        kind = "ECDHE";
        break;
      case NID_kx_dhe:
      case NID_kx_dhe_psk:
        kind = "DHE";
        break;
      case NID_kx_rsa:
      case NID_kx_rsa_psk:
        kind = "RSA";
        break;
      case NID_kx_psk:
        kind = "PSK";
        break;
      case NID_kx_srp:
        kind = "SRP";
        break;
      default: {
        const char* sn = OBJ_nid2sn(SSL_CIPHER_get_kx_nid(cipher));
        kind = sn != nullptr ? sn : "unknown";
      }
    }
  }
  out->forward_secrecy = kind == "ECDHE" || kind == "DHE" || kind == "TLS1.3";
  out->kx_kind = std::move(kind);

  const std::string group = GroupName(SSL_get_negotiated_group(ssl));
  if (!group.empty()) out->kx_group = group;
  // The peer's ephemeral key: DH prime size, or the curve when OpenSSL did not
  // report a group.
  EVP_PKEY* raw_tmp = nullptr;
  if (SSL_get_peer_tmp_key(ssl, &raw_tmp) == 1 && raw_tmp != nullptr) {
    EvpPkeyPtr tmp(raw_tmp);
    const int base = EVP_PKEY_get_base_id(tmp.get());
    if (base == EVP_PKEY_DH || base == EVP_PKEY_DHX) {
      out->kx_dh_prime_bits = EVP_PKEY_get_bits(tmp.get());
    } else if (group.empty()) {
      char name[64];
      size_t len = 0;
      if (EVP_PKEY_get_group_name(tmp.get(), name, sizeof(name), &len) == 1) {
        out->kx_group = JsonSafe(IanaGroupName(std::string_view(name, len)));
      } else if (const char* type = EVP_PKEY_get0_type_name(tmp.get())) {
        out->kx_group = JsonSafe(IanaGroupName(type));
      }
    }
  }
  DrainOpenSslErrors();
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsClient>> TlsClient::Create(
    const TlsContext& context, std::string_view server_name) {
  if (server_name.find('\0') != std::string_view::npos ||
      server_name.size() > TLSEXT_MAXLEN_host_name) {
    return absl::InvalidArgumentError(
        "server name contains NUL or is longer than 255 bytes");
  }
  ERR_clear_error();
  SslPtr ssl(SSL_new(context.ssl_ctx()));
  if (ssl == nullptr) {
    return absl::InternalError(absl::StrCat("SSL_new: ", DrainOpenSslErrors()));
  }
  BioPtr rbio(BIO_new(BIO_s_mem()));
  BioPtr wbio(BIO_new(BIO_s_mem()));
  if (rbio == nullptr || wbio == nullptr) {
    return absl::InternalError(
        absl::StrCat("BIO_new(BIO_s_mem): ", DrainOpenSslErrors()));
  }
  std::unique_ptr<TlsClient> client(new TlsClient(
      context.profile(), std::string(server_name), std::move(ssl)));
  SSL* s = client->ssl_.get();
  client->rbio_ = rbio.get();
  client->wbio_ = wbio.get();
  SSL_set_bio(s, rbio.release(), wbio.release());  // s now owns both
  SSL_set_connect_state(s);
  if (!client->server_name_.empty() && !IsIpLiteral(client->server_name_) &&
      // SSL_set_tlsext_host_name() without its macro's C-style cast.
      SSL_ctrl(s, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(client->server_name_.c_str())) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("SSL_set_tlsext_host_name(", client->server_name_,
                     "): ", DrainOpenSslErrors()));
  }
  // Ask for an OCSP staple so that ocsp_stapled means something.
  if (SSL_set_tlsext_status_type(s, TLSEXT_STATUSTYPE_ocsp) != 1) {
    return absl::InternalError(
        absl::StrCat("SSL_set_tlsext_status_type: ", DrainOpenSslErrors()));
  }
  SSL_set_app_data(s, client.get());
  SSL_set_info_callback(s, &TlsClient::InfoCallback);
  client->default_security_check_ = SSL_get_security_callback(s);
  if (client->default_security_check_ != nullptr) {
    SSL_set_security_callback(s, &TlsClient::SecurityCheck);
  }
  return client;
}

void TlsClient::InfoCallback(const SSL* ssl, int where, int ret) {
  if ((where & SSL_CB_ALERT) == 0) return;
  auto* self = static_cast<TlsClient*>(SSL_get_app_data(ssl));
  const int description = ret & 0xff;
  if (self == nullptr || description == SSL_AD_CLOSE_NOTIFY) return;
  self->alert_ = TlsAlert{
      .received = (where & SSL_CB_READ) != 0,
      .level = JsonSafe(SSL_alert_type_string_long(ret)),
      .description = JsonSafe(SSL_alert_desc_string_long(ret)),
      .value = description,
  };
}

int TlsClient::SecurityCheck(const SSL* ssl, const SSL_CTX* ctx, int op,
                             int bits, int nid, void* other, void* ex) {
  auto* self =
      ssl != nullptr ? static_cast<TlsClient*>(SSL_get_app_data(ssl)) : nullptr;
  if (self == nullptr || self->default_security_check_ == nullptr) return 0;
  if (op == SSL_SECOP_TMP_DH && other != nullptr) {
    self->offered_dh_bits_ = EVP_PKEY_get_bits(static_cast<EVP_PKEY*>(other));
  }
  return self->default_security_check_(ssl, ctx, op, bits, nid, other, ex);
}

void TlsClient::FeedNetwork(std::string_view bytes) {
  if (state_ == State::kFailed || state_ == State::kClosed || bytes.empty()) {
    return;
  }
  if (!handshake_complete_) {
    handshake_bytes_fed_ += bytes.size();
    if (handshake_bytes_fed_ > kMaxHandshakeBytes) {
      FailWith(absl::StrCat("handshake: peer sent more than ",
                            kMaxHandshakeBytes, " bytes"));
      return;
    }
  }
  // Memory BIOs grow as needed; BIO_write takes an int, so write in chunks.
  while (!bytes.empty()) {
    const size_t n = std::min<size_t>(bytes.size(), 1 << 30);
    if (BIO_write(rbio_, bytes.data(), static_cast<int>(n)) <= 0) {
      FailWith(absl::StrCat("BIO_write: ", DrainOpenSslErrors()));
      return;
    }
    bytes.remove_prefix(n);
  }
}

void TlsClient::FeedEof() {
  // From now on an empty read BIO means end of stream instead of "retry".
  BIO_set_mem_eof_return(rbio_, 0);
}

void TlsClient::DrainNetwork(std::string* out) {
  char buf[kReadChunk];
  for (;;) {
    const int n = BIO_read(wbio_, buf, sizeof(buf));
    if (n <= 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
}

TlsClient::State TlsClient::Advance() {
  if (state_ == State::kHandshaking) {
    ERR_clear_error();
    const int ret = SSL_do_handshake(ssl_.get());
    if (ret != 1) {
      const int err = SSL_get_error(ssl_.get(), ret);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        return state_;
      }
      Fail("handshake", err);
      return state_;
    }
    handshake_complete_ = true;
    state_ = State::kEstablished;
    if (!pending_write_.empty()) {
      std::string pending;
      pending.swap(pending_write_);
      WriteNow(pending);
    }
  }
  if (state_ == State::kEstablished) ReadAvailable();
  return state_;
}

void TlsClient::ReadAvailable() {
  char buf[kReadChunk];
  for (;;) {
    ERR_clear_error();
    size_t n = 0;
    const int ret = SSL_read_ex(ssl_.get(), buf, sizeof(buf), &n);
    if (ret == 1) {
      plaintext_.append(buf, n);
      continue;
    }
    const int err = SSL_get_error(ssl_.get(), ret);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
    if (err == SSL_ERROR_ZERO_RETURN) {
      // close_notify, or (SSL_OP_IGNORE_UNEXPECTED_EOF) a bare EOF.
      DrainOpenSslErrors();
      state_ = State::kClosed;
      return;
    }
    Fail("read", err);
    return;
  }
}

void TlsClient::Write(std::string_view plaintext) {
  if (plaintext.empty()) return;
  if (state_ == State::kHandshaking) {
    pending_write_.append(plaintext);
  } else if (state_ == State::kEstablished) {
    WriteNow(plaintext);
  }
}

void TlsClient::WriteNow(std::string_view plaintext) {
  ERR_clear_error();
  size_t written = 0;
  const int ret =
      SSL_write_ex(ssl_.get(), plaintext.data(), plaintext.size(), &written);
  if (ret != 1) Fail("write", SSL_get_error(ssl_.get(), ret));
}

void TlsClient::ReadPlaintext(std::string* out) {
  out->append(plaintext_);
  plaintext_.clear();
}

void TlsClient::Shutdown() {
  if (state_ == State::kEstablished) {
    ERR_clear_error();
    // 0 = close_notify sent, the peer's not yet seen: all we need.
    if (SSL_shutdown(ssl_.get()) < 0) DrainOpenSslErrors();
  }
  if (state_ != State::kFailed) state_ = State::kClosed;
}

void TlsClient::Fail(std::string_view stage, int ssl_error) {
  std::string text =
      absl::StrCat(std::string(stage), ": ", SslErrorName(ssl_error));
  const std::string queue = DrainOpenSslErrors();
  if (!queue.empty()) {
    absl::StrAppend(&text, ": ", queue);
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    absl::StrAppend(&text, ": connection closed by peer");
  }
  if (alert_.has_value() && alert_->received) {
    absl::StrAppend(&text, " (alert received: ", alert_->description, ")");
  }
  FailWith(std::move(text));
}

void TlsClient::FailWith(std::string text) {
  error_ = JsonSafe(text);
  state_ = State::kFailed;
}

TlsResult TlsClient::Result() const {
  SSL* ssl = ssl_.get();
  TlsResult result;
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  // A handshake that failed after ServerHello has only the pending cipher.
  if (cipher == nullptr) cipher = SSL_get_pending_cipher(ssl);
  if (cipher != nullptr) {
    TlsResult::Negotiated& n = result.negotiated.emplace();
    const uint16_t id = SSL_CIPHER_get_protocol_id(cipher);
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%04X", id);
    const char* standard = SSL_CIPHER_standard_name(cipher);
    n.version_name = SSL_get_version(ssl);
    n.version_value = SSL_version(ssl);
    n.cipher_name = standard != nullptr ? standard : SSL_CIPHER_get_name(cipher);
    n.cipher_openssl_name = SSL_CIPHER_get_name(cipher);
    n.cipher_hex = hex;
    n.cipher_value = id;
    ReadKeyExchange(ssl, cipher, &n);
    if (n.kx_kind == "DHE" && !n.kx_dh_prime_bits && offered_dh_bits_ > 0) {
      // The handshake stopped at the DH check: keep the size it refused.
      n.kx_dh_prime_bits = offered_dh_bits_;
    }
    n.cipher_class = CipherClassOf(cipher);
  }

  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);  // borrowed
  X509* leaf = SSL_get0_peer_certificate(ssl);           // borrowed
  if (chain != nullptr && sk_X509_num(chain) > 0) {
    TlsResult::Certificates& certs = result.certificates.emplace();
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      X509* cert = sk_X509_value(chain, i);
      if (cert != nullptr) certs.chain.push_back(ParseCertificate(cert));
    }
    if (leaf == nullptr) leaf = sk_X509_value(chain, 0);
    certs.validation = ValidateLeaf(ssl, leaf, server_name_);
  }

  if (cipher != nullptr) {
    TlsResult::Negotiated& n = *result.negotiated;
    int type_nid = NID_undef;
    if (SSL_get_peer_signature_type_nid(ssl, &type_nid) == 1) {
      int hash_nid = NID_undef;
      SSL_get_peer_signature_nid(ssl, &hash_nid);
      const bool pss_key =
          leaf != nullptr && X509_get0_pubkey(leaf) != nullptr &&
          EVP_PKEY_get_base_id(X509_get0_pubkey(leaf)) == EVP_PKEY_RSA_PSS;
      TlsResult::Negotiated::Signature& sig = n.server_signature.emplace();
      const char* type_sn = OBJ_nid2sn(type_nid);
      const char* hash_sn = OBJ_nid2sn(hash_nid);
      sig.type = type_sn != nullptr ? type_sn : "unknown";
      sig.hash = hash_sn != nullptr ? hash_sn : "unknown";
      sig.scheme = SignatureSchemeName(type_nid, hash_nid, pss_key);
    }
    const SSL_SESSION* session = SSL_get_session(ssl);
    n.session_ticket = session != nullptr && SSL_SESSION_has_ticket(session) == 1;
    const unsigned char* ocsp = nullptr;
    const long ocsp_len = SSL_get_tlsext_status_ocsp_resp(ssl, &ocsp);
    n.ocsp_stapled = ocsp != nullptr && ocsp_len > 0;
  }
  DrainOpenSslErrors();

  result.profile = std::string(TlsProfileName(profile_));
  result.handshake_complete = handshake_complete_;
  result.alert = alert_;
  result.error = error_;
  return result;
}

}  // namespace tlsweep
