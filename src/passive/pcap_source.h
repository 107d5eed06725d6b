// Reads captured frames from a pcap or pcapng file through libpcap, which
// knows both formats, every timestamp precision and the byte orders; the
// project's own writer (packet/pcap_writer.h) only ever writes one format.
// Only Ethernet captures (LINKTYPE_ETHERNET) are accepted: the frame parser
// (packet/parse.h) starts at an Ethernet header, and a capture of a mirror
// port or of the lab's veth is Ethernet.
#ifndef TLSWEEP_PASSIVE_PCAP_SOURCE_H_
#define TLSWEEP_PASSIVE_PCAP_SOURCE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct pcap;

namespace tlsweep {

struct CapturedFrame {
  std::span<const uint8_t> bytes;  // what was captured (at most the snaplen)
  uint32_t wire_length = 0;        // the frame's length on the wire
  uint64_t timestamp_ns = 0;       // since the Unix epoch
};

class PcapSource {
 public:
  static absl::StatusOr<PcapSource> Open(const std::string& path);

  // The next frame, or false at the end of the file. The bytes stay valid
  // until the next call. A file that breaks off in the middle of a record
  // (a capture cut short) ends there: truncated() then says so.
  bool Next(CapturedFrame* frame);
  bool truncated() const { return truncated_; }
  // libpcap's error for a truncated file ("" otherwise).
  const std::string& error() const { return error_; }

 private:
  struct Closer {
    void operator()(pcap* p) const;
  };
  explicit PcapSource(std::unique_ptr<pcap, Closer> handle) : handle_(std::move(handle)) {}

  std::unique_ptr<pcap, Closer> handle_;
  bool truncated_ = false;
  std::string error_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_PASSIVE_PCAP_SOURCE_H_
