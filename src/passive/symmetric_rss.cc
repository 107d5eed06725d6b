// See symmetric_rss.h.
#include "passive/symmetric_rss.h"

#include "common/byte_order.h"
#include "packet/headers.h"

namespace tlsweep {
namespace {

constexpr uint16_t kEtherTypeVlan = 0x8100;
constexpr uint8_t kIpProtoUdp = 17;
constexpr size_t kVlanTagLen = 4;

// The key of every hash: built once, the same bytes SymmetricRssKey writes.
struct DefaultKey {
  std::array<uint8_t, kRssKeyLen> bytes;
  DefaultKey() { SymmetricRssKey(bytes); }
};
const DefaultKey kKey;

}  // namespace

void SymmetricRssKey(std::span<uint8_t> key) {
  for (size_t i = 0; i < key.size(); ++i) key[i] = (i % 2 == 0) ? 0x6d : 0x5a;
}

uint32_t ToeplitzHash(std::span<const uint8_t> key, std::span<const uint8_t> input) {
  uint32_t result = 0;
  // The 32 key bits aligned with the current input bit; the next key bit
  // shifts in from the right after every input bit.
  uint32_t window = LoadBe32(key.data());
  for (size_t i = 0; i < input.size(); ++i) {
    const uint8_t next_key_byte = key[i + 4];
    for (int bit = 7; bit >= 0; --bit) {
      if ((input[i] >> bit) & 1) result ^= window;
      window = (window << 1) | ((next_key_byte >> bit) & 1);
    }
  }
  return result;
}

uint32_t SymmetricFrameHash(std::span<const uint8_t> frame) {
  if (frame.size() < kEthHeaderLen) return 0;
  size_t l3 = kEthHeaderLen;
  uint16_t type = LoadBe16(frame.data() + kEthTypeOffset);
  if (type == kEtherTypeVlan) {
    if (frame.size() < kEthHeaderLen + kVlanTagLen) return 0;
    type = LoadBe16(frame.data() + kEthTypeOffset + kVlanTagLen);
    l3 += kVlanTagLen;
  }
  if (type != kEtherTypeIpv4 || frame.size() < l3 + kIpv4MinHeaderLen) return 0;
  const uint8_t* ip = frame.data() + l3;
  const size_t ihl = size_t(ip[0] & 0x0f) * 4;
  // src, dst, sport, dport: the order of the RSS input (Microsoft's spec).
  std::array<uint8_t, 12> tuple;
  for (size_t i = 0; i < 8; ++i) tuple[i] = ip[kIpv4SrcOffset + i];
  const uint16_t frag = LoadBe16(ip + kIpv4FragOffset);
  const bool fragment = (frag & (kIpv4FlagMoreFragments | kIpv4FragOffsetMask)) != 0;
  const uint8_t proto = ip[kIpv4ProtoOffset];
  if (!fragment && (proto == kIpProtoTcp || proto == kIpProtoUdp) &&
      ihl >= kIpv4MinHeaderLen && frame.size() >= l3 + ihl + 4) {
    for (size_t i = 0; i < 4; ++i) tuple[8 + i] = ip[ihl + i];
    return ToeplitzHash(kKey.bytes, tuple);
  }
  return ToeplitzHash(kKey.bytes, std::span<const uint8_t>(tuple.data(), 8));
}

}  // namespace tlsweep
