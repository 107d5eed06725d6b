// XMPP module (RFC 6120): stream header, <stream:features>, <starttls/>,
// <proceed/>, TLS, a new stream, features again, </stream:stream>.
//
// No XML parser: the module only needs the stream root, its direct children
// (features, proceed, failure, stream:error) and two levels below features
// (starttls/required, mechanisms/mechanism). An incremental tag scanner does
// that: it skips <?xml?> declarations and comments, honours quotes in
// attribute values, matches elements by local name so any namespace prefix
// works (stream:features, s:features), and refuses DTDs as RFC 6120 11.1 does.
// A tag or text run longer than max_line_length, or nesting deeper than
// kMaxDepth, ends the grab with protocol-error: the buffer stays bounded.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/module_base.h"
#include "proto/modules.h"
#include "proto/text.h"

namespace tlsweep {
namespace {

constexpr std::string_view kCloseStream = "</stream:stream>";
constexpr std::string_view kStartTls =
    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";

// Feature lists nest 3 levels below the root; 16 leaves room for any real
// server and bounds the element stack.
constexpr size_t kMaxDepth = 16;
// Bounds the features and mechanisms kept per listing.
constexpr size_t kMaxFeatures = 256;

// Value of attribute `name` (qualified, e.g. "id" or "xml:lang") in the text
// after a tag's name; nullopt when absent or malformed.
std::optional<std::string_view> Attribute(std::string_view attrs,
                                          std::string_view name) {
  size_t i = 0;
  while (i < attrs.size()) {
    while (i < attrs.size() && (attrs[i] == ' ' || attrs[i] == '\t' ||
                                attrs[i] == '\r' || attrs[i] == '\n')) {
      ++i;
    }
    const size_t name_start = i;
    while (i < attrs.size() && attrs[i] != '=' && attrs[i] != ' ' &&
           attrs[i] != '\t' && attrs[i] != '\r' && attrs[i] != '\n') {
      ++i;
    }
    const std::string_view attr_name = attrs.substr(name_start, i - name_start);
    while (i < attrs.size() && attrs[i] != '=') {
      if (attrs[i] != ' ' && attrs[i] != '\t' && attrs[i] != '\r' &&
          attrs[i] != '\n') {
        return std::nullopt;
      }
      ++i;
    }
    if (i >= attrs.size()) return std::nullopt;
    ++i;  // '='
    while (i < attrs.size() && (attrs[i] == ' ' || attrs[i] == '\t' ||
                                attrs[i] == '\r' || attrs[i] == '\n')) {
      ++i;
    }
    if (i >= attrs.size() || (attrs[i] != '\'' && attrs[i] != '"'))
      return std::nullopt;
    const char quote = attrs[i++];
    const size_t value_end = attrs.find(quote, i);
    if (value_end == std::string_view::npos) return std::nullopt;
    if (attr_name == name) return attrs.substr(i, value_end - i);
    i = value_end + 1;
  }
  return std::nullopt;
}

std::string_view LocalName(std::string_view qname) {
  const size_t colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

class XmppModule final : public ModuleBase {
 public:
  XmppModule(std::string name, bool implicit_tls, bool server_to_server,
             const ModuleOptions& options)
      : ModuleBase(std::move(name), implicit_tls, options),
        server_to_server_(server_to_server) {}

  void Start(ModuleActions* a) override { OpenStream(a); }
  void ResumeAfterTls(ModuleActions* a) override { OpenStream(a); }

  void OnData(std::string_view plaintext, ModuleActions* a) override {
    if (done()) return;
    if (awaiting_tls_) {
      CountDiscardedAfterStartTls(plaintext.size());
      return;
    }
    if (!CountBytes(plaintext.size(), a)) return;
    buf_.append(plaintext);
    Scan(a);
    if (awaiting_tls_) {
      CountDiscardedAfterStartTls(buf_.size() - pos_);
      ResetParser();
    } else {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
  }

 protected:
  bool PlaintextAuthBeforeTls() const override {
    return before_tls_.OffersPlaintextMechanism() || iq_auth_before_tls_;
  }

  ModuleExtras Extras() const override {
    XmppExtras extras;
    extras.server_to_server = server_to_server_;
    extras.stream_error = stream_error_;
    if (!stream_id_.empty() || !stream_from_.empty() ||
        !stream_version_.empty()) {
      extras.stream = XmppExtras::Stream{
          .id = stream_id_, .from = stream_from_, .version = stream_version_};
    }
    if (!implicit_tls() && before_tls_.seen) {
      extras.starttls_required = starttls_required_;
    }
    return extras;
  }

 private:
  void OpenStream(ModuleActions* a) {
    std::string to = options_.xmpp_domain;
    if (to.empty()) to = options_.server_name;
    if (to.empty()) to = options_.target_address;
    std::string header = "<?xml version='1.0'?><stream:stream";
    if (!to.empty()) header += " to='" + to + "'";
    if (server_to_server_ && !options_.xmpp_from.empty()) {
      header += " from='" + options_.xmpp_from + "'";
    }
    header += server_to_server_
                  ? " xmlns='jabber:server' xmlns:db='jabber:server:dialback'"
                  : " xmlns='jabber:client'";
    header += " xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
    a->send += header;
    set_phase(tls_up_ ? "stream-after-tls" : "stream");
  }

  void ResetParser() {
    buf_.clear();
    pos_ = 0;
    stack_.clear();
    text_.clear();
  }

  // Consumes complete tokens from buf_[pos_..].
  void Scan(ModuleActions* a) {
    while (!ignoring_input() && pos_ < buf_.size()) {
      const std::string_view rest = std::string_view(buf_).substr(pos_);
      if (rest[0] != '<') {
        size_t end = rest.find('<');
        if (end == std::string_view::npos) end = rest.size();
        const std::string_view text = rest.substr(0, end);
        if (stack_.empty()) {
          for (char c : text) {
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
              RecordGarbage(a);
              return;
            }
          }
        } else if (capturing_text_) {
          if (text_.size() + text.size() > options_.max_line_length) {
            Fail(GrabStatus::kProtocolError, "xml text too long", a);
            return;
          }
          text_.append(text);
        }
        pos_ += end;
        continue;
      }
      size_t end = 0;
      if (rest.size() >= 2 && rest[1] == '?') {
        end = rest.find("?>");
        if (end == std::string_view::npos) return NeedMore(rest, a);
        pos_ += end + 2;
        continue;
      }
      if (rest.size() >= 2 && rest[1] == '!') {
        if (rest.size() < 4) return NeedMore(rest, a);
        if (rest.substr(0, 4) != "<!--") {
          Fail(GrabStatus::kProtocolError, "DTD or CDATA in XMPP stream", a);
          return;
        }
        end = rest.find("-->");
        if (end == std::string_view::npos) return NeedMore(rest, a);
        pos_ += end + 3;
        continue;
      }
      // A tag: find the closing '>' outside quotes.
      char quote = 0;
      end = std::string_view::npos;
      for (size_t i = 1; i < rest.size(); ++i) {
        const char c = rest[i];
        if (quote != 0) {
          if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '>') {
          end = i;
          break;
        }
      }
      if (end == std::string_view::npos) return NeedMore(rest, a);
      const std::string_view inner = rest.substr(1, end - 1);
      pos_ += end + 1;
      OnTag(inner, a);
    }
  }

  void NeedMore(std::string_view rest, ModuleActions* a) {
    if (rest.size() > options_.max_line_length) {
      Fail(GrabStatus::kProtocolError, "xml token too long", a);
    }
  }

  void RecordGarbage(ModuleActions* a) {
    if (banner_.empty()) {
      banner_ = buf_.substr(0, std::min<size_t>(buf_.size(), 512));
    }
    Fail(GrabStatus::kProtocolError, "not an XMPP stream", a);
  }

  void OnTag(std::string_view inner, ModuleActions* a) {
    if (!inner.empty() && inner[0] == '/') {
      OnEndTag(a);
      return;
    }
    bool empty = false;
    if (!inner.empty() && inner.back() == '/') {
      empty = true;
      inner.remove_suffix(1);
    }
    size_t name_end = 0;
    while (name_end < inner.size() && inner[name_end] != ' ' &&
           inner[name_end] != '\t' && inner[name_end] != '\r' &&
           inner[name_end] != '\n') {
      ++name_end;
    }
    const std::string_view qname = inner.substr(0, name_end);
    const std::string_view attrs = inner.substr(name_end);
    if (qname.empty()) {
      if (stack_.empty()) {
        RecordGarbage(a);
      } else {
        Fail(GrabStatus::kProtocolError, "malformed xml tag", a);
      }
      return;
    }
    OnStartTag(qname, attrs, a);
    if (ignoring_input()) return;
    if (empty) {
      OnEndTag(a);
    } else if (stack_.size() > kMaxDepth) {
      Fail(GrabStatus::kProtocolError, "xml nested too deeply", a);
    }
  }

  void OnStartTag(std::string_view qname, std::string_view attrs,
                  ModuleActions* a) {
    const std::string_view local = LocalName(qname);
    const size_t level = stack_.size();
    stack_.emplace_back(local);
    if (level == 0) {
      if (local != "stream") {
        stack_.clear();
        banner_ = std::string("<") + std::string(qname) + ">";
        Fail(GrabStatus::kProtocolError, "not an XMPP stream", a);
        return;
      }
      // The first stream header is the banner; record its attributes.
      if (stream_id_.empty() && stream_from_.empty() &&
          stream_version_.empty()) {
        stream_id_ = std::string(Attribute(attrs, "id").value_or(""));
        stream_from_ = std::string(Attribute(attrs, "from").value_or(""));
        stream_version_ = std::string(Attribute(attrs, "version").value_or(""));
        banner_ = "<" + std::string(qname) + std::string(attrs) + ">";
      }
      set_phase(tls_up_ ? "features-after-tls" : "features");
      return;
    }
    if (level == 1) {
      top_ = std::string(local);
      if (local == "features") {
        features_ = CapabilitySet();
        features_.seen = true;
        offered_starttls_here_ = false;
        required_here_ = false;
      }
      return;
    }
    if (top_ == "features") {
      if (level == 2) {
        if (features_.capabilities.size() < kMaxFeatures) {
          features_.capabilities.emplace_back(local);
        }
        if (local == "starttls") offered_starttls_here_ = true;
        if (local == "auth" && !tls_up_) iq_auth_before_tls_ = true;
      } else if (level == 3 && stack_[2] == "starttls" && local == "required") {
        required_here_ = true;
      } else if (level == 3 && stack_[2] == "mechanisms" &&
                 local == "mechanism") {
        capturing_text_ = true;
        text_.clear();
      }
    } else if (top_ == "error" && level == 2 && stream_error_.empty() &&
               local != "text") {
      stream_error_ = std::string(local);
    }
  }

  void OnEndTag(ModuleActions* a) {
    if (stack_.empty()) {
      Fail(GrabStatus::kProtocolError, "unbalanced xml end tag", a);
      return;
    }
    stack_.pop_back();
    const size_t level = stack_.size();
    if (level == 0) {
      // </stream:stream>: the server ended the stream; answer in kind.
      if (error_.empty()) error_ = "server closed the stream";
      Finish(stream_error_.empty() ? GrabStatus::kConnectionClosed
                                   : StreamErrorStatus(stream_error_),
             kCloseStream, a);
      return;
    }
    if (level == 3 && capturing_text_) {
      capturing_text_ = false;
      if (features_.mechanisms.size() < kMaxFeatures) {
        features_.AddMechanism(proto_text::Trim(text_));
      }
      text_.clear();
      return;
    }
    if (level != 1) return;
    if (top_ == "features") {
      OnFeatures(a);
    } else if (top_ == "proceed" && phase() == "starttls") {
      starttls_reply_ = "<proceed/>";
      RequestStartTls(a);
    } else if (top_ == "failure" && phase() == "starttls") {
      starttls_reply_ = "<failure/>";
      Finish(GrabStatus::kStartTlsRefused, kCloseStream, a);
    } else if (top_ == "error") {
      error_ = "stream error";
      Finish(StreamErrorStatus(stream_error_), kCloseStream, a);
    }
    top_.clear();
  }

  // Status of a <stream:error/> by its condition (RFC 6120 4.9.3):
  // server-busy for the ones that say the server cannot serve us now --
  // resource-constraint (4.9.3.17, "lacks the system resources"; Prosody's
  // answer at its connection limits), policy-violation (4.9.3.14, which
  // Prosody's mod_limits and ejabberd's max_fsm_queue / connection limits
  // send), system-shutdown (4.9.3.20) -- and application-error for the rest
  // (host-unknown, not-authorized, ...).
  static GrabStatus StreamErrorStatus(std::string_view condition) {
    return condition == "resource-constraint" ||
                   condition == "policy-violation" ||
                   condition == "system-shutdown"
               ? GrabStatus::kServerBusy
               : GrabStatus::kApplicationError;
  }

  void OnFeatures(ModuleActions* a) {
    if (tls_up_) {
      after_tls_ = std::move(features_);
      Finish(GrabStatus::kSuccess, kCloseStream, a);
      return;
    }
    before_tls_ = std::move(features_);
    starttls_offered_ = offered_starttls_here_;
    starttls_required_ = required_here_;
    if (!starttls_offered_) {
      Finish(GrabStatus::kNoStartTls, kCloseStream, a);
      return;
    }
    a->send += kStartTls;
    starttls_attempted_ = true;
    set_phase("starttls");
  }

  const bool server_to_server_;
  std::string buf_;
  size_t pos_ = 0;
  std::vector<std::string> stack_;  // local names of open elements
  std::string top_;                 // local name of the open child of the root
  bool capturing_text_ = false;
  std::string text_;
  CapabilitySet features_;
  bool offered_starttls_here_ = false;
  bool required_here_ = false;
  bool starttls_required_ = false;
  bool iq_auth_before_tls_ = false;
  std::string stream_id_;
  std::string stream_from_;
  std::string stream_version_;
  std::string stream_error_;
};

}  // namespace

std::unique_ptr<ProtocolModule> MakeXmppModule(std::string name,
                                               bool implicit_tls,
                                               bool server_to_server,
                                               const ModuleOptions& options) {
  return std::make_unique<XmppModule>(std::move(name), implicit_tls,
                                      server_to_server, options);
}

}  // namespace tlsweep
