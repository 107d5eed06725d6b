// See analyzer.h.
#include "passive/analyzer.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/byte_order.h"
#include "packet/headers.h"
#include "passive/observer.h"

namespace tlsweep {
namespace {

constexpr uint8_t kFin = 0x01;
constexpr uint8_t kSyn = 0x02;
constexpr uint8_t kRst = 0x04;
constexpr uint8_t kAck = 0x10;

// Feeds one direction's bytes to the observer (until it is done).
class DirectionSink final : public StreamSink {
 public:
  DirectionSink(Observer* observer, bool client) : observer_(observer), client_(client) {}
  void OnData(std::string_view bytes) override {
    if (observer_ == nullptr || observer_->done()) return;
    if (client_) observer_->ClientData(bytes); else observer_->ServerData(bytes);
  }
  void OnGap(uint32_t bytes) override {
    if (observer_ == nullptr || observer_->done()) return;
    if (client_) observer_->ClientGap(bytes); else observer_->ServerGap(bytes);
  }

 private:
  Observer* observer_;
  bool client_;
};

// A TLS record header (RFC 5246 6.2.1): ChangeCipherSpec, Alert,
// Handshake or ApplicationData, version 3.x.
bool IsTlsRecordStart(const uint8_t* p, uint16_t len) {
  return len >= 5 && p[0] >= 20 && p[0] <= 23 && p[1] == 3 && p[2] <= 4;
}

// A handshake record whose message is a ClientHello (type 1): the start of
// a client's TLS stream, whatever was missed before it.
bool IsClientHelloStart(const uint8_t* p, uint16_t len) {
  return IsTlsRecordStart(p, len) && p[0] == 22 && len >= 6 && p[5] == 1;
}

// A client segment of whole command lines: it starts with a letter or
// digit (a command verb, an IMAP tag), holds only printable ASCII, tabs
// and line ends, and ends with a line end. Mail and IRC clients write a
// command (or a pipelined group) per segment, so such a segment starts a
// line; TLS records (a type byte of 20-23) and encrypted bytes are not
// text. What it cannot tell apart is a message body's lines (a capture
// that began inside DATA): those read as unknown commands until the
// server's reply, and an observer stores no client line either way.
bool IsCommandLines(const uint8_t* p, uint16_t len) {
  if (len < 2 || p[len - 1] != '\n') return false;
  const uint8_t first = p[0];
  if (!((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z') ||
        (first >= '0' && first <= '9'))) {
    return false;
  }
  for (uint16_t i = 0; i < len; ++i) {
    const uint8_t c = p[i];
    if ((c < 0x20 || c > 0x7e) && c != '\r' && c != '\n' && c != '\t') return false;
  }
  return true;
}

// A frame the capture cut short (a snaplen below its length). Its headers
// are parsed from a copy whose IPv4 total length says what was captured,
// so the parser sees a whole packet and reads nothing beyond the captured
// bytes; *cut is how much of the TCP payload the capture lost. A frame cut
// inside its headers stays the parser's failure.
ParseResult ParseCutFrame(const CapturedFrame& frame, ParsedFrame* out, uint32_t* cut) {
  // Ethernet, and IPv4 and TCP headers at their longest (15 words each).
  constexpr size_t kMaxHeaders = kEthHeaderLen + 60 + 60;
  const size_t captured = frame.bytes.size();
  if (captured < kEthHeaderLen + kIpv4MinHeaderLen) {
    return ParseFrame(frame.bytes.data(), captured, out, /*verify_checksums=*/false);
  }
  uint8_t headers[kMaxHeaders];
  const size_t n = std::min(captured, kMaxHeaders);
  std::memcpy(headers, frame.bytes.data(), n);
  uint8_t* total_field = headers + kEthHeaderLen + kIpv4TotalLenOffset;
  const size_t wire_total = LoadBe16(total_field);
  StoreBe16(total_field, static_cast<uint16_t>(n - kEthHeaderLen));
  const ParseResult r = ParseFrame(headers, n, out, /*verify_checksums=*/false);
  if (r != ParseResult::kTcp) return r;
  const size_t headers_len = out->tcp.payload_offset - kEthHeaderLen;  // IPv4 and TCP
  if (wire_total < headers_len || kEthHeaderLen + wire_total > frame.wire_length) {
    return ParseResult::kBadIpLength;
  }
  const size_t wire_payload = wire_total - headers_len;
  // Ethernet padding after the packet may be what was cut: then nothing is.
  const size_t kept = std::min(captured - out->tcp.payload_offset, wire_payload);
  out->tcp.payload_len = static_cast<uint16_t>(kept);
  *cut = static_cast<uint32_t>(wire_payload - kept);
  return ParseResult::kTcp;
}

}  // namespace

std::string_view MidstreamOutcomeName(MidstreamOutcome outcome) {
  switch (outcome) {
    case MidstreamOutcome::kPickedUpTls: return "picked-up-tls";
    case MidstreamOutcome::kSkippedTls: return "skipped-tls";
    case MidstreamOutcome::kSkippedPlaintext: return "skipped-plaintext";
    case MidstreamOutcome::kPickedUpPlaintext: return "picked-up-plaintext";
    case MidstreamOutcome::kCount: break;
  }
  return "unknown";
}

struct PassiveAnalyzer::Flow {
  bool client_is_a = true;  // the key's (addr_a, port_a) is the client
  bool syn_seen = false;
  // First seen mid-connection: observed only from a client segment that
  // starts with a ClientHello (the dialogue before TLS is in an unknown
  // state; the handshake is not) or, on a line protocol, with a command
  // line; until then only counted.
  bool midstream = false;
  bool midstream_tls_seen = false;  // ... a segment started a TLS record
  std::string_view module;          // the port map's name, for a pickup
  uint64_t first_ns = 0;
  TcpStream client;
  TcpStream server;
  std::unique_ptr<Observer> observer;
  DirectionSink client_sink{nullptr, true};
  DirectionSink server_sink{nullptr, false};
};

std::string_view FlowEndName(FlowEnd end) {
  switch (end) {
    case FlowEnd::kFin: return "fin";
    case FlowEnd::kRst: return "rst";
    case FlowEnd::kIdle: return "idle";
    case FlowEnd::kEvicted: return "evicted";
    case FlowEnd::kCaptureEnd: return "capture-end";
    case FlowEnd::kCount: break;
  }
  return "unknown";
}

PassiveCounters& PassiveCounters::operator+=(const PassiveCounters& o) {
  packets += o.packets;
  bytes += o.bytes;
  snaplen_truncated += o.snaplen_truncated;
  for (size_t i = 0; i < parse.by_result.size(); ++i) parse.by_result[i] += o.parse.by_result[i];
  unmapped_segments += o.unmapped_segments;
  unobserved_segments += o.unobserved_segments;
  midstream_segments += o.midstream_segments;
  stray_segments += o.stray_segments;
  flows += o.flows;
  flows_midstream += o.flows_midstream;
  for (size_t i = 0; i < midstream_outcomes.size(); ++i) {
    midstream_outcomes[i] += o.midstream_outcomes[i];
  }
  for (size_t i = 0; i < flow_ends.size(); ++i) flow_ends[i] += o.flow_ends[i];
  records += o.records;
  retransmitted_segments += o.retransmitted_segments;
  out_of_order_segments += o.out_of_order_segments;
  overlaps_differing += o.overlaps_differing;
  gaps += o.gaps;
  gap_bytes += o.gap_bytes;
  for (size_t i = 0; i < gaps_by_reason.size(); ++i) gaps_by_reason[i] += o.gaps_by_reason[i];
  return *this;
}

PassiveAnalyzer::PassiveAnalyzer(PassiveOptions options, RecordSink sink)
    : options_(std::move(options)),
      sink_(std::move(sink)),
      table_(options_.max_flows),
      rings_(options_.rings, options_.ring_bytes),
      flows_(options_.max_flows) {}

PassiveAnalyzer::~PassiveAnalyzer() = default;

void PassiveAnalyzer::Frame(const CapturedFrame& frame) {
  ++counters_.packets;
  counters_.bytes += frame.wire_length;
  ParsedFrame parsed;
  uint32_t cut = 0;  // payload bytes on the wire that the capture did not keep
  ParseResult r;
  if (frame.bytes.size() < frame.wire_length) {
    ++counters_.snaplen_truncated;
    r = ParseCutFrame(frame, &parsed, &cut);
  } else {
    r = ParseFrame(frame.bytes.data(), frame.bytes.size(), &parsed, /*verify_checksums=*/false);
  }
  counters_.parse.Count(r);
  if (r != ParseResult::kTcp) return;
  const ParsedTcp& tcp = parsed.tcp;
  const uint64_t now = frame.timestamp_ns;

  // Idle flows end before anything else is looked up (the table is in
  // last-seen order, so this is one comparison when nothing expires).
  for (uint32_t old = table_.Oldest();
       old != FlowTable::kNone && table_.last_seen(old) + options_.idle_timeout_ns < now;
       old = table_.Oldest()) {
    EndFlow(old, FlowEnd::kIdle);
  }

  // Most frames are of no mail port: dropped before the flow key is hashed
  // (a flow exists only for a mapped port, so none can be missed).
  if (!options_.ports.Maps(tcp.dport) && !options_.ports.Maps(tcp.sport)) {
    ++counters_.unmapped_segments;
    return;
  }
  bool a_to_b = false;
  const FlowKey key =
      FlowKey::Of(tcp.saddr.value(), tcp.sport, tcp.daddr.value(), tcp.dport, &a_to_b);
  uint32_t i = table_.Find(key);
  if (i == FlowTable::kNone) {
    // The server's port names the protocol: the destination's for a
    // client's segment, else the source's.
    std::optional<std::string_view> module = options_.ports.ModuleFor(tcp.dport);
    if (!module.has_value()) module = options_.ports.ModuleFor(tcp.sport);
    // A bare ACK, FIN or RST of no known flow (the last ACK after both
    // FINs, or the tail of a connection the table already ended) starts
    // nothing.
    if ((tcp.flags & kRst) != 0 || ((tcp.flags & kSyn) == 0 && tcp.payload_len == 0 && cut == 0)) {
      ++counters_.stray_segments;
      return;
    }
    i = NewFlow(key, tcp, a_to_b, *module, now);
    if (i == FlowTable::kNone) {
      ++counters_.unobserved_segments;
      return;
    }
  } else {
    table_.Touch(i, now);
  }
  Flow& f = *flows_[i];
  const bool from_client = a_to_b == f.client_is_a;
  if (f.midstream && f.observer == nullptr) {
    const uint8_t* p = frame.bytes.data() + tcp.payload_offset;
    const bool hello = from_client && IsClientHelloStart(p, tcp.payload_len);
    // Once TLS records were seen the dialogue is over: text is not a command.
    const bool lines = from_client && !hello && !f.midstream_tls_seen &&
                       PicksUpMidDialogue(f.module) && IsCommandLines(p, tcp.payload_len);
    if (!hello && !lines) {
      ++counters_.midstream_segments;
      f.midstream_tls_seen |= IsTlsRecordStart(p, tcp.payload_len);
      if ((tcp.flags & (kRst | kFin)) != 0) EndFlow(i, (tcp.flags & kRst) ? FlowEnd::kRst : FlowEnd::kFin);
      return;
    }
    // The client starts TLS here (after the port's STARTTLS, or at once on
    // an implicit-TLS port), or sends its next command. Both streams start
    // now (the server's at its next segment).
    f.observer = MakeObserver(f.module);
    if (f.observer == nullptr) return;
    if (hello) f.observer->PickUpInTls(); else f.observer->PickUpInPlaintext();
    f.client_sink = DirectionSink(f.observer.get(), true);
    f.server_sink = DirectionSink(f.observer.get(), false);
  }
  TcpStream& stream = from_client ? f.client : f.server;
  TcpStream& other = from_client ? f.server : f.client;
  StreamSink& sink = from_client ? static_cast<StreamSink&>(f.client_sink) : f.server_sink;
  StreamSink& other_sink = from_client ? static_cast<StreamSink&>(f.server_sink) : f.client_sink;
  if ((tcp.flags & kRst) != 0) {
    EndFlow(i, FlowEnd::kRst);
    return;
  }
  uint32_t seq = tcp.seq;
  if ((tcp.flags & kSyn) != 0) {
    if (!stream.started()) stream.Start(seq, true);
    seq += 1;  // data on a SYN (TCP Fast Open) follows its sequence number
  } else if (!stream.started()) {
    stream.Start(seq, false);
  }
  const uint8_t* payload = frame.bytes.data() + tcp.payload_offset;
  stream.Segment(seq, payload, tcp.payload_len, (tcp.flags & kFin) != 0, rings_, sink, cut);
  if ((tcp.flags & kAck) != 0 && other.started()) other.PeerAcked(tcp.ack, rings_, other_sink);
  if (f.client.fin_delivered() && f.server.fin_delivered()) EndFlow(i, FlowEnd::kFin);
}

uint32_t PassiveAnalyzer::NewFlow(const FlowKey& key, const ParsedTcp& tcp, bool a_to_b,
                                  std::string_view module, uint64_t now) {
  auto f = std::make_unique<Flow>();
  f->first_ns = now;
  const bool syn = (tcp.flags & kSyn) != 0;
  const bool ack = (tcp.flags & kAck) != 0;
  if (syn) {
    // A SYN comes from the client, a SYN-ACK from the server.
    const bool sender_is_client = !ack;
    f->client_is_a = a_to_b == sender_is_client;
    f->syn_seen = !ack;
    // Before any slot is taken: a flow no observer reads must not evict
    // one that is read.
    f->observer = MakeObserver(module);
    if (f->observer == nullptr) return FlowTable::kNone;
    f->client_sink = DirectionSink(f->observer.get(), true);
    f->server_sink = DirectionSink(f->observer.get(), false);
  } else {
    // Mid-connection: the server is the side on the mapped port.
    f->client_is_a = a_to_b == options_.ports.ModuleFor(tcp.dport).has_value();
    f->midstream = true;
    f->module = module;
  }
  uint32_t i = table_.Insert(key, now);
  if (i == FlowTable::kNone) {
    EndFlow(table_.Oldest(), FlowEnd::kEvicted);
    i = table_.Insert(key, now);
  }
  ++counters_.flows;
  if (f->midstream) ++counters_.flows_midstream;
  flows_[i] = std::move(f);
  return i;
}

void PassiveAnalyzer::EndFlow(uint32_t i, FlowEnd end) {
  Flow& f = *flows_[i];
  ++counters_.flow_ends[static_cast<size_t>(end)];
  if (f.midstream) {
    const MidstreamOutcome outcome =
        f.observer == nullptr ? (f.midstream_tls_seen ? MidstreamOutcome::kSkippedTls
                                                      : MidstreamOutcome::kSkippedPlaintext)
        : f.observer->observation().midstream_pickup == MidstreamPickup::kClientHello
            ? MidstreamOutcome::kPickedUpTls
            : MidstreamOutcome::kPickedUpPlaintext;
    ++counters_.midstream_outcomes[static_cast<size_t>(outcome)];
  }
  if (f.observer != nullptr) {
    f.client.Finish(rings_, f.client_sink);
    f.server.Finish(rings_, f.server_sink);
    f.observer->End();
    ConnectionRecord rec;
    const FlowKey& key = table_.key(i);
    rec.client = Ipv4Address(f.client_is_a ? key.addr_a : key.addr_b);
    rec.client_port = f.client_is_a ? key.port_a : key.port_b;
    rec.server = Ipv4Address(f.client_is_a ? key.addr_b : key.addr_a);
    rec.server_port = f.client_is_a ? key.port_b : key.port_a;
    rec.first_ns = f.first_ns;
    rec.last_ns = table_.last_seen(i);
    rec.syn_seen = f.syn_seen;
    rec.end = end;
    rec.client_stream = f.client.counters();
    rec.server_stream = f.server.counters();
    rec.observation = f.observer->observation();
    for (const StreamCounters* c : {&rec.client_stream, &rec.server_stream}) {
      counters_.retransmitted_segments += c->retransmitted;
      counters_.out_of_order_segments += c->out_of_order;
      counters_.overlaps_differing += c->overlaps_differing;
      counters_.gaps += c->gaps;
      counters_.gap_bytes += c->gap_bytes;
      for (size_t r = 0; r < counters_.gaps_by_reason.size(); ++r) {
        counters_.gaps_by_reason[r] += c->gaps_by_reason[r];
      }
    }
    ++counters_.records;
    sink_(rec);
  }
  table_.Remove(i);
  flows_[i].reset();
}

void PassiveAnalyzer::Finish() {
  while (table_.Oldest() != FlowTable::kNone) EndFlow(table_.Oldest(), FlowEnd::kCaptureEnd);
}

}  // namespace tlsweep
