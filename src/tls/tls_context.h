// Client-side TLS configuration shared by every connection of a run.
//
// A study compares what servers negotiate when offered different ClientHellos,
// so the configuration is a small set of named profiles rather than free-form
// OpenSSL strings: each record names the profile that produced it, and two runs
// with the same profile offer the same thing on any host. The profiles pin
// everything that would otherwise come from the host's openssl.cnf (cipher
// list, versions, security level), because distributions change those
// defaults (Debian sets security level 2, upstream 1).
//
// The context never refuses a peer: verification runs (against the system
// store or --ca-file) only to be recorded, with SSL_VERIFY_NONE.
#ifndef TLSWEEP_TLS_TLS_CONTEXT_H_
#define TLSWEEP_TLS_TLS_CONTEXT_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tls/openssl_util.h"

namespace tlsweep {

enum class TlsProfile {
  // TLS 1.2-1.3, OpenSSL's DEFAULT cipher list and TLS 1.3 suites, default
  // groups, security level 2 (what current distributions ship).
  kModern,
  // TLS 1.0-1.3, "ALL:@SECLEVEL=0" ciphers, security level 0 and legacy
  // (pre-RFC 5746) servers allowed: everything the linked OpenSSL can still
  // offer, to see what a server picks when weak options are on the table.
  // OpenSSL 3 no longer implements export suites and Debian builds it
  // without SSLv3, so those can be seen only as failed handshakes.
  kLegacy,
};

// "modern" / "legacy" -> profile; InvalidArgument otherwise.
absl::StatusOr<TlsProfile> ParseTlsProfile(std::string_view name);
// The name used in flags and records.
std::string_view TlsProfileName(TlsProfile profile);

class TlsContext {
 public:
  // Builds the client SSL_CTX for `profile`. `ca_file` is a PEM file of trusted
  // roots; "" loads the system's default store. Returns an error carrying
  // OpenSSL's text when the context or the store cannot be set up.
  static absl::StatusOr<std::unique_ptr<TlsContext>> Create(
      TlsProfile profile, const std::string& ca_file);

  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  TlsProfile profile() const { return profile_; }
  // Borrowed; valid for the lifetime of this object. SSL objects made from it
  // take their own reference, so sessions may outlive the TlsContext.
  SSL_CTX* ssl_ctx() const { return ctx_.get(); }

 private:
  TlsContext(TlsProfile profile, SslCtxPtr ctx)
      : profile_(profile), ctx_(std::move(ctx)) {}

  TlsProfile profile_;
  SslCtxPtr ctx_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_TLS_CONTEXT_H_
