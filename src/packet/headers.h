// Wire constants of the headers tlsweep writes and reads: Ethernet II,
// IPv4 (RFC 791), TCP (RFC 9293), ICMP (RFC 792), ARP (RFC 826).
//
// Only offsets and values live here; fields are always read and written
// through byte_order.h at these offsets, never through packed structs.
#ifndef TLSWEEP_PACKET_HEADERS_H_
#define TLSWEEP_PACKET_HEADERS_H_

#include <cstddef>
#include <cstdint>

namespace tlsweep {

// Ethernet II.
inline constexpr size_t kEthHeaderLen = 14;
inline constexpr size_t kEthDstOffset = 0;
inline constexpr size_t kEthSrcOffset = 6;
inline constexpr size_t kEthTypeOffset = 12;
inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
// Shortest frame a NIC puts on the wire, without the 4-byte FCS (IEEE 802.3).
inline constexpr size_t kEthMinFrameLen = 60;
// Per-frame overhead on the wire beyond the frame itself: FCS 4, preamble and
// start delimiter 8, inter-frame gap 12 (IEEE 802.3). A minimum frame
// therefore takes 84 bytes of line time: 14.88 Mpps at 10 Gbit/s.
inline constexpr size_t kEthWireOverhead = 24;

// IPv4, relative to the IP header.
inline constexpr size_t kIpv4MinHeaderLen = 20;
inline constexpr size_t kIpv4TotalLenOffset = 2;
inline constexpr size_t kIpv4IdOffset = 4;
inline constexpr size_t kIpv4FragOffset = 6;
inline constexpr size_t kIpv4TtlOffset = 8;
inline constexpr size_t kIpv4ProtoOffset = 9;
inline constexpr size_t kIpv4ChecksumOffset = 10;
inline constexpr size_t kIpv4SrcOffset = 12;
inline constexpr size_t kIpv4DstOffset = 16;
inline constexpr uint16_t kIpv4FlagDontFragment = 0x4000;
inline constexpr uint16_t kIpv4FlagMoreFragments = 0x2000;
inline constexpr uint16_t kIpv4FragOffsetMask = 0x1fff;
inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;

// TCP, relative to the TCP header.
inline constexpr size_t kTcpMinHeaderLen = 20;
inline constexpr size_t kTcpMaxHeaderLen = 60;
inline constexpr size_t kTcpSrcPortOffset = 0;
inline constexpr size_t kTcpDstPortOffset = 2;
inline constexpr size_t kTcpSeqOffset = 4;
inline constexpr size_t kTcpAckOffset = 8;
inline constexpr size_t kTcpDataOffsetOffset = 12;
inline constexpr size_t kTcpFlagsOffset = 13;
inline constexpr size_t kTcpWindowOffset = 14;
inline constexpr size_t kTcpChecksumOffset = 16;
inline constexpr size_t kTcpUrgentOffset = 18;
inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpPsh = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;
inline constexpr uint8_t kTcpOptEnd = 0;
inline constexpr uint8_t kTcpOptNop = 1;
inline constexpr uint8_t kTcpOptMss = 2;
inline constexpr uint8_t kTcpOptWscale = 3;
inline constexpr uint8_t kTcpOptSackPermitted = 4;
inline constexpr uint8_t kTcpOptTimestamps = 8;

// ICMP.
inline constexpr size_t kIcmpHeaderLen = 8;
inline constexpr uint8_t kIcmpDestUnreachable = 3;
// An ICMP error quotes the offending IP header plus at least 8 bytes of its
// payload (RFC 792): for TCP, the ports and the sequence number.
inline constexpr size_t kIcmpQuotedL4Len = 8;

// ARP for IPv4 over Ethernet.
inline constexpr size_t kArpLen = 28;

}  // namespace tlsweep

#endif  // TLSWEEP_PACKET_HEADERS_H_
