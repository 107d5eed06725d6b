// XMPP module (RFC 6120): stream header, <stream:features>, <starttls/>,
// <proceed/>, TLS, a new stream, features again, </stream:stream>.
//
// No XML parser: the module only needs the stream root, its direct children
// (features, proceed, failure, stream:error) and two levels below features
// (starttls/required, mechanisms/mechanism). The incremental tag scanner
// (proto/xml_scanner.h, shared with the passive XMPP observer) does that;
// elements are matched by local name so any namespace prefix works
// (stream:features, s:features). A tag or a mechanism's text longer than
// max_line_length, or nesting deeper than kMaxDepth, ends the grab with
// protocol-error: the buffer stays bounded.
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
#include "proto/xml_scanner.h"

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
    Scan(&plaintext, a);
    if (awaiting_tls_) {
      CountDiscardedAfterStartTls(scanner_.held() + plaintext.size());
      ResetParser();
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
    scanner_.Reset();
    stack_.clear();
    text_.clear();
  }

  // Consumes the tokens of `*in`; an unfinished tag stays in the scanner.
  void Scan(std::string_view* in, ModuleActions* a) {
    while (!ignoring_input()) {
      const XmlToken t = scanner_.Next(in);
      switch (t.kind) {
        case XmlToken::Kind::kNeedMore:
          return;
        case XmlToken::Kind::kError:
          Fail(GrabStatus::kProtocolError, t.error, a);
          return;
        case XmlToken::Kind::kText:
          if (stack_.empty()) {
            for (char c : t.text) {
              if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                RecordGarbage(t.text.data(), in->data() + in->size(), a);
                return;
              }
            }
          } else if (capturing_text_) {
            if (text_.size() + t.text.size() > options_.max_line_length) {
              Fail(GrabStatus::kProtocolError, "xml text too long", a);
              return;
            }
            text_.append(t.text);
          }
          break;
        case XmlToken::Kind::kEndTag:
          OnEndTag(a);
          break;
        case XmlToken::Kind::kStartTag:
          if (t.qname.empty()) {
            if (stack_.empty()) {
              RecordGarbage(t.raw.data(), t.raw.data() + t.raw.size(), a);
            } else {
              Fail(GrabStatus::kProtocolError, "malformed xml tag", a);
            }
            return;
          }
          OnStartTag(t.qname, t.attrs, a);
          if (ignoring_input()) return;
          if (t.self_closing) {
            OnEndTag(a);
          } else if (stack_.size() > kMaxDepth) {
            Fail(GrabStatus::kProtocolError, "xml nested too deeply", a);
          }
          break;
      }
    }
  }

  // Text before the stream's root element: not XMPP. The banner is what
  // came from the text on (at most 512 bytes of this chunk).
  void RecordGarbage(const char* from, const char* end, ModuleActions* a) {
    if (banner_.empty()) {
      banner_.assign(from, std::min<size_t>(static_cast<size_t>(end - from), 512));
    }
    Fail(GrabStatus::kProtocolError, "not an XMPP stream", a);
  }

  void OnStartTag(std::string_view qname, std::string_view attrs,
                  ModuleActions* a) {
    const std::string_view local = XmlLocalName(qname);
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
        stream_id_ = std::string(XmlAttribute(attrs, "id").value_or(""));
        stream_from_ = std::string(XmlAttribute(attrs, "from").value_or(""));
        stream_version_ = std::string(XmlAttribute(attrs, "version").value_or(""));
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
  XmlScanner scanner_{options_.max_line_length};
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
