#include "grab/session.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/time_format.h"

namespace tlsweep {

GrabSession::GrabSession(std::unique_ptr<ProtocolModule> module, const TlsContext& tls,
                         std::string server_name, Ipv4Address ip, uint16_t port,
                         const GrabTimeouts& timeouts, uint64_t now_ms)
    : module_(std::move(module)),
      tls_context_(tls),
      server_name_(std::move(server_name)),
      ip_(ip),
      port_(port),
      timeouts_(timeouts),
      start_ms_(now_ms),
      deadline_ms_(now_ms + timeouts.connect_ms),
      timestamp_(Rfc3339Now()) {}

void GrabSession::OnConnected(uint64_t now_ms) {
  if (done_) return;
  connected_ = true;
  deadline_ms_ = std::min(now_ms + timeouts_.phase_ms, start_ms_ + timeouts_.session_ms);
  if (module_->implicit_tls()) {
    StartTls(now_ms);
    return;
  }
  ModuleActions a;
  module_->OnConnected(&a);
  Apply(a, now_ms);
}

void GrabSession::OnConnectFailed(GrabStatus status, std::string error) {
  if (done_) return;
  transport_status_ = status;
  error_ = std::move(error);
  done_ = true;
}

void GrabSession::OnBytes(std::string_view bytes, uint64_t now_ms) {
  if (done_) return;
  if (tls_ != nullptr) {
    tls_->FeedNetwork(bytes);
    PumpTls(now_ms);
    return;
  }
  ModuleActions a;
  module_->OnData(bytes, &a);
  Apply(a, now_ms);
}

void GrabSession::OnPeerClosed() {
  if (done_) return;
  if (tls_ != nullptr) {
    tls_->FeedEof();
    PumpTls(start_ms_);
  }
  if (!module_->done()) module_->OnPeerClosed();
  done_ = true;
}

void GrabSession::Tick(uint64_t now_ms) {
  if (done_ || now_ms < deadline_ms_) return;
  if (!connected_) {
    transport_status_ = GrabStatus::kConnectionTimeout;
    error_ = "connect: timed out";
  } else {
    module_->OnTimeout();
  }
  done_ = true;
}

void GrabSession::Apply(const ModuleActions& a, uint64_t now_ms) {
  if (!a.send.empty()) {
    if (tls_ != nullptr) {
      tls_->Write(a.send);
      tls_->DrainNetwork(&out_);
    } else {
      out_ += a.send;
    }
  }
  // Each command the module sends (and each handshake) opens a new phase.
  if (!a.send.empty() || a.start_tls) {
    deadline_ms_ = std::min(now_ms + timeouts_.phase_ms, start_ms_ + timeouts_.session_ms);
  }
  if (a.start_tls && tls_ == nullptr) StartTls(now_ms);
  if (a.finished || module_->done()) {
    if (tls_ != nullptr && tls_->state() == TlsClient::State::kEstablished) {
      tls_->Shutdown();
      tls_->DrainNetwork(&out_);
    }
    done_ = true;
  }
}

void GrabSession::StartTls(uint64_t now_ms) {
  auto client = TlsClient::Create(tls_context_, server_name_);
  if (!client.ok()) {
    error_ = std::string(client.status().message());
    module_->OnTlsFailed();
    done_ = true;
    return;
  }
  tls_ = *std::move(client);
  PumpTls(now_ms);
}

void GrabSession::PumpTls(uint64_t now_ms) {
  const TlsClient::State state = tls_->Advance();
  tls_->DrainNetwork(&out_);
  if (state == TlsClient::State::kFailed || (state == TlsClient::State::kClosed && !tls_reported_)) {
    if (!tls_reported_) {
      tls_reported_ = true;
      error_ = tls_->error();
      module_->OnTlsFailed();
      done_ = true;
    }
    return;
  }
  if (tls_->handshake_complete() && !tls_reported_) {
    tls_reported_ = true;
    ModuleActions a;
    if (module_->implicit_tls()) {
      module_->OnConnected(&a);
    } else {
      module_->OnTlsEstablished(&a);
    }
    Apply(a, now_ms);
    if (done_) return;
  }
  if (tls_reported_) {
    std::string plaintext;
    tls_->ReadPlaintext(&plaintext);
    if (!plaintext.empty()) {
      ModuleActions a;
      module_->OnData(plaintext, &a);
      Apply(a, now_ms);
    }
  }
  if (state == TlsClient::State::kClosed && !done_) {
    if (!module_->done()) module_->OnPeerClosed();
    done_ = true;
  }
}

GrabStatus GrabSession::status() const {
  if (transport_status_ != GrabStatus::kUnknownError) return transport_status_;
  return module_->status();
}

GrabResult GrabSession::Result() const {
  GrabResult r;
  r.ip = ip_;
  r.port = port_;
  r.domain = server_name_;
  r.protocol = std::string(module_->name());
  r.status = status();
  r.timestamp = timestamp_;
  r.phase = std::string(module_->phase());
  if (connected_) r.module = module_->Result();
  if (tls_ != nullptr) r.tls = tls_->Result();
  r.error = error_;
  return r;
}

}  // namespace tlsweep
