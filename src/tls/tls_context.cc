// See tls_context.h.
#include "tls/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace tlsweep {

namespace {

absl::Status OpenSslError(std::string_view what) {
  std::string detail = DrainOpenSslErrors();
  if (detail.empty()) detail = "unknown OpenSSL error";
  return absl::InternalError(absl::StrCat(std::string(what), ": ", detail));
}

}  // namespace

absl::StatusOr<TlsProfile> ParseTlsProfile(std::string_view name) {
  if (name == "modern") return TlsProfile::kModern;
  if (name == "legacy") return TlsProfile::kLegacy;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown TLS profile '", std::string(name),
                   "' (expected modern or legacy)"));
}

std::string_view TlsProfileName(TlsProfile profile) {
  switch (profile) {
    case TlsProfile::kModern:
      return "modern";
    case TlsProfile::kLegacy:
      return "legacy";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::Create(
    TlsProfile profile, const std::string& ca_file) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (ctx == nullptr) return OpenSslError("SSL_CTX_new");

  int min_version = TLS1_2_VERSION;
  int security_level = 2;
  const char* cipher_list = "DEFAULT";
  if (profile == TlsProfile::kLegacy) {
    min_version = TLS1_VERSION;
    security_level = 0;
    cipher_list = "ALL:@SECLEVEL=0";
    // Old servers that do not implement secure renegotiation (RFC 5746) are
    // refused by OpenSSL 3 unless this is set; they are part of what we study.
    SSL_CTX_set_options(ctx.get(), SSL_OP_LEGACY_SERVER_CONNECT);
  }
  // Servers that close without close_notify are common; the record keeps what
  // was learned, so an unexpected EOF is an ordinary close, not an error.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  // A grab spends most of its life waiting for the server; without their
  // ~17 KB read and write buffers in between, a session in flight costs a
  // third as much (bench/RESULTS.md section 7: 10,000+ grabs held open).
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);

  if (SSL_CTX_set_min_proto_version(ctx.get(), min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx.get(), TLS1_3_VERSION) != 1) {
    return OpenSslError(absl::StrCat("SSL_CTX_set_{min,max}_proto_version(",
                                     std::string(TlsProfileName(profile)),
                                     ")"));
  }
  SSL_CTX_set_security_level(ctx.get(), security_level);
  if (SSL_CTX_set_cipher_list(ctx.get(), cipher_list) != 1) {
    return OpenSslError(
        absl::StrCat("SSL_CTX_set_cipher_list(", cipher_list, ")"));
  }
  if (SSL_CTX_set_ciphersuites(ctx.get(), TLS_DEFAULT_CIPHERSUITES) != 1) {
    return OpenSslError("SSL_CTX_set_ciphersuites");
  }
  // Record, never refuse: the verification result is read after the
  // handshake with SSL_get_verify_result.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);

  if (ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
      return OpenSslError("SSL_CTX_set_default_verify_paths");
    }
  } else if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(),
                                           nullptr) != 1) {
    return OpenSslError(
        absl::StrCat("SSL_CTX_load_verify_locations(", ca_file, ")"));
  }
  return std::unique_ptr<TlsContext>(new TlsContext(profile, std::move(ctx)));
}

}  // namespace tlsweep
