#include "packet/pcap_writer.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tlsweep {
namespace {

// pcap-savefile(5): the magic for nanosecond timestamps, version 2.4.
constexpr uint32_t kPcapMagicNanos = 0xa1b23c4d;
constexpr uint16_t kPcapVersionMajor = 2;
constexpr uint16_t kPcapVersionMinor = 4;
constexpr uint32_t kSnapLen = 65535;
constexpr uint32_t kLinkTypeEthernet = 1;

struct FileHeader {
  uint32_t magic;
  uint16_t version_major;
  uint16_t version_minor;
  int32_t thiszone;
  uint32_t sigfigs;
  uint32_t snaplen;
  uint32_t linktype;
};

struct RecordHeader {
  uint32_t ts_sec;
  uint32_t ts_nsec;
  uint32_t incl_len;
  uint32_t orig_len;
};

absl::Status WriteError(const std::string& path) {
  return absl::UnavailableError(
      absl::StrCat("write to ", path, ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<PcapWriter> PcapWriter::Open(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) {
    return absl::NotFoundError(
        absl::StrCat("cannot create pcap file ", path, ": ", std::strerror(errno)));
  }
  // Host byte order: readers recognise it from the magic number.
  const FileHeader header = {kPcapMagicNanos, kPcapVersionMajor,
                             kPcapVersionMinor, 0, 0, kSnapLen,
                             kLinkTypeEthernet};
  if (std::fwrite(&header, sizeof(header), 1, file.get()) != 1) {
    return WriteError(path);
  }
  return PcapWriter(std::move(file), path);
}

absl::Status PcapWriter::Write(const uint8_t* frame, uint32_t captured_len, uint32_t wire_len,
                               uint64_t timestamp_ns) {
  const RecordHeader record = {
      static_cast<uint32_t>(timestamp_ns / 1000000000),
      static_cast<uint32_t>(timestamp_ns % 1000000000), captured_len, wire_len};
  if (std::fwrite(&record, sizeof(record), 1, file_.get()) != 1 ||
      std::fwrite(frame, 1, captured_len, file_.get()) != captured_len) {
    return WriteError(path_);
  }
  return absl::OkStatus();
}

absl::Status PcapWriter::Close() {
  std::FILE* f = file_.release();
  if (f == nullptr) return absl::OkStatus();
  const bool failed = std::ferror(f) != 0;
  if (std::fclose(f) != 0 || failed) return WriteError(path_);
  return absl::OkStatus();
}

}  // namespace tlsweep
