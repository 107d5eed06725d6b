// Small OpenSSL helpers shared by the TLS client and certificate extraction.
//
// OpenSSL hands out raw pointers with matching free functions; every object we
// own is held by one of the unique_ptr aliases below so that no error path can
// leak it. The other helpers turn OpenSSL's thread-local error queue and
// peer-supplied bytes into text that is safe to put into a JSON record:
// nlohmann::json throws on invalid UTF-8 when dumping, and certificates and
// alerts come from the network, so every peer-derived string goes through
// JsonSafe() first.
#ifndef TLSWEEP_TLS_OPENSSL_UTIL_H_
#define TLSWEEP_TLS_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace tlsweep {

template <auto kFree>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslDeleter<SSL_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;
// A STACK_OF(X509) that owns its certificates.
inline void FreeX509Stack(STACK_OF(X509) * stack) { sk_X509_pop_free(stack, X509_free); }
using X509StackPtr = std::unique_ptr<STACK_OF(X509), OpenSslDeleter<FreeX509Stack>>;

// Empties this thread's OpenSSL error queue and returns its entries joined by
// "; " (empty when the queue was empty). Call it right after a failing OpenSSL
// call so that errors never leak into the next session on the same thread.
std::string DrainOpenSslErrors();

// Lower-case hex of `bytes` without separators.
std::string HexEncode(std::string_view bytes);

// Standard base64 (RFC 4648, with padding, no line breaks).
std::string Base64Encode(std::string_view bytes);

// SHA-256 of `bytes` as 64 lower-case hex digits ("" if the digest failed).
std::string Sha256Hex(std::string_view bytes);

// Returns `bytes` unchanged if it is valid UTF-8 without control characters
// other than tab, CR and LF; otherwise every offending byte is replaced by
// "\xNN". The result is always valid UTF-8, so json::dump() cannot throw.
std::string JsonSafe(std::string_view bytes);

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_OPENSSL_UTIL_H_
