// Writing scan results: one line per answer, in the formats ZMap users and
// follow-up grabbers expect.
//
// - default: the responsive address (one port scanned) or `ip,port`
//   (several), one per line, so the output pipes straight into a grabber;
// - csv: the fields named with -f, with a header line (ZMap's names);
// - json: JSON Lines with every field (ScanResultJson, record_json.h);
// - zgrab2: ZGrab2's input format `ip,domain,tag,port` with domain and tag
//   empty, so `tlsweep scan -O zgrab2 | zgrab2 ...` works across ports.
// By default only new open ports are written (ZMap's default filter
// "success = 1 && repeat = 0"); --output-all writes every validated answer.
// This runs on the control thread, never on a receive lcore.
#ifndef TLSWEEP_OUTPUT_RESULT_OUTPUT_H_
#define TLSWEEP_OUTPUT_RESULT_OUTPUT_H_

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scan/response_handler.h"

namespace tlsweep {

enum class OutputFormat { kDefault, kCsv, kJson, kZgrab2 };

enum class OutputField {
  kSaddr, kDaddr, kSport, kDport, kClassification, kSuccess, kRepeat, kTtl,
  kWindow, kMss, kWscale, kSackPermitted, kTsval, kTcpOptions, kIcmpResponder,
  kIcmpCode, kTimestampStr, kTimestampUs,
};

absl::StatusOr<OutputFormat> ParseOutputFormat(std::string_view name);
// Parses a comma-separated field list such as "saddr,sport,classification".
absl::StatusOr<std::vector<OutputField>> ParseOutputFields(std::string_view list);

struct OutputOptions {
  OutputFormat format = OutputFormat::kDefault;
  std::vector<OutputField> fields;  // csv; empty = saddr,sport,classification,success,repeat,ttl,window,timestamp_str
  bool all = false;                 // every validated answer, not only new open ports
  bool multi_port = false;          // default format: ip,port instead of ip
};

class ResultWriter {
 public:
  // Opens `path` ("" or "-" for stdout) and writes a header where the
  // format has one. With `append` (a run resumed from a checkpoint that
  // cut the file back to its checkpointed length) the records go after the
  // file's contents, with a header only if the file is empty.
  static absl::StatusOr<ResultWriter> Open(const std::string& path,
                                           OutputOptions options, bool append = false);

  // Whether the filter keeps `r`.
  bool Keeps(const ScanResult& r) const {
    return options_.all || (r.response.success && !r.repeat);
  }
  // Writes `r` if the filter keeps it; each record is one whole line.
  void Write(const ScanResult& r);
  // Writes a whole record line (with its '\n') formatted elsewhere: the
  // records of `tlsweep run`.
  void WriteLine(std::string_view line);
  // Flushes and closes; reports a deferred write error naming the file.
  absl::Status Close();
  uint64_t written() const { return written_; }

  // Whether Sync() can make the output durable: a regular file (not
  // stdout, a pipe or a terminal).
  bool syncable() const { return syncable_; }
  // Flushes stdio's buffer, fsync()s the file (and, the first time, its
  // directory, which holds the new file's name) and returns the file's
  // length: every record written so far is then on disk, whole. Errors
  // name the file.
  absl::StatusOr<uint64_t> Sync();

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const {
      if (f != stdout) std::fclose(f);
    }
  };
  ResultWriter(std::unique_ptr<std::FILE, FileCloser> file, std::string path,
               OutputOptions options, bool syncable)
      : file_(std::move(file)),
        path_(std::move(path)),
        options_(std::move(options)),
        syncable_(syncable) {}

  std::unique_ptr<std::FILE, FileCloser> file_;
  std::string path_;
  OutputOptions options_;
  uint64_t written_ = 0;
  bool syncable_ = false;
  bool directory_synced_ = false;
};

}  // namespace tlsweep

#endif  // TLSWEEP_OUTPUT_RESULT_OUTPUT_H_
