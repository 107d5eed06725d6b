// See module_base.h.
#include "proto/module_base.h"

#include <utility>

#include "proto/text.h"

namespace tlsweep {

using proto_text::AsciiUpper;
using proto_text::JsonSafe;

std::string_view GrabStatusName(GrabStatus status) {
  switch (status) {
    case GrabStatus::kSuccess:
      return "success";
    case GrabStatus::kConnectionRefused:
      return "connection-refused";
    case GrabStatus::kConnectionTimeout:
      return "connection-timeout";
    case GrabStatus::kConnectionClosed:
      return "connection-closed";
    case GrabStatus::kIoTimeout:
      return "io-timeout";
    case GrabStatus::kProtocolError:
      return "protocol-error";
    case GrabStatus::kApplicationError:
      return "application-error";
    case GrabStatus::kStartTlsRefused:
      return "starttls-refused";
    case GrabStatus::kNoStartTls:
      return "no-starttls";
    case GrabStatus::kTlsError:
      return "tls-error";
    case GrabStatus::kTooMuchData:
      return "too-much-data";
    case GrabStatus::kUnknownError:
      return "unknown-error";
  }
  return "unknown-error";
}

void CapabilitySet::AddMechanism(std::string_view mech) {
  std::string upper = AsciiUpper(mech);
  if (upper.empty() || HasMechanism(upper)) return;
  mechanisms.push_back(std::move(upper));
}

bool CapabilitySet::HasMechanism(std::string_view mech) const {
  for (const std::string& m : mechanisms) {
    if (proto_text::EqualsIgnoreCase(m, mech)) return true;
  }
  return false;
}

bool CapabilitySet::OffersPlaintextMechanism() const {
  return HasMechanism("PLAIN") || HasMechanism("LOGIN");
}

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

namespace {

nlohmann::json StringArray(const std::vector<std::string>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& s : v) out.push_back(JsonSafe(s));
  return out;
}

nlohmann::json CapsJson(const CapabilitySet& caps) {
  nlohmann::json out = nlohmann::json::object();
  out["capabilities"] = StringArray(caps.capabilities);
  out["auth_mechanisms"] = StringArray(caps.mechanisms);
  if (caps.login_disabled.has_value()) {
    out["login_disabled"] = *caps.login_disabled;
  }
  return out;
}

}  // namespace

nlohmann::json ModuleBase::Result() const {
  nlohmann::json r = nlohmann::json::object();
  r["status"] = std::string(GrabStatusName(status()));
  r["phase"] = std::string(phase_);
  r["implicit_tls"] = implicit_tls_;
  if (!banner_.empty()) r["banner"] = JsonSafe(banner_);
  if (before_tls_.seen) {
    r["before_tls"] = CapsJson(before_tls_);
    r["plaintext_auth_before_tls"] = PlaintextAuthBeforeTls();
  }
  if (!implicit_tls_ && before_tls_.seen) {
    nlohmann::json st = nlohmann::json::object();
    st["offered"] = starttls_offered_;
    st["attempted"] = starttls_attempted_;
    st["accepted"] = starttls_accepted_;
    if (!starttls_reply_.empty()) st["reply"] = JsonSafe(starttls_reply_);
    if (discarded_after_starttls_ > 0) {
      st["plaintext_bytes_after_go_ahead"] = discarded_after_starttls_;
    }
    r["starttls"] = std::move(st);
  }
  if (after_tls_.seen) r["after_tls"] = CapsJson(after_tls_);
  if (!error_.empty()) r["error"] = JsonSafe(error_);
  AddResultFields(&r);
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
