#include "packet/probe.h"

#include <cstring>
#include <span>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "packet/checksum.h"
#include "packet/frame_writer.h"
#include "packet/headers.h"

namespace tlsweep {
namespace {

// The longest option list a profile writes (kLinux).
constexpr size_t kMaxOptionsLen = 20;
static_assert(SynProbe::kMaxFrameLen == TcpFrameLen(kMaxOptionsLen, 0));

// The timestamp value a kLinux probe carries. Any constant works: the probe
// is stateless, and a SYN-ACK echoes it in TSecr, which nobody checks.
constexpr uint32_t kLinuxTsVal = 0x5a5a5a5a;
// Linux's default window scale for a 64 KiB+ receive buffer.
constexpr uint8_t kLinuxWscale = 7;

size_t WriteOptions(const ProbeConfig& config, uint8_t* p) {
  switch (config.options) {
    case TcpOptionProfile::kMinimal:
      return 0;
    case TcpOptionProfile::kMss:
      p[0] = kTcpOptMss;
      p[1] = 4;
      StoreBe16(p + 2, config.mss);
      return 4;
    case TcpOptionProfile::kLinux:
      // Linux's order: MSS, SACK_PERM, TS, NOP, WS (20 bytes, 4-aligned).
      p[0] = kTcpOptMss;
      p[1] = 4;
      StoreBe16(p + 2, config.mss);
      p[4] = kTcpOptSackPermitted;
      p[5] = 2;
      p[6] = kTcpOptTimestamps;
      p[7] = 10;
      StoreBe32(p + 8, kLinuxTsVal);
      StoreBe32(p + 12, 0);
      p[16] = kTcpOptNop;
      p[17] = kTcpOptWscale;
      p[18] = 3;
      p[19] = kLinuxWscale;
      return 20;
  }
  return 0;
}

}  // namespace

absl::StatusOr<TcpOptionProfile> ParseTcpOptionProfile(std::string_view name) {
  if (name == "minimal") return TcpOptionProfile::kMinimal;
  if (name == "mss") return TcpOptionProfile::kMss;
  if (name == "linux") return TcpOptionProfile::kLinux;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown TCP option profile '", std::string(name), "' (minimal, mss, linux)"));
}

std::string_view TcpOptionProfileName(TcpOptionProfile profile) {
  switch (profile) {
    case TcpOptionProfile::kMinimal:
      return "minimal";
    case TcpOptionProfile::kMss:
      return "mss";
    case TcpOptionProfile::kLinux:
      return "linux";
  }
  return "?";
}

SynProbe::SynProbe(const ProbeConfig& config) {
  // The per-target fields (ID, addresses, ports, sequence number) and both
  // checksums stay zero in the template; Finish() writes them.
  uint8_t options[kMaxOptionsLen];
  TcpFrameFields fields;
  fields.src_mac = config.src_mac;
  fields.dst_mac = config.dst_mac;
  fields.ttl = config.ttl;
  fields.flags = kTcpSyn;
  fields.window = config.window;
  fields.options = std::span<const uint8_t>(options, WriteOptions(config, options));
  uint8_t* f = template_.data();
  frame_len_ = WriteTcpFrame(f, fields, {}, {}, FrameChecksums::kZero);

  const size_t tcp_len = kTcpMinHeaderLen + fields.options.size();
  ip_sum_ = ChecksumAdd(f + kFrameIpOffset, kIpv4MinHeaderLen);
  tcp_sum_ = ChecksumAdd(f + kFrameTcpOffset, tcp_len) +
             PseudoHeaderSum(0, 0, kIpProtoTcp, static_cast<uint16_t>(tcp_len));
}

void SynProbe::WriteTemplate(uint8_t* frame) const {
  std::memcpy(frame, template_.data(), frame_len_);
}

void SynProbe::Finish(uint8_t* frame, const ProbeFields& fields) const {
  uint8_t* ip = frame + kFrameIpOffset;
  uint8_t* tcp = frame + kFrameTcpOffset;
  const uint32_t saddr = fields.saddr.value();
  const uint32_t daddr = fields.daddr.value();

  StoreBe16(ip + kIpv4IdOffset, fields.ip_id);
  StoreBe32(ip + kIpv4SrcOffset, saddr);
  StoreBe32(ip + kIpv4DstOffset, daddr);
  const uint64_t addr_sum = ChecksumAdd32(saddr) + ChecksumAdd32(daddr);
  StoreBe16(ip + kIpv4ChecksumOffset,
            ChecksumFinish(ip_sum_ + addr_sum + fields.ip_id));

  StoreBe16(tcp + kTcpSrcPortOffset, fields.sport);
  StoreBe16(tcp + kTcpDstPortOffset, fields.dport);
  StoreBe32(tcp + kTcpSeqOffset, fields.seq);
  StoreBe16(tcp + kTcpChecksumOffset,
            ChecksumFinish(tcp_sum_ + addr_sum + fields.sport + fields.dport +
                           ChecksumAdd32(fields.seq)));
}

}  // namespace tlsweep
