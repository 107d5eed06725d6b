// The passive pipeline for one capture: frames in (from a file today; a
// DPDK mirror port later), one ConnectionRecord out per observed TCP
// connection, and the counters the metadata reports.
//
// frame -> packet/parse.h (checksums not verified: a capture taken on a
// sending host holds the checksums its NIC had yet to fill in, as Zeek's
// ignore_checksums warns) -> port map (proto/registry.h: flows on no mapped
// port are dropped before any table lookup) -> bounded flow table ->
// per-direction TcpStream -> the port's Observer.
//
// A flow starts on a SYN or SYN-ACK. One first seen without either (a
// capture that began mid-connection) is tracked and counted, and observed
// only from where the protocol's state can be inferred: a client segment
// that starts with a ClientHello (TLS begins there, after STARTTLS or on an
// implicit-TLS port), or, on a line protocol (PicksUpMidDialogue), a
// client segment of whole command lines (the next command; what came
// before is unknown). Anything else is only counted. A flow ends
// on both FINs delivered, on a RST, when idle past the timeout, when
// evicted for a new flow from a full table, and at the end of the capture;
// every end is counted by reason.
#ifndef TLSWEEP_PASSIVE_ANALYZER_H_
#define TLSWEEP_PASSIVE_ANALYZER_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "common/net_types.h"
#include "packet/parse.h"
#include "passive/flow_table.h"
#include "passive/observation.h"
#include "passive/pcap_source.h"
#include "passive/tcp_stream.h"
#include "proto/registry.h"

namespace tlsweep {

struct PassiveOptions {
  PortModuleMap ports = PortModuleMap::Defaults();
  // Concurrent flows kept; a mail server's busiest hour is far below this,
  // and a mirror port's other traffic never enters the table.
  uint32_t max_flows = 65536;
  // Zeek's tcp_inactivity_timeout (5 minutes): SMTP servers wait 5 minutes
  // for a command (RFC 5321 4.5.3.2.7), IMAP clients idle longer, but an
  // idle IMAP session has long passed everything an observer reads.
  uint64_t idle_timeout_ns = 300ull * 1'000'000'000;
  // Out-of-order rings: 64 KiB holds a whole unscaled window (RFC 9293),
  // which is what a hole can hold back in a mail dialogue; 1024 of them is
  // 64 MiB, enough for one hole in each of 1024 flows at once.
  uint32_t rings = 1024;
  uint32_t ring_bytes = 64 * 1024;
};

enum class FlowEnd : uint8_t { kFin, kRst, kIdle, kEvicted, kCaptureEnd, kCount };
std::string_view FlowEndName(FlowEnd end);

struct ConnectionRecord {
  Ipv4Address client;
  Ipv4Address server;
  uint16_t client_port = 0;
  uint16_t server_port = 0;
  uint64_t first_ns = 0;
  uint64_t last_ns = 0;
  bool syn_seen = false;  // the client's SYN (else the server's SYN-ACK)
  FlowEnd end = FlowEnd::kCaptureEnd;
  StreamCounters client_stream;
  StreamCounters server_stream;
  Observation observation;
};

// What became of a flow first seen mid-connection.
enum class MidstreamOutcome : uint8_t {
  kPickedUpTls,        // a ClientHello started a client segment: observed from it
  kSkippedTls,         // TLS records, but no ClientHello: only counted
  kSkippedPlaintext,   // no TLS record start, no command line: only counted
  kPickedUpPlaintext,  // a client segment of command lines: observed from it
  kCount,
};
// "picked-up-tls", "skipped-tls", "skipped-plaintext",
// "picked-up-plaintext".
std::string_view MidstreamOutcomeName(MidstreamOutcome outcome);

struct PassiveCounters {
  uint64_t packets = 0;
  uint64_t bytes = 0;                // on the wire
  uint64_t snaplen_truncated = 0;    // captured shorter than on the wire
  ParseCounters parse;               // every frame's parse result
  uint64_t unmapped_segments = 0;    // TCP on no port of the port map
  uint64_t unobserved_segments = 0;  // a mapped port without an observer
  uint64_t midstream_segments = 0;   // of flows first seen mid-connection
  uint64_t stray_segments = 0;       // bare ACK/FIN/RST of no known flow
  uint64_t flows = 0;                // flows created
  uint64_t flows_midstream = 0;      // ... of which seen mid-connection
  // How those ended (MidstreamOutcome): picked up at a ClientHello or at a
  // client command line of a line protocol, or skipped because neither
  // came and the bytes were TLS records or something else (a dialogue
  // whose state is unknown).
  std::array<uint64_t, static_cast<size_t>(MidstreamOutcome::kCount)> midstream_outcomes{};
  std::array<uint64_t, static_cast<size_t>(FlowEnd::kCount)> flow_ends{};
  uint64_t records = 0;              // connections reported
  // Summed over every flow's two directions at its end.
  uint64_t retransmitted_segments = 0;
  uint64_t out_of_order_segments = 0;
  uint64_t overlaps_differing = 0;
  uint64_t gaps = 0;
  uint64_t gap_bytes = 0;
  std::array<uint64_t, static_cast<size_t>(GapReason::kCount)> gaps_by_reason{};

  // Adds `other`'s counts: the run's totals over several analyzers (one
  // per lcore of a DPDK capture).
  PassiveCounters& operator+=(const PassiveCounters& other);
};

class PassiveAnalyzer {
 public:
  using RecordSink = std::function<void(const ConnectionRecord&)>;
  PassiveAnalyzer(PassiveOptions options, RecordSink sink);
  ~PassiveAnalyzer();

  void Frame(const CapturedFrame& frame);
  // The capture is over: every flow still open ends (FlowEnd::kCaptureEnd).
  void Finish();

  const PassiveCounters& counters() const { return counters_; }

 private:
  struct Flow;
  uint32_t NewFlow(const FlowKey& key, const ParsedTcp& tcp, bool a_to_b,
                   std::string_view module, uint64_t now);
  void EndFlow(uint32_t i, FlowEnd end);

  PassiveOptions options_;
  RecordSink sink_;
  FlowTable table_;
  RingPool rings_;
  std::vector<std::unique_ptr<Flow>> flows_;
  PassiveCounters counters_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_PASSIVE_ANALYZER_H_
