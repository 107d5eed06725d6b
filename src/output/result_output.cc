#include "output/result_output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/atomic_file.h"
#include "common/time_format.h"
#include "output/record_fields.h"
#include "output/record_json.h"

namespace tlsweep {
namespace {

struct FieldName {
  OutputField field;
  std::string_view name;
};
constexpr FieldName kFieldNames[] = {
    {OutputField::kSaddr, field::kSaddr},
    {OutputField::kDaddr, field::kDaddr},
    {OutputField::kSport, field::kSport},
    {OutputField::kDport, field::kDport},
    {OutputField::kClassification, field::kClassification},
    {OutputField::kSuccess, field::kSuccess},
    {OutputField::kRepeat, field::kRepeat},
    {OutputField::kTtl, field::kTtl},
    {OutputField::kWindow, field::kWindow},
    {OutputField::kMss, field::kMss},
    {OutputField::kWscale, field::kWscale},
    {OutputField::kSackPermitted, field::kSackPermitted},
    {OutputField::kTsval, field::kTsval},
    {OutputField::kTcpOptions, field::kTcpOptions},
    {OutputField::kIcmpResponder, field::kIcmpResponder},
    {OutputField::kIcmpCode, field::kIcmpCode},
    {OutputField::kTimestampStr, field::kTimestampStr},
    {OutputField::kTimestampUs, field::kTimestampUs},
};

std::string_view NameOf(OutputField f) {
  for (const FieldName& n : kFieldNames) {
    if (n.field == f) return n.name;
  }
  return "?";
}

// "mss=1460;sack;ts;ws=7": the options of a SYN-ACK in one CSV-safe cell.
std::string TcpOptionsString(const TcpOptionsSeen& o) {
  std::vector<std::string> parts;
  if (o.has_mss) parts.push_back(absl::StrCat("mss=", o.mss));
  if (o.sack_permitted) parts.push_back("sack");
  if (o.has_timestamps) parts.push_back("ts");
  if (o.has_wscale) parts.push_back(absl::StrCat("ws=", o.wscale));
  return absl::StrJoin(parts, ";");
}

std::string FieldValue(OutputField f, const ScanResult& r) {
  const ScanResponse& s = r.response;
  switch (f) {
    case OutputField::kSaddr: return s.target.ToString();
    case OutputField::kDaddr: return s.saddr.ToString();
    case OutputField::kSport: return absl::StrCat(s.port);
    case OutputField::kDport: return absl::StrCat(s.sport);
    case OutputField::kClassification: return std::string(ClassificationName(s.classification));
    case OutputField::kSuccess: return s.success ? "1" : "0";
    case OutputField::kRepeat: return r.repeat ? "1" : "0";
    case OutputField::kTtl: return absl::StrCat(s.ttl);
    case OutputField::kWindow: return absl::StrCat(s.window);
    case OutputField::kMss: return s.options.has_mss ? absl::StrCat(s.options.mss) : "";
    case OutputField::kWscale: return s.options.has_wscale ? absl::StrCat(s.options.wscale) : "";
    case OutputField::kSackPermitted: return s.options.sack_permitted ? "1" : "0";
    case OutputField::kTsval: return s.options.has_timestamps ? absl::StrCat(s.options.ts_val) : "";
    case OutputField::kTcpOptions: return TcpOptionsString(s.options);
    case OutputField::kIcmpResponder:
      return s.classification == Classification::kIcmpUnreachable ? s.icmp_responder.ToString() : "";
    case OutputField::kIcmpCode:
      return s.classification == Classification::kIcmpUnreachable ? absl::StrCat(s.icmp_code) : "";
    case OutputField::kTimestampStr: return FormatRfc3339(r.timestamp_ns);
    case OutputField::kTimestampUs: return absl::StrCat(r.timestamp_ns / 1000);
  }
  return "";
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "default" || name == "text") return OutputFormat::kDefault;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  if (name == "zgrab2") return OutputFormat::kZgrab2;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown output format '", std::string(name), "' (default, csv, json, zgrab2)"));
}

absl::StatusOr<std::vector<OutputField>> ParseOutputFields(std::string_view list) {
  std::vector<OutputField> fields;
  for (absl::string_view raw : absl::StrSplit(absl::string_view(list.data(), list.size()), ',')) {
    const std::string name(raw);
    bool found = false;
    for (const FieldName& n : kFieldNames) {
      if (name == n.name) {
        fields.push_back(n.field);
        found = true;
      }
    }
    if (!found) {
      std::vector<std::string> known;
      for (const FieldName& n : kFieldNames) known.emplace_back(n.name);
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown output field '", name, "' (", absl::StrJoin(known, ", "), ")"));
    }
  }
  return fields;
}

absl::StatusOr<ResultWriter> ResultWriter::Open(const std::string& path,
                                                OutputOptions options, bool append) {
  std::unique_ptr<std::FILE, FileCloser> file;
  if (path.empty() || path == "-") {
    file.reset(stdout);
  } else {
    file.reset(std::fopen(path.c_str(), append ? "a" : "w"));
    if (!file) {
      return absl::NotFoundError(absl::StrCat("-o: cannot create ", path, ": ",
                                              std::strerror(errno)));
    }
  }
  struct stat st;
  const bool regular = fstat(fileno(file.get()), &st) == 0 && S_ISREG(st.st_mode);
  const bool header = !append || (regular && st.st_size == 0);
  if (options.format == OutputFormat::kCsv) {
    if (options.fields.empty()) {
      options.fields = {OutputField::kSaddr, OutputField::kSport,
                        OutputField::kClassification, OutputField::kSuccess,
                        OutputField::kRepeat, OutputField::kTtl,
                        OutputField::kWindow, OutputField::kTimestampStr};
    }
    if (header) {
      std::vector<std::string> names;
      for (OutputField f : options.fields) names.emplace_back(NameOf(f));
      std::fprintf(file.get(), "%s\n", absl::StrJoin(names, ",").c_str());
    }
  }
  // Stdout is never syncable, even when redirected to a file: a checkpoint
  // names the output by its path, and stdout has none.
  const bool named = !(path.empty() || path == "-");
  return ResultWriter(std::move(file), path, std::move(options), regular && named);
}

void ResultWriter::Write(const ScanResult& r) {
  if (!Keeps(r)) return;
  std::string line;
  switch (options_.format) {
    case OutputFormat::kDefault:
      line = options_.multi_port
                 ? absl::StrCat(r.response.target.ToString(), ",", r.response.port)
                 : r.response.target.ToString();
      break;
    case OutputFormat::kZgrab2:
      line = absl::StrCat(r.response.target.ToString(), ",,,", r.response.port);
      break;
    case OutputFormat::kCsv: {
      std::vector<std::string> cells;
      for (OutputField f : options_.fields) cells.push_back(FieldValue(f, r));
      line = absl::StrJoin(cells, ",");
      break;
    }
    case OutputFormat::kJson:
      line = ScanResultJson(r).dump();
      break;
  }
  line.push_back('\n');
  WriteLine(line);
}

void ResultWriter::WriteLine(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), file_.get());
  ++written_;
}

absl::StatusOr<uint64_t> ResultWriter::Sync() {
  std::FILE* f = file_.get();
  if (std::fflush(f) != 0 || std::ferror(f) != 0 || fsync(fileno(f)) != 0) {
    return absl::UnavailableError(
        absl::StrCat("-o: cannot write and sync ", path_, ": ", std::strerror(errno)));
  }
  if (!directory_synced_) {
    if (absl::Status s = SyncDirectoryOf(path_); !s.ok()) return s;
    directory_synced_ = true;
  }
  const off_t end = ftello(f);
  if (end < 0) {
    return absl::UnavailableError(
        absl::StrCat("-o: cannot tell the length of ", path_, ": ", std::strerror(errno)));
  }
  return static_cast<uint64_t>(end);
}

absl::Status ResultWriter::Close() {
  std::FILE* f = file_.get();
  if (f == nullptr) return absl::OkStatus();
  const bool failed = std::fflush(f) != 0 || std::ferror(f) != 0;
  file_.reset();
  if (failed) {
    return absl::UnavailableError(absl::StrCat("-o: write to ",
                                               path_.empty() || path_ == "-" ? "stdout" : path_, " failed"));
  }
  return absl::OkStatus();
}

}  // namespace tlsweep
