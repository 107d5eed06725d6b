// Builders of response frames for tests: SYN-ACK, RST and ICMP destination
// unreachable, as a target would send them, with checksums computed by a
// plain word-by-word RFC 1071 sum independent of src/packet/checksum.cc.
#ifndef TLSWEEP_TESTS_TESTING_FRAMES_H_
#define TLSWEEP_TESTS_TESTING_FRAMES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tlsweep::testing {

// Reference one's-complement sum: 16-bit big-endian words, odd byte padded.
inline uint16_t ReferenceChecksum(const std::vector<uint8_t>& bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i < bytes.size(); i += 2) {
    uint32_t word = uint32_t{bytes[i]} << 8;
    if (i + 1 < bytes.size()) word |= bytes[i + 1];
    sum += word;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<uint16_t>(~sum);
}

inline void Put16(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  v[at] = static_cast<uint8_t>(x >> 8);
  v[at + 1] = static_cast<uint8_t>(x);
}
inline void Put32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  Put16(v, at, x >> 16);
  Put16(v, at + 2, x & 0xffff);
}

struct TcpSpec {
  uint32_t saddr = 0x0a4d0003;  // 10.77.0.3
  uint32_t daddr = 0x0a4d0064;  // 10.77.0.100
  uint16_t sport = 25;
  uint16_t dport = 40000;
  uint32_t seq = 1000;
  uint32_t ack = 0;
  uint8_t flags = 0x12;  // SYN|ACK
  uint16_t window = 64240;
  uint8_t ttl = 64;
  std::vector<uint8_t> options;  // must be a multiple of 4 bytes
  std::vector<uint8_t> payload;
};

// IPv4 header (20 bytes, DF) for `payload_len` bytes of `proto`.
inline std::vector<uint8_t> Ipv4Header(uint32_t saddr, uint32_t daddr,
                                       uint8_t proto, size_t payload_len,
                                       uint8_t ttl) {
  std::vector<uint8_t> ip(20, 0);
  ip[0] = 0x45;
  Put16(ip, 2, static_cast<uint32_t>(20 + payload_len));
  Put16(ip, 4, 0x1234);
  Put16(ip, 6, 0x4000);
  ip[8] = ttl;
  ip[9] = proto;
  Put32(ip, 12, saddr);
  Put32(ip, 16, daddr);
  Put16(ip, 10, ReferenceChecksum(ip));
  return ip;
}

inline std::vector<uint8_t> TcpSegment(const TcpSpec& s) {
  const size_t hlen = 20 + s.options.size();
  std::vector<uint8_t> tcp(hlen, 0);
  Put16(tcp, 0, s.sport);
  Put16(tcp, 2, s.dport);
  Put32(tcp, 4, s.seq);
  Put32(tcp, 8, s.ack);
  tcp[12] = static_cast<uint8_t>((hlen / 4) << 4);
  tcp[13] = s.flags;
  Put16(tcp, 14, s.window);
  for (size_t i = 0; i < s.options.size(); ++i) tcp[20 + i] = s.options[i];
  tcp.insert(tcp.end(), s.payload.begin(), s.payload.end());
  std::vector<uint8_t> pseudo(12, 0);
  Put32(pseudo, 0, s.saddr);
  Put32(pseudo, 4, s.daddr);
  pseudo[9] = 6;
  Put16(pseudo, 10, static_cast<uint32_t>(tcp.size()));
  pseudo.insert(pseudo.end(), tcp.begin(), tcp.end());
  Put16(tcp, 16, ReferenceChecksum(pseudo));
  return tcp;
}

inline std::vector<uint8_t> EthernetFrame(const std::vector<uint8_t>& ip_packet,
                                          uint16_t ethertype = 0x0800) {
  std::vector<uint8_t> f = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2,
                            static_cast<uint8_t>(ethertype >> 8),
                            static_cast<uint8_t>(ethertype)};
  f.insert(f.end(), ip_packet.begin(), ip_packet.end());
  if (f.size() < 60) f.resize(60, 0);  // Ethernet padding
  return f;
}

inline std::vector<uint8_t> TcpFrame(const TcpSpec& s) {
  std::vector<uint8_t> tcp = TcpSegment(s);
  std::vector<uint8_t> ip = Ipv4Header(s.saddr, s.daddr, 6, tcp.size(), s.ttl);
  ip.insert(ip.end(), tcp.begin(), tcp.end());
  return EthernetFrame(ip);
}

// ICMP destination unreachable from `responder` to `probe.saddr`, quoting
// the IP header and first 8 TCP bytes of the probe described by `probe`.
inline std::vector<uint8_t> IcmpUnreachableFrame(uint32_t responder,
                                                 const TcpSpec& probe,
                                                 uint8_t code = 3) {
  std::vector<uint8_t> tcp = TcpSegment(probe);
  std::vector<uint8_t> quoted =
      Ipv4Header(probe.saddr, probe.daddr, 6, tcp.size(), probe.ttl);
  quoted.insert(quoted.end(), tcp.begin(), tcp.begin() + 8);
  std::vector<uint8_t> icmp = {3, code, 0, 0, 0, 0, 0, 0};
  icmp.insert(icmp.end(), quoted.begin(), quoted.end());
  Put16(icmp, 2, ReferenceChecksum(icmp));
  std::vector<uint8_t> ip = Ipv4Header(responder, probe.saddr, 1, icmp.size(), 64);
  ip.insert(ip.end(), icmp.begin(), icmp.end());
  return EthernetFrame(ip);
}

}  // namespace tlsweep::testing

#endif  // TLSWEEP_TESTS_TESTING_FRAMES_H_
