// The reset that closes a probe's half-open connection.
//
// ZMap leaves this to the kernel of its host, which owns no socket for the
// probe and so answers every SYN-ACK with a reset (RFC 9293 3.10.7.1). When
// DPDK owns the NIC the kernel never sees the SYN-ACK, so tlsweep sends that
// reset itself, as masscan does: the server frees the connection at once
// instead of keeping it half-open and retransmitting its SYN-ACK for a
// minute, and a later probe from the same source port finds no stale
// connection that would answer it with the earlier probe's numbers.
#ifndef TLSWEEP_PACKET_RST_H_
#define TLSWEEP_PACKET_RST_H_

#include <cstddef>
#include <cstdint>

#include "packet/headers.h"
#include "packet/parse.h"

namespace tlsweep {

// An Ethernet + IPv4 + TCP reset, padded to the Ethernet minimum.
inline constexpr size_t kRstFrameLen = kEthMinFrameLen;

// Writes into `out` (kRstFrameLen bytes) the reset for the SYN-ACK `synack`,
// parsed from `frame`: back to the frame's sender MAC from the MAC it was
// sent to, addresses and ports swapped, seq = the SYN-ACK's ack, TTL `ttl`.
// Returns kRstFrameLen.
size_t BuildRstForSynAck(const uint8_t* frame, const ParsedTcp& synack, uint8_t ttl,
                         uint8_t* out);

}  // namespace tlsweep

#endif  // TLSWEEP_PACKET_RST_H_
