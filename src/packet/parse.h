// Parsing of received frames: Ethernet, IPv4, TCP and ICMP with explicit
// big-endian reads and a bounds check before every field.
//
// Nothing a remote host sends is trusted: every frame ends in exactly one
// ParseResult, the caller counts it (ParseCounters), and only kTcp and
// kIcmpUnreachable yield a ParsedFrame for validation. The parser never
// allocates, never logs and never asserts; its output refers to no memory of
// the frame, so the buffer can be freed right after.
#ifndef TLSWEEP_PACKET_PARSE_H_
#define TLSWEEP_PACKET_PARSE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/net_types.h"

namespace tlsweep {

enum class ParseResult : uint8_t {
  kTcp,              // a well-formed TCP segment
  kIcmpUnreachable,  // ICMP destination unreachable quoting a TCP header
  kArp,              // an ARP frame, for the ARP responder
  // Everything below is a drop.
  kTruncated,        // shorter than the headers it announces
  kOtherEtherType,   // neither IPv4 nor ARP (IPv6, VLAN, LLDP, ...)
  kBadIpVersion,
  kBadIhl,           // IHL < 5 or larger than the packet
  kIpOptions,        // IHL > 5: probe answers carry no IP options
  kBadIpLength,      // total length < header or > frame
  kBadIpChecksum,
  kFragment,         // MF set or a non-zero offset
  kOtherProtocol,    // neither TCP nor ICMP
  kBadTcpHeader,     // data offset < 5 or past the end; malformed options
  kBadTcpChecksum,
  kBadIcmpChecksum,
  kOtherIcmp,        // an ICMP type other than destination unreachable
  kBadIcmpQuote,     // the quoted header is short, malformed or not TCP
  kCount,
};

std::string_view ParseResultName(ParseResult result);

// Per-result counters, indexed by ParseResult. Plain integers: each receive
// lcore owns one and the status line sums them.
struct ParseCounters {
  std::array<uint64_t, static_cast<size_t>(ParseResult::kCount)> by_result{};
  void Count(ParseResult r) { ++by_result[static_cast<size_t>(r)]; }
  uint64_t operator[](ParseResult r) const {
    return by_result[static_cast<size_t>(r)];
  }
  // Frames that ended in a drop.
  uint64_t dropped() const;
};

// The TCP options of a SYN-ACK that a scan records.
struct TcpOptionsSeen {
  bool has_mss = false;
  bool has_wscale = false;
  bool sack_permitted = false;
  bool has_timestamps = false;
  uint16_t mss = 0;
  uint8_t wscale = 0;
  uint32_t ts_val = 0;
  uint32_t ts_ecr = 0;
};

struct ParsedTcp {
  Ipv4Address saddr;
  Ipv4Address daddr;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  uint8_t ttl = 0;
  uint16_t ip_id = 0;
  uint16_t payload_len = 0;
  // Where the payload starts, counted from the first byte of the Ethernet
  // frame, so the TCP stack can find the data without re-parsing headers.
  uint16_t payload_offset = 0;
  TcpOptionsSeen options;
};

struct ParsedIcmpUnreachable {
  Ipv4Address responder;  // the outer source: the host or router that refused
  Ipv4Address daddr;      // the outer destination: us
  uint8_t ttl = 0;
  uint8_t code = 0;       // 1 host, 3 port, 13 administratively prohibited ...
  // From the quoted IP and TCP headers: our probe as the responder saw it.
  Ipv4Address quoted_saddr;
  Ipv4Address quoted_daddr;
  uint16_t quoted_sport = 0;
  uint16_t quoted_dport = 0;
  uint32_t quoted_seq = 0;
};

struct ParsedFrame {
  ParsedTcp tcp;                  // valid when the result is kTcp
  ParsedIcmpUnreachable icmp;     // valid when the result is kIcmpUnreachable
};

// Parses one Ethernet frame (without FCS). `verify_checksums` is false only
// where the NIC has already verified them (RX offload flags).
ParseResult ParseFrame(const uint8_t* frame, size_t len, ParsedFrame* out,
                       bool verify_checksums = true);

// Decodes a TCP option list; false if it is malformed (a length byte < 2 or
// running past the end).
bool ParseTcpOptions(const uint8_t* p, size_t len, TcpOptionsSeen* out);

}  // namespace tlsweep

#endif  // TLSWEEP_PACKET_PARSE_H_
