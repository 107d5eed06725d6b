// Writes frames to a classic libpcap file (LINKTYPE_ETHERNET, nanosecond
// timestamps) so that what tlsweep would send can be inspected with tshark or
// tcpdump. The format is small and fixed (pcap-savefile(5)); linking libpcap
// for it would add a dependency to every build for thirty lines of code.
#ifndef TLSWEEP_PACKET_PCAP_WRITER_H_
#define TLSWEEP_PACKET_PCAP_WRITER_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tlsweep {

class PcapWriter {
 public:
  // Creates (truncates) `path` and writes the file header.
  static absl::StatusOr<PcapWriter> Open(const std::string& path);

  // Appends one frame captured at `timestamp_ns` (since the Unix epoch).
  absl::Status Write(const uint8_t* frame, uint32_t len, uint64_t timestamp_ns) {
    return Write(frame, len, len, timestamp_ns);
  }
  // The same for a frame of `wire_len` bytes of which the capture kept the
  // first `captured_len` (tcpdump -s: a short snaplen); captured_len <=
  // wire_len.
  absl::Status Write(const uint8_t* frame, uint32_t captured_len, uint32_t wire_len,
                     uint64_t timestamp_ns);

  // Flushes and closes; reports a write error that buffering deferred.
  absl::Status Close();

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  PcapWriter(std::unique_ptr<std::FILE, FileCloser> file, std::string path)
      : file_(std::move(file)), path_(std::move(path)) {}

  std::unique_ptr<std::FILE, FileCloser> file_;
  std::string path_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_PACKET_PCAP_WRITER_H_
