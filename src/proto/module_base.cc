// See module_base.h.
#include "proto/module_base.h"

#include <utility>

#include "proto/text.h"

namespace tlsweep {


ModuleBase::ModuleBase(std::string name, bool implicit_tls,
                       const ModuleOptions& options)
    : options_(options), name_(std::move(name)), implicit_tls_(implicit_tls) {}

void ModuleBase::SendLine(ModuleActions* a, std::string_view line) {
  a->send.append(line);
  a->send.append("\r\n");
}

void ModuleBase::Finish(GrabStatus status, std::string_view goodbye,
                        ModuleActions* a) {
  if (done_) return;
  a->send.append(goodbye);
  a->finished = true;
  done_ = true;
  status_ = status;
  phase_ = "done";
}

void ModuleBase::Fail(GrabStatus status, std::string_view error,
                      ModuleActions* a) {
  if (done_) return;
  if (error_.empty()) error_ = std::string(error);
  a->finished = true;
  done_ = true;
  status_ = status;
  // phase_ keeps where the dialogue broke.
}

void ModuleBase::RequestStartTls(ModuleActions* a) {
  a->start_tls = true;
  awaiting_tls_ = true;
  starttls_accepted_ = true;
  phase_ = "tls-handshake";
}

void ModuleBase::OnConnected(ModuleActions* a) {
  tls_up_ = implicit_tls_;
  Start(a);
}

void ModuleBase::OnTlsEstablished(ModuleActions* a) {
  if (done_ || !awaiting_tls_) return;
  awaiting_tls_ = false;
  tls_up_ = true;
  ResumeAfterTls(a);
}

bool ModuleBase::CountBytes(size_t n, ModuleActions* a) {
  bytes_read_ += n;
  if (bytes_read_ <= options_.max_session_bytes) return true;
  Fail(GrabStatus::kTooMuchData, "session byte limit exceeded", a);
  return false;
}

void ModuleBase::OnTlsFailed() {
  if (done_) return;
  awaiting_tls_ = false;
  done_ = true;
  status_ = GrabStatus::kTlsError;
}

void ModuleBase::OnPeerClosed() {
  if (done_) return;
  done_ = true;
  status_ = GrabStatus::kConnectionClosed;
}

void ModuleBase::OnTimeout() {
  if (done_) return;
  done_ = true;
  status_ = GrabStatus::kIoTimeout;
}

ModuleResult ModuleBase::Result() const {
  ModuleResult r;
  r.status = status();
  r.phase = phase_;
  r.implicit_tls = implicit_tls_;
  r.banner = banner_;
  r.before_tls = before_tls_;
  if (before_tls_.seen) r.plaintext_auth_before_tls = PlaintextAuthBeforeTls();
  if (!implicit_tls_ && before_tls_.seen) {
    r.starttls = StartTlsResult{
        .offered = starttls_offered_,
        .attempted = starttls_attempted_,
        .accepted = starttls_accepted_,
        .reply = starttls_reply_,
        .plaintext_bytes_after_go_ahead = discarded_after_starttls_,
    };
  }
  r.after_tls = after_tls_;
  r.error = error_;
  r.extras = Extras();
  return r;
}

LineModule::LineModule(std::string name, bool implicit_tls,
                       const ModuleOptions& options)
    : ModuleBase(std::move(name), implicit_tls, options),
      reader_(options.max_line_length) {}

void LineModule::OnData(std::string_view plaintext, ModuleActions* a) {
  if (done()) return;
  if (awaiting_tls_) {
    CountDiscardedAfterStartTls(plaintext.size());
    return;
  }
  if (!CountBytes(plaintext.size(), a)) return;
  reader_.Feed(plaintext);
  while (!ignoring_input()) {
    std::string_view line;
    const LineReader::Result r = reader_.Next(&line);
    if (r == LineReader::Result::kNeedMore) break;
    if (r == LineReader::Result::kTooLong) {
      Fail(GrabStatus::kProtocolError, "line too long", a);
      break;
    }
    OnLine(line, a);
  }
  if (awaiting_tls_) {
    // Whatever followed the go-ahead in plaintext is not the server's TLS
    // (it waits for our ClientHello): drop it, never interpret it.
    CountDiscardedAfterStartTls(reader_.buffered());
    reader_.Clear();
  }
}

}  // namespace tlsweep
