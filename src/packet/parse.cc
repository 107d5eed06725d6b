#include "packet/parse.h"

#include "common/byte_order.h"
#include "packet/checksum.h"
#include "packet/headers.h"

namespace tlsweep {
namespace {

struct Ipv4View {
  const uint8_t* header;
  const uint8_t* payload;
  size_t payload_len;
  uint8_t protocol;
};

// Checks an IPv4 header at `p` with `len` bytes available. On success fills
// `view` and returns kTcp as a neutral "ok" marker.
ParseResult CheckIpv4(const uint8_t* p, size_t len, bool verify_checksum,
                      Ipv4View* view) {
  if (len < kIpv4MinHeaderLen) return ParseResult::kTruncated;
  if ((p[0] >> 4) != 4) return ParseResult::kBadIpVersion;
  const size_t ihl = size_t{p[0] & 0x0fu} * 4;
  if (ihl < kIpv4MinHeaderLen || ihl > len) return ParseResult::kBadIhl;
  if (ihl != kIpv4MinHeaderLen) return ParseResult::kIpOptions;
  const size_t total = LoadBe16(p + kIpv4TotalLenOffset);
  // Frames may carry Ethernet padding after the IP packet, never less.
  if (total < ihl || total > len) return ParseResult::kBadIpLength;
  if (verify_checksum && !ChecksumValid(ChecksumAdd(p, ihl))) {
    return ParseResult::kBadIpChecksum;
  }
  const uint16_t frag = LoadBe16(p + kIpv4FragOffset);
  if ((frag & (kIpv4FlagMoreFragments | kIpv4FragOffsetMask)) != 0) {
    return ParseResult::kFragment;
  }
  view->header = p;
  view->payload = p + ihl;
  view->payload_len = total - ihl;
  view->protocol = p[kIpv4ProtoOffset];
  return ParseResult::kTcp;
}

ParseResult ParseTcp(const Ipv4View& ip, bool verify_checksum, ParsedTcp* out) {
  const uint8_t* t = ip.payload;
  if (ip.payload_len < kTcpMinHeaderLen) return ParseResult::kTruncated;
  const size_t data_offset = static_cast<size_t>(t[kTcpDataOffsetOffset] >> 4) * 4;
  if (data_offset < kTcpMinHeaderLen || data_offset > ip.payload_len) {
    return ParseResult::kBadTcpHeader;
  }
  const uint32_t saddr = LoadBe32(ip.header + kIpv4SrcOffset);
  const uint32_t daddr = LoadBe32(ip.header + kIpv4DstOffset);
  if (verify_checksum) {
    const uint64_t sum =
        PseudoHeaderSum(saddr, daddr, kIpProtoTcp,
                        static_cast<uint16_t>(ip.payload_len)) +
        ChecksumAdd(t, ip.payload_len);
    if (!ChecksumValid(sum)) return ParseResult::kBadTcpChecksum;
  }
  out->options = TcpOptionsSeen{};
  if (!ParseTcpOptions(t + kTcpMinHeaderLen, data_offset - kTcpMinHeaderLen,
                       &out->options)) {
    return ParseResult::kBadTcpHeader;
  }
  out->saddr = Ipv4Address(saddr);
  out->daddr = Ipv4Address(daddr);
  out->sport = LoadBe16(t + kTcpSrcPortOffset);
  out->dport = LoadBe16(t + kTcpDstPortOffset);
  out->seq = LoadBe32(t + kTcpSeqOffset);
  out->ack = LoadBe32(t + kTcpAckOffset);
  out->flags = t[kTcpFlagsOffset];
  out->window = LoadBe16(t + kTcpWindowOffset);
  out->ttl = ip.header[kIpv4TtlOffset];
  out->ip_id = LoadBe16(ip.header + kIpv4IdOffset);
  out->payload_len = static_cast<uint16_t>(ip.payload_len - data_offset);
  // The IP header follows an Ethernet header of fixed length (ParseFrame).
  out->payload_offset = static_cast<uint16_t>(
      kEthHeaderLen + static_cast<size_t>(t - ip.header) + data_offset);
  return ParseResult::kTcp;
}

ParseResult ParseIcmp(const Ipv4View& ip, bool verify_checksum,
                      ParsedIcmpUnreachable* out) {
  const uint8_t* icmp = ip.payload;
  if (ip.payload_len < kIcmpHeaderLen) return ParseResult::kTruncated;
  if (verify_checksum && !ChecksumValid(ChecksumAdd(icmp, ip.payload_len))) {
    return ParseResult::kBadIcmpChecksum;
  }
  if (icmp[0] != kIcmpDestUnreachable) return ParseResult::kOtherIcmp;
  // The quote: an IPv4 header (options allowed: it is our own probe's header
  // as a router saw it, so only its length matters) and 8 bytes of TCP.
  const uint8_t* q = icmp + kIcmpHeaderLen;
  const size_t qlen = ip.payload_len - kIcmpHeaderLen;
  if (qlen < kIpv4MinHeaderLen || (q[0] >> 4) != 4) {
    return ParseResult::kBadIcmpQuote;
  }
  const size_t qihl = size_t{q[0] & 0x0fu} * 4;
  if (qihl < kIpv4MinHeaderLen || qihl + kIcmpQuotedL4Len > qlen ||
      q[kIpv4ProtoOffset] != kIpProtoTcp) {
    return ParseResult::kBadIcmpQuote;
  }
  const uint8_t* qt = q + qihl;
  out->responder = Ipv4Address(LoadBe32(ip.header + kIpv4SrcOffset));
  out->daddr = Ipv4Address(LoadBe32(ip.header + kIpv4DstOffset));
  out->ttl = ip.header[kIpv4TtlOffset];
  out->code = icmp[1];
  out->quoted_saddr = Ipv4Address(LoadBe32(q + kIpv4SrcOffset));
  out->quoted_daddr = Ipv4Address(LoadBe32(q + kIpv4DstOffset));
  out->quoted_sport = LoadBe16(qt + kTcpSrcPortOffset);
  out->quoted_dport = LoadBe16(qt + kTcpDstPortOffset);
  out->quoted_seq = LoadBe32(qt + kTcpSeqOffset);
  return ParseResult::kIcmpUnreachable;
}

}  // namespace

std::string_view ParseResultName(ParseResult result) {
  switch (result) {
    case ParseResult::kTcp: return "tcp";
    case ParseResult::kIcmpUnreachable: return "icmp_unreachable";
    case ParseResult::kArp: return "arp";
    case ParseResult::kTruncated: return "truncated";
    case ParseResult::kOtherEtherType: return "other_ethertype";
    case ParseResult::kBadIpVersion: return "bad_ip_version";
    case ParseResult::kBadIhl: return "bad_ihl";
    case ParseResult::kIpOptions: return "ip_options";
    case ParseResult::kBadIpLength: return "bad_ip_length";
    case ParseResult::kBadIpChecksum: return "bad_ip_checksum";
    case ParseResult::kFragment: return "fragment";
    case ParseResult::kOtherProtocol: return "other_protocol";
    case ParseResult::kBadTcpHeader: return "bad_tcp_header";
    case ParseResult::kBadTcpChecksum: return "bad_tcp_checksum";
    case ParseResult::kBadIcmpChecksum: return "bad_icmp_checksum";
    case ParseResult::kOtherIcmp: return "other_icmp";
    case ParseResult::kBadIcmpQuote: return "bad_icmp_quote";
    case ParseResult::kCount: break;
  }
  return "?";
}

uint64_t ParseCounters::dropped() const {
  uint64_t n = 0;
  for (size_t i = static_cast<size_t>(ParseResult::kTruncated);
       i < by_result.size(); ++i) {
    n += by_result[i];
  }
  return n;
}

bool ParseTcpOptions(const uint8_t* p, size_t len, TcpOptionsSeen* out) {
  size_t i = 0;
  while (i < len) {
    const uint8_t kind = p[i];
    if (kind == kTcpOptEnd) return true;
    if (kind == kTcpOptNop) {
      ++i;
      continue;
    }
    if (i + 1 >= len) return false;
    const size_t opt_len = p[i + 1];
    if (opt_len < 2 || i + opt_len > len) return false;
    const uint8_t* v = p + i + 2;
    switch (kind) {
      case kTcpOptMss:
        if (opt_len != 4) return false;
        out->has_mss = true;
        out->mss = LoadBe16(v);
        break;
      case kTcpOptWscale:
        if (opt_len != 3) return false;
        out->has_wscale = true;
        out->wscale = v[0];
        break;
      case kTcpOptSackPermitted:
        if (opt_len != 2) return false;
        out->sack_permitted = true;
        break;
      case kTcpOptTimestamps:
        if (opt_len != 10) return false;
        out->has_timestamps = true;
        out->ts_val = LoadBe32(v);
        out->ts_ecr = LoadBe32(v + 4);
        break;
      default:
        break;  // Unknown options are skipped by their length.
    }
    i += opt_len;
  }
  return true;
}

ParseResult ParseFrame(const uint8_t* frame, size_t len, ParsedFrame* out,
                       bool verify_checksums) {
  if (len < kEthHeaderLen) return ParseResult::kTruncated;
  const uint16_t ethertype = LoadBe16(frame + kEthTypeOffset);
  if (ethertype == kEtherTypeArp) {
    return len >= kEthHeaderLen + kArpLen ? ParseResult::kArp
                                          : ParseResult::kTruncated;
  }
  if (ethertype != kEtherTypeIpv4) return ParseResult::kOtherEtherType;
  Ipv4View ip;
  const ParseResult r = CheckIpv4(frame + kEthHeaderLen, len - kEthHeaderLen,
                                  verify_checksums, &ip);
  if (r != ParseResult::kTcp) return r;
  switch (ip.protocol) {
    case kIpProtoTcp:
      return ParseTcp(ip, verify_checksums, &out->tcp);
    case kIpProtoIcmp:
      return ParseIcmp(ip, verify_checksums, &out->icmp);
    default:
      return ParseResult::kOtherProtocol;
  }
}

}  // namespace tlsweep
