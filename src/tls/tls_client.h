// One TLS client connection, sans-I/O: bytes in, bytes out, a result at the
// end.
//
// The same session runs over kernel sockets (`tlsweep grab`) and over
// tlsweep's userspace TCP on DPDK, so it never touches a socket or a clock:
// OpenSSL talks to two memory BIOs, the transport moves bytes between them and
// the network, and the protocol module drives Advance(). Deadlines belong to
// the caller, which can ask for Result() at any point and keep what was
// learned so far.
//
// Typical use:
//   auto client = TlsClient::Create(ctx, "mail.example.com");
//   client->Advance();                // produces the ClientHello
//   loop: client->DrainNetwork(&out); send(out);
//         client->FeedNetwork(received); state = client->Advance();
//   until state != kHandshaking; then Write/ReadPlaintext, Shutdown, Result.
//
// Nothing the peer sends can trigger an assert: malformed input ends the
// session in kFailed with OpenSSL's error text, and the amount of handshake
// data accepted is bounded (kMaxHandshakeBytes).
#ifndef TLSWEEP_TLS_TLS_CLIENT_H_
#define TLSWEEP_TLS_TLS_CLIENT_H_

#include <openssl/ssl.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "tls/openssl_util.h"
#include "tls/tls_context.h"
#include "tls/tls_result.h"

namespace tlsweep {

class TlsClient {
 public:
  // Most handshake bytes accepted from the peer before giving up. A real
  // server's first flight is a few KiB, rarely above 20 KiB with a long chain,
  // an OCSP staple and DH parameters; OpenSSL itself refuses certificate lists
  // above 100 KiB (SSL_CTX_set_max_cert_list's default). 256 KiB leaves slack
  // for all of that plus record overhead, while a hostile or broken peer that
  // streams data forever costs at most 256 KiB of buffer per session (256 MiB
  // for 1000 sessions in flight, the grab pool's default concurrency).
  static constexpr size_t kMaxHandshakeBytes = 256 * 1024;

  enum class State { kHandshaking, kEstablished, kFailed, kClosed };

  // `server_name` is sent as SNI and checked against the leaf certificate
  // ("" = no SNI and name_matches null). An IP literal is not sent as SNI
  // (RFC 6066 forbids it) but is matched against the certificate's IP SANs.
  // Returns InvalidArgument for a name OpenSSL cannot send (NUL bytes, more
  // than 255 bytes) and Internal when OpenSSL cannot allocate the session.
  static absl::StatusOr<std::unique_ptr<TlsClient>> Create(
      const TlsContext& context, std::string_view server_name);

  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // Bytes received from the peer. Ignored once the session is kFailed or
  // kClosed; during the handshake, more than kMaxHandshakeBytes in total
  // fails the session.
  void FeedNetwork(std::string_view bytes);
  // The peer closed its side (TCP FIN). The next Advance() sees end of
  // stream: during the handshake that is a failure, afterwards kClosed.
  void FeedEof();
  // Appends the bytes OpenSSL wants sent to the peer and empties the buffer.
  void DrainNetwork(std::string* out);

  // Drives the handshake, then reads whatever application data has arrived.
  // Call once after Create (to produce the ClientHello) and after each
  // FeedNetwork / FeedEof. Returns the new state.
  State Advance();
  State state() const { return state_; }
  // True once the handshake has completed, even if the session later failed
  // or closed.
  bool handshake_complete() const { return handshake_complete_; }

  // Encrypts application data into the network output. Data written during
  // the handshake is queued and sent once it completes; ignored after
  // kFailed / kClosed.
  void Write(std::string_view plaintext);
  // Appends the application data decrypted so far and empties the buffer.
  void ReadPlaintext(std::string* out);
  // Sends close_notify (when established) and moves to kClosed.
  void Shutdown();

  // Why the session failed: the stage, OpenSSL's SSL_get_error code and its
  // drained error queue (which names received alerts). Empty otherwise.
  const std::string& error() const { return error_; }

  // What the handshake established so far (output/tls_json.h makes it the
  // record's "tls" object, ZGrab2's tls module's shape). Parts the handshake
  // did not reach are absent; a chain received before a failure is still
  // there. In TLS 1.3 session tickets arrive after the handshake, so
  // session_ticket reflects what was read up to this call.
  TlsResult Result() const;

 private:
  TlsClient(TlsProfile profile, std::string server_name, SslPtr ssl)
      : profile_(profile),
        server_name_(std::move(server_name)),
        ssl_(std::move(ssl)) {}

  using SecurityCallback = int (*)(const SSL*, const SSL_CTX*, int op, int bits,
                                   int nid, void* other, void* ex);

  static void InfoCallback(const SSL* ssl, int where, int ret);
  // Wraps OpenSSL's security callback to note the server's DH prime size
  // before the profile's security level may reject it: the study counts weak
  // DH parameters even when the handshake then fails.
  static int SecurityCheck(const SSL* ssl, const SSL_CTX* ctx, int op, int bits,
                           int nid, void* other, void* ex);

  void Fail(std::string_view stage, int ssl_error);
  void FailWith(std::string text);
  void ReadAvailable();
  void WriteNow(std::string_view plaintext);

  TlsProfile profile_;
  std::string server_name_;
  SslPtr ssl_;
  BIO* rbio_ = nullptr;  // owned by ssl_
  BIO* wbio_ = nullptr;  // owned by ssl_
  State state_ = State::kHandshaking;
  bool handshake_complete_ = false;
  size_t handshake_bytes_fed_ = 0;
  std::string error_;
  std::string plaintext_;
  std::string pending_write_;
  std::optional<TlsAlert> alert_;  // the last non-close_notify alert
  SecurityCallback default_security_check_ = nullptr;
  int offered_dh_bits_ = 0;  // server's DH prime size, 0 = none seen
};

}  // namespace tlsweep

#endif  // TLSWEEP_TLS_TLS_CLIENT_H_
