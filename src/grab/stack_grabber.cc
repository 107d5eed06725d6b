#include "grab/stack_grabber.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tlsweep {
namespace {

GrabStatus ConnectFailureStatus(TcpCloseReason reason) {
  switch (reason) {
    case TcpCloseReason::kRefused: return GrabStatus::kConnectionRefused;
    case TcpCloseReason::kTimeout: return GrabStatus::kConnectionTimeout;
    default: return GrabStatus::kUnknownError;
  }
}

}  // namespace

// One TcpStack connection: the stack's handler, translated into GrabEvents.
class TcpStackTransport::Connection final : public GrabConnection, public TcpHandler {
 public:
  Connection(TcpStack& stack, GrabEvents& events) : stack_(stack), events_(events) {}

  std::optional<size_t> Send(std::string_view bytes) override { return stack_.Send(id, bytes); }
  void Close() override { stack_.Close(id); }
  void Abort() override { stack_.Abort(id); }

  void OnConnected(uint64_t now_ms) override {
    established_ = true;
    events_.OnConnected(now_ms);
  }
  void OnData(std::string_view bytes, uint64_t now_ms) override { events_.OnData(bytes, now_ms); }
  void OnPeerClosed(uint64_t) override { events_.OnPeerClosed(); }
  void OnClosed(TcpCloseReason reason, uint64_t) override {
    if (!established_) {
      events_.OnConnectFailed(ConnectFailureStatus(reason),
                              absl::StrCat("connect: ", std::string(TcpCloseReasonName(reason))));
    } else {
      events_.OnPeerClosed();
    }
    events_.OnClosed();
  }

  TcpConnId id;

 private:
  TcpStack& stack_;
  GrabEvents& events_;
  bool established_ = false;
};

absl::StatusOr<std::unique_ptr<GrabConnection>> TcpStackTransport::Connect(
    const GrabTarget& target, GrabEvents& events, uint64_t now_ms) {
  auto connection = std::make_unique<Connection>(stack_, events);
  absl::StatusOr<TcpConnId> id = stack_.Connect(target.ip, target.port, connection.get(), now_ms);
  if (!id.ok()) {
    return absl::Status(id.status().code(),
                        absl::StrCat("userspace TCP: ", id.status().message()));
  }
  connection->id = *id;
  return connection;
}

StackGrabber::StackGrabber(TcpStack& stack, GrabScheduler& scheduler, GrabRecordSink sink)
    : stack_(stack), transport_(stack), driver_(transport_, scheduler, std::move(sink)) {}

void StackGrabber::Poll(uint64_t now_ms, bool admit) {
  stack_.Tick(now_ms);
  driver_.Poll(now_ms, admit);
}

}  // namespace tlsweep
