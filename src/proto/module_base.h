// Shared state and bookkeeping of all protocol modules.
//
// Every module records the same kinds of facts (banner, capabilities and SASL
// mechanisms before and after TLS, what happened to STARTTLS) and handles the
// terminal events (TLS failed, peer closed, deadline) the same way: keep what
// was learned, set the status once. ModuleBase holds that, so the modules are
// only their state machines and `tlsweep report` sees one record shape for
// all protocols. LineModule adds the bounded line reader for the line protocols.
#ifndef TLSWEEP_PROTO_MODULE_BASE_H_
#define TLSWEEP_PROTO_MODULE_BASE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/line_reader.h"
#include "proto/module.h"

namespace tlsweep {

class ModuleBase : public ProtocolModule {
 public:
  ModuleBase(std::string name, bool implicit_tls, const ModuleOptions& options);

  std::string_view name() const override { return name_; }
  bool implicit_tls() const override { return implicit_tls_; }
  // On implicit-TLS ports TLS is already up; then Start().
  void OnConnected(ModuleActions* a) final;
  // After the STARTTLS handshake (and only then): ResumeAfterTls().
  void OnTlsEstablished(ModuleActions* a) final;
  void OnTlsFailed() override;
  void OnPeerClosed() override;
  void OnTimeout() override;
  bool done() const override { return done_; }
  GrabStatus status() const override {
    return done_ ? status_ : GrabStatus::kUnknownError;
  }
  std::string_view phase() const override { return phase_; }
  ModuleResult Result() const override;

 protected:
  // The dialogue's first step, once connected (and, on an implicit-TLS
  // port, with TLS up: tls_up_).
  virtual void Start(ModuleActions* a) = 0;
  // The first step inside TLS after STARTTLS.
  virtual void ResumeAfterTls(ModuleActions* a) = 0;
  // Module-specific facts for Result().
  virtual ModuleExtras Extras() const { return std::monostate(); }
  // Whether plaintext authentication was offered before TLS; only asked
  // when before_tls_.seen.
  virtual bool PlaintextAuthBeforeTls() const {
    return before_tls_.OffersPlaintextMechanism();
  }

  // Appends `line` + CR LF to what the session sends.
  static void SendLine(ModuleActions* a, std::string_view line);
  // Ends the dialogue with `status`, sending `goodbye` (may be empty).
  void Finish(GrabStatus status, std::string_view goodbye, ModuleActions* a);
  // Ends the dialogue without sending anything (the peer is not speaking
  // the protocol or broke a bound); `error` goes into the record.
  void Fail(GrabStatus status, std::string_view error, ModuleActions* a);
  // Asks the session to start TLS after sending what is queued.
  void RequestStartTls(ModuleActions* a);
  // Counts `n` plaintext bytes from the peer; false (and the dialogue
  // failed with too-much-data) once max_session_bytes is exceeded.
  bool CountBytes(size_t n, ModuleActions* a);
  // The capability set for the current side of the TLS upgrade (implicit
  // TLS modules only ever fill after_tls_).
  CapabilitySet& current_caps() { return tls_up_ ? after_tls_ : before_tls_; }
  // True while OnData must ignore input: finished, or waiting for the
  // handshake after start_tls.
  bool ignoring_input() const { return done_ || awaiting_tls_; }
  // Records peer bytes that were sent after the STARTTLS go-ahead and
  // before the handshake; they are discarded.
  void CountDiscardedAfterStartTls(size_t n) { discarded_after_starttls_ += n; }
  void set_phase(std::string_view phase) { phase_ = phase; }

  const ModuleOptions options_;
  std::string banner_;
  CapabilitySet before_tls_;
  CapabilitySet after_tls_;
  bool starttls_offered_ = false;
  bool starttls_attempted_ = false;
  bool starttls_accepted_ = false;
  std::string starttls_reply_;  // the server's answer to STARTTLS
  bool tls_up_ = false;
  bool awaiting_tls_ = false;
  std::string error_;

 private:
  const std::string name_;
  const bool implicit_tls_;
  bool done_ = false;
  GrabStatus status_ = GrabStatus::kUnknownError;
  std::string_view phase_ = "connect";
  size_t bytes_read_ = 0;
  size_t discarded_after_starttls_ = 0;
};

// Base of the line protocols: OnData splits into lines and calls OnLine.
class LineModule : public ModuleBase {
 public:
  LineModule(std::string name, bool implicit_tls, const ModuleOptions& options);

  void OnData(std::string_view plaintext, ModuleActions* a) final;

 protected:
  // One complete line without its terminator.
  virtual void OnLine(std::string_view line, ModuleActions* a) = 0;

 private:
  LineReader reader_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_PROTO_MODULE_BASE_H_
