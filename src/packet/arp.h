// ARP for IPv4 over Ethernet (RFC 826): parsing, and building requests and
// replies.
//
// DPDK owns the NIC, so the kernel answers no ARP for tlsweep's source
// addresses and resolves no gateway: tlsweep does both itself. Parsing is
// bounds-checked like every other parser here; a malformed ARP frame is a
// drop, never an assert.
#ifndef TLSWEEP_PACKET_ARP_H_
#define TLSWEEP_PACKET_ARP_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/net_types.h"

namespace tlsweep {

inline constexpr uint16_t kArpOpRequest = 1;
inline constexpr uint16_t kArpOpReply = 2;
// An ARP frame padded to the Ethernet minimum.
inline constexpr size_t kArpFrameLen = 60;

struct ArpMessage {
  uint16_t op = 0;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;
  Ipv4Address target_ip;
};

// Parses an Ethernet frame carrying ARP for IPv4 over Ethernet; nullopt for
// anything else (short, other hardware or protocol type, other opcodes).
std::optional<ArpMessage> ParseArp(const uint8_t* frame, size_t len);

// Writes a kArpFrameLen-byte reply from (our_mac, our_ip) to `request`'s
// sender into `out`; returns kArpFrameLen.
size_t BuildArpReply(const ArpMessage& request, const MacAddress& our_mac,
                     Ipv4Address our_ip, uint8_t* out);

// Writes a broadcast who-has `target_ip` request into `out`; returns
// kArpFrameLen.
size_t BuildArpRequest(const MacAddress& our_mac, Ipv4Address our_ip,
                       Ipv4Address target_ip, uint8_t* out);

}  // namespace tlsweep

#endif  // TLSWEEP_PACKET_ARP_H_
