#include "packet/arp.h"

#include <cstring>

#include "common/byte_order.h"
#include "packet/headers.h"

namespace tlsweep {
namespace {

// Offsets in the ARP payload (after the Ethernet header).
constexpr size_t kHtype = 0;
constexpr size_t kPtype = 2;
constexpr size_t kHlen = 4;
constexpr size_t kPlen = 5;
constexpr size_t kOp = 6;
constexpr size_t kSha = 8;
constexpr size_t kSpa = 14;
constexpr size_t kTha = 18;
constexpr size_t kTpa = 24;
constexpr uint16_t kHtypeEthernet = 1;

MacAddress LoadMac(const uint8_t* p) {
  std::array<uint8_t, 6> b;
  std::memcpy(b.data(), p, 6);
  return MacAddress(b);
}

size_t BuildArp(uint16_t op, const MacAddress& eth_dst, const MacAddress& our_mac,
                Ipv4Address our_ip, const MacAddress& target_mac,
                Ipv4Address target_ip, uint8_t* out) {
  std::memset(out, 0, kArpFrameLen);
  std::memcpy(out + kEthDstOffset, eth_dst.bytes().data(), 6);
  std::memcpy(out + kEthSrcOffset, our_mac.bytes().data(), 6);
  StoreBe16(out + kEthTypeOffset, kEtherTypeArp);
  uint8_t* a = out + kEthHeaderLen;
  StoreBe16(a + kHtype, kHtypeEthernet);
  StoreBe16(a + kPtype, kEtherTypeIpv4);
  a[kHlen] = 6;
  a[kPlen] = 4;
  StoreBe16(a + kOp, op);
  std::memcpy(a + kSha, our_mac.bytes().data(), 6);
  StoreBe32(a + kSpa, our_ip.value());
  std::memcpy(a + kTha, target_mac.bytes().data(), 6);
  StoreBe32(a + kTpa, target_ip.value());
  return kArpFrameLen;
}

}  // namespace

std::optional<ArpMessage> ParseArp(const uint8_t* frame, size_t len) {
  if (len < kEthHeaderLen + kArpLen ||
      LoadBe16(frame + kEthTypeOffset) != kEtherTypeArp) {
    return std::nullopt;
  }
  const uint8_t* a = frame + kEthHeaderLen;
  if (LoadBe16(a + kHtype) != kHtypeEthernet ||
      LoadBe16(a + kPtype) != kEtherTypeIpv4 || a[kHlen] != 6 ||
      a[kPlen] != 4) {
    return std::nullopt;
  }
  ArpMessage m;
  m.op = LoadBe16(a + kOp);
  if (m.op != kArpOpRequest && m.op != kArpOpReply) return std::nullopt;
  m.sender_mac = LoadMac(a + kSha);
  m.sender_ip = Ipv4Address(LoadBe32(a + kSpa));
  m.target_mac = LoadMac(a + kTha);
  m.target_ip = Ipv4Address(LoadBe32(a + kTpa));
  return m;
}

size_t BuildArpReply(const ArpMessage& request, const MacAddress& our_mac,
                     Ipv4Address our_ip, uint8_t* out) {
  return BuildArp(kArpOpReply, request.sender_mac, our_mac, our_ip,
                  request.sender_mac, request.sender_ip, out);
}

size_t BuildArpRequest(const MacAddress& our_mac, Ipv4Address our_ip,
                       Ipv4Address target_ip, uint8_t* out) {
  const MacAddress broadcast({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  return BuildArp(kArpOpRequest, broadcast, our_mac, our_ip, MacAddress(),
                  target_ip, out);
}

}  // namespace tlsweep
