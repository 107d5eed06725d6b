// See line_reader.h.
#include "proto/line_reader.h"

namespace tlsweep {

void LineReader::Feed(std::string_view data) {
  if (start_ > 0) {
    // Compact: returned lines are no longer referenced after this call.
    buf_.erase(0, start_);
    scanned_ -= start_;
    start_ = 0;
  }
  buf_.append(data);
}

LineReader::Result LineReader::Next(std::string_view* line) {
  const size_t lf = buf_.find('\n', scanned_);
  if (lf == std::string::npos) {
    scanned_ = buf_.size();
    return buffered() > max_line_length_ ? Result::kTooLong : Result::kNeedMore;
  }
  size_t end = lf;
  if (end > start_ && buf_[end - 1] == '\r') --end;
  if (end - start_ > max_line_length_) return Result::kTooLong;
  *line = std::string_view(buf_).substr(start_, end - start_);
  start_ = lf + 1;
  scanned_ = start_;
  return Result::kLine;
}

void LineReader::Clear() {
  buf_.clear();
  start_ = 0;
  scanned_ = 0;
}

}  // namespace tlsweep
