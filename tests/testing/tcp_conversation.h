// Builds the frames of a captured TCP connection for passive-mode tests:
// a client and a server exchanging bytes, each segment an Ethernet frame
// (tests/testing/frames.h) with a timestamp, ready for a PcapWriter or for
// PassiveAnalyzer::Frame. Sequence numbers follow the bytes sent unless a
// test asks for a segment elsewhere (retransmissions, holes, overlaps).
#ifndef TLSWEEP_TESTS_TESTING_TCP_CONVERSATION_H_
#define TLSWEEP_TESTS_TESTING_TCP_CONVERSATION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "testing/frames.h"

namespace tlsweep::testing {

struct TimedFrame {
  std::vector<uint8_t> bytes;
  uint64_t timestamp_ns = 0;
};

class TcpConversation {
 public:
  static constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

  TcpConversation(uint32_t client, uint16_t client_port, uint32_t server, uint16_t server_port,
                  uint64_t start_ns = 1'700'000'000'000'000'000ull)
      : client_(client), server_(server), cport_(client_port), sport_(server_port),
        now_(start_ns) {}

  // SYN, SYN-ACK, ACK.
  void Handshake() {
    Add(true, client_isn_, 0, kSyn, "");
    Add(false, server_isn_, client_isn_ + 1, kSyn | kAck, "");
    client_next_ = client_isn_ + 1;
    server_next_ = server_isn_ + 1;
    Add(true, client_next_, server_next_, kAck, "");
  }
  // The next bytes of one side, in order.
  void Client(std::string_view data) { Send(true, data); }
  void Server(std::string_view data) { Send(false, data); }
  // A segment at `offset` bytes from the side's next sequence number
  // (negative: a retransmission), which does not move it.
  void ClientAt(int64_t offset, std::string_view data) {
    Add(true, static_cast<uint32_t>(client_next_ + offset), server_next_, kAck | kPsh, data);
  }
  void ServerAt(int64_t offset, std::string_view data) {
    Add(false, static_cast<uint32_t>(server_next_ + offset), client_next_, kAck | kPsh, data);
  }
  // Moves a side's next sequence number on without a frame (bytes the
  // capture lost).
  void SkipClient(uint32_t n) { client_next_ += n; }
  void SkipServer(uint32_t n) { server_next_ += n; }
  // A bare ACK from one side for everything the other sent.
  void ClientAck() { Add(true, client_next_, server_next_, kAck, ""); }
  void ServerAck() { Add(false, server_next_, client_next_, kAck, ""); }
  // FIN from both sides (client first), each acknowledged.
  void Close() {
    Add(true, client_next_, server_next_, kFin | kAck, "");
    ++client_next_;
    Add(false, server_next_, client_next_, kFin | kAck, "");
    ++server_next_;
    Add(true, client_next_, server_next_, kAck, "");
  }
  void ClientRst() { Add(true, client_next_, server_next_, kRst | kAck, ""); }
  void Wait(uint64_t ns) { now_ += ns; }

  std::vector<TimedFrame>& frames() { return frames_; }

 private:
  void Send(bool from_client, std::string_view data) {
    uint32_t& next = from_client ? client_next_ : server_next_;
    Add(from_client, next, from_client ? server_next_ : client_next_, kAck | kPsh, data);
    next += static_cast<uint32_t>(data.size());
  }
  void Add(bool from_client, uint32_t seq, uint32_t ack, uint8_t flags, std::string_view data) {
    TcpSpec s;
    s.saddr = from_client ? client_ : server_;
    s.daddr = from_client ? server_ : client_;
    s.sport = from_client ? cport_ : sport_;
    s.dport = from_client ? sport_ : cport_;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload.assign(data.begin(), data.end());
    now_ += 1000;  // 1 us apart
    frames_.push_back({TcpFrame(s), now_});
  }

  uint32_t client_, server_;
  uint16_t cport_, sport_;
  uint64_t now_;
  // Near the wrap of the sequence space, so every test crosses it.
  uint32_t client_isn_ = 0xfffffff0u;
  uint32_t server_isn_ = 0x7ffffff8u;
  uint32_t client_next_ = 0;
  uint32_t server_next_ = 0;
  std::vector<TimedFrame> frames_;
};

}  // namespace tlsweep::testing

#endif  // TLSWEEP_TESTS_TESTING_TCP_CONVERSATION_H_
