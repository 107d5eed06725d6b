// Incremental line splitter for the line-based protocols (SMTP, IMAP, POP3,
// IRC).
//
// TCP delivers arbitrary fragments: a reader must work when a server drips one
// byte per read or pipelines several replies into one. Lines end in CR LF or a
// bare LF (many servers and middleboxes send bare LF); the terminator is not
// part of the returned line. The buffer never holds more than one unfinished
// line of at most max_line_length bytes plus whatever complete lines the last
// Feed brought, so a peer cannot make it grow without bound.
#ifndef TLSWEEP_PROTO_LINE_READER_H_
#define TLSWEEP_PROTO_LINE_READER_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace tlsweep {

class LineReader {
 public:
  enum class Result {
    kLine,      // *line holds the next line
    kNeedMore,  // no complete line buffered yet
    kTooLong,   // a line exceeds max_line_length; the reader is unusable
  };

  explicit LineReader(size_t max_line_length)
      : max_line_length_(max_line_length) {}

  // Appends bytes from the peer.
  void Feed(std::string_view data);

  // Takes the next complete line. *line stays valid until the next call to
  // Feed, Next or Clear.
  Result Next(std::string_view* line);

  // Bytes buffered and not yet returned as lines.
  size_t buffered() const { return buf_.size() - start_; }

  // Drops everything buffered (used when the stream switches to TLS).
  void Clear();

 private:
  size_t max_line_length_;
  std::string buf_;
  size_t start_ = 0;    // first byte not yet returned
  size_t scanned_ = 0;  // bytes before this hold no LF (past start_)
};

}  // namespace tlsweep

#endif  // TLSWEEP_PROTO_LINE_READER_H_
