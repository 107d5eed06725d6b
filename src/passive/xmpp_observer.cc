// XMPP (5222 client-to-server, 5269 server-to-server; 5223 inside TLS)
// seen from the wire (RFC 6120).
//
// Both directions are XML streams read with the grabber's tag scanner
// (proto/xml_scanner.h: no DTD, no entity expansion, an unfinished tag held
// up to kMaxLine bytes) and an element stack of at most kMaxDepth local
// names. From the server: the stream header's attributes, the features
// before TLS (<starttls/> offered, <required/> in it, SASL mechanisms),
// <proceed/> or <failure/> to STARTTLS, SASL <success/> / <failure/>, a
// <stream:error/>'s condition. From the client: <starttls/>, the SASL
// mechanism it chose (the name from <auth mechanism=...>, never the
// payload) and whether PLAIN data or a legacy jabber:iq:auth <password/>
// (XEP-0078) crossed before TLS. Features after TLS are encrypted and
// cannot be seen. The observer stops at SASL success (the stream restarts
// and stanzas follow), at the first <message/> or <presence/> (s2s without
// TLS carries them right after dialback), and at the end of a stream: what
// follows is conversation, which it must not read.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "passive/observers.h"
#include "proto/text.h"
#include "proto/xml_scanner.h"

namespace tlsweep {
namespace {

// As the grabber's module (proto/xmpp.cc): features nest 3 levels below the
// root, iq:auth's password 3 too; 16 leaves room for any real stream and
// bounds the stack.
constexpr size_t kMaxDepth = 16;
// As the line observers' bound (observer.cc kMaxLine): one unfinished tag
// per direction.
constexpr size_t kMaxTag = 8192;
// Features and mechanisms kept per listing, as the grabber's module.
constexpr size_t kMaxFeatures = 256;

constexpr std::string_view kTlsNs = "urn:ietf:params:xml:ns:xmpp-tls";
constexpr std::string_view kSaslNs = "urn:ietf:params:xml:ns:xmpp-sasl";

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

class XmppObserver final : public Observer {
 public:
  XmppObserver(std::string name, bool implicit_tls, bool server_to_server)
      : Observer(std::move(name), implicit_tls) {
    XmppExtras extras;
    extras.server_to_server = server_to_server;
    obs_.extras = std::move(extras);
  }

 private:
  // One direction's XML: the scanner and the open elements' local names.
  struct Side {
    XmlScanner scanner{kMaxTag};
    std::vector<std::string> stack;
  };

  size_t ClientPlaintext(std::string_view bytes) override { return Read(client_, true, bytes); }
  size_t ServerPlaintext(std::string_view bytes) override { return Read(server_, false, bytes); }

  // A lost piece of XML cannot be resynchronised: the tag it cut may have
  // been anything.
  void PlaintextGap(bool /*client*/) override { StopReading("gap-in-xml"); }

  // Never called: XMPP is not line-based.
  bool OnClientLine(std::string_view) override { return false; }
  bool OnServerLine(std::string_view) override { return false; }

  size_t Read(Side& side, bool client, std::string_view bytes) {
    const size_t size = bytes.size();
    while (in_plaintext()) {
      const XmlToken t = side.scanner.Next(&bytes);
      switch (t.kind) {
        case XmlToken::Kind::kNeedMore:
          return size;
        case XmlToken::Kind::kError:
          StopReading(t.error == "xml token too long" ? "xml-token-too-long" : "xml-refused");
          return size;
        case XmlToken::Kind::kText:
          if (side.stack.empty()) {
            if (!IsBlank(t.text)) StopReading("not-xmpp");
          } else if (client) {
            ClientText(t.text);
          } else if (capturing_mechanism_) {
            if (mechanism_.size() + t.text.size() > kMaxTag) {
              StopReading("xml-token-too-long");
            } else {
              mechanism_.append(t.text);
            }
          }
          break;
        case XmlToken::Kind::kStartTag:
          if (t.qname.empty()) {
            StopReading("not-xmpp");
            break;
          }
          side.stack.emplace_back(XmlLocalName(t.qname));
          if (side.stack.size() > kMaxDepth) {
            StopReading("xml-too-deep");
            break;
          }
          if (client) {
            ClientStart(side.stack, t.attrs);
          } else {
            ServerStart(side.stack, t);
          }
          if (t.self_closing && in_plaintext()) End(side, client);
          break;
        case XmlToken::Kind::kEndTag:
          if (side.stack.empty()) {
            StopReading("not-xmpp");
            break;
          }
          End(side, client);
          break;
      }
    }
    // StartTls(): what follows the <proceed/> is TLS.
    return size - bytes.size();
  }

  // RFC 6120 6.4.2: an initial response of "=" is empty; any other
  // non-blank text in the client's element is data.
  void ClientText(std::string_view text) {
    for (char c : text) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
      client_text_ = client_text_ || c != '=' || client_equals_;
      client_equals_ = c == '=';
    }
  }

  void End(Side& side, bool client) {
    if (client) {
      ClientEnd(side.stack);
    } else {
      ServerEnd(side.stack);
    }
    side.stack.pop_back();
    if (side.stack.empty()) StopReading();  // </stream:stream>
  }

  void ClientStart(const std::vector<std::string>& stack, std::string_view attrs) {
    const size_t level = stack.size() - 1;
    const std::string& local = stack.back();
    if (level == 0) {
      if (local != "stream") StopReading("not-xmpp");
      return;
    }
    if (level == 1) {
      client_text_ = false;
      client_equals_ = false;
      if (local == "starttls") {
        starttls().attempted = true;
      } else if (local == "auth") {
        PassiveAuth& auth = NewAuth("sasl");
        auth.mechanism = SaslMechanismName(XmlAttribute(attrs, "mechanism").value_or(""));
      } else if (local == "iq") {
        iq_auth_ = false;
      } else if (local == "message" || local == "presence") {
        StopReading();
      }
      return;
    }
    // <iq type='set'><query xmlns='jabber:iq:auth'><password>...: XEP-0078.
    if (level == 2 && stack[1] == "iq" && local == "query") {
      iq_auth_ = XmlAttribute(attrs, "xmlns").value_or("") == "jabber:iq:auth";
    } else if (level == 3 && iq_auth_ && (local == "password" || local == "digest")) {
      if (!obs_.auth.has_value() || obs_.auth->method != "xmpp-iq-auth") NewAuth("xmpp-iq-auth");
      client_text_ = false;
      client_equals_ = false;
    }
  }

  void ClientEnd(const std::vector<std::string>& stack) {
    const size_t level = stack.size() - 1;
    const std::string& local = stack.back();
    // The data of PLAIN (RFC 4616) and LOGIN carry the password itself.
    if (level == 1 && (local == "auth" || local == "response") && obs_.auth.has_value() &&
        obs_.auth->method == "sasl" && client_text_ &&
        IsPlaintextMechanism(obs_.auth->mechanism)) {
      obs_.auth->plaintext_credentials = true;
    } else if (level == 3 && iq_auth_ && local == "password" && client_text_) {
      obs_.auth->plaintext_credentials = true;
    }
  }

  void ServerStart(const std::vector<std::string>& stack, const XmlToken& t) {
    const size_t level = stack.size() - 1;
    const std::string& local = stack.back();
    XmppExtras& x = extras();
    if (level == 0) {
      if (local != "stream") {
        StopReading("not-xmpp");
        return;
      }
      if (!x.stream.has_value()) {
        x.stream = XmppExtras::Stream{
            .id = std::string(XmlAttribute(t.attrs, "id").value_or("")),
            .from = std::string(XmlAttribute(t.attrs, "from").value_or("")),
            .version = std::string(XmlAttribute(t.attrs, "version").value_or(""))};
        obs_.banner = "<" + std::string(t.qname) + std::string(t.attrs) + ">";
      }
      return;
    }
    if (level == 1) {
      top_ns_ = std::string(XmlAttribute(t.attrs, "xmlns").value_or(""));
      if (local == "features") {
        features_ = CapabilitySet();
        features_.seen = true;
        starttls_here_ = false;
        required_here_ = false;
      } else if (local == "iq") {
        iq_result_ = XmlAttribute(t.attrs, "type").value_or("") == "result";
      } else if (local == "message" || local == "presence") {
        StopReading();
      }
      return;
    }
    const std::string& top = stack[1];
    if (top == "features") {
      if (level == 2) {
        if (features_.capabilities.size() < kMaxFeatures) features_.capabilities.push_back(local);
        if (local == "starttls") starttls_here_ = true;
      } else if (level == 3 && stack[2] == "starttls" && local == "required") {
        required_here_ = true;
      } else if (level == 3 && stack[2] == "mechanisms" && local == "mechanism") {
        capturing_mechanism_ = true;
        mechanism_.clear();
      }
    } else if (top == "error" && level == 2 && x.stream_error.empty() && local != "text") {
      x.stream_error = local;
    }
  }

  void ServerEnd(const std::vector<std::string>& stack) {
    const size_t level = stack.size() - 1;
    const std::string& local = stack.back();
    if (level == 3 && capturing_mechanism_) {
      capturing_mechanism_ = false;
      if (features_.mechanisms.size() < kMaxFeatures) {
        features_.AddMechanism(proto_text::Trim(mechanism_));
      }
      return;
    }
    if (level != 1) return;
    if (local == "features") {
      OnFeatures();
    } else if (local == "proceed") {
      starttls().reply = "<proceed/>";
      starttls().accepted = true;
      StartTls();
    } else if (local == "failure" && IsStartTlsAnswer()) {
      starttls().reply = "<failure/>";
      starttls().accepted = false;
    } else if ((local == "success" || local == "failure") && obs_.auth.has_value() &&
               obs_.auth->method == "sasl" && !obs_.auth->succeeded.has_value()) {
      obs_.auth->succeeded = local == "success";
      if (local == "success") StopReading();  // the stream restarts; stanzas follow
    } else if (local == "iq" && obs_.auth.has_value() && obs_.auth->method == "xmpp-iq-auth" &&
               !obs_.auth->succeeded.has_value()) {
      // XEP-0078 3: the answer to the set is type='result' or 'error';
      // only its end tag is seen here, so the type comes from the start.
      obs_.auth->succeeded = iq_result_;
    }
  }

  // <failure/> answers STARTTLS when it is in the TLS namespace, or, with
  // no namespace given, when STARTTLS awaits its answer.
  bool IsStartTlsAnswer() {
    if (top_ns_ == kTlsNs) return true;
    if (top_ns_ == kSaslNs) return false;
    return obs_.starttls.has_value() && obs_.starttls->attempted && obs_.starttls->reply.empty();
  }

  void OnFeatures() {
    // Only the listing before TLS can be seen; after SASL the observer has
    // stopped.
    obs_.before_tls = std::move(features_);
    features_ = CapabilitySet();
    if (obs_.implicit_tls) return;
    starttls().offered = starttls_here_;
    extras().starttls_required = required_here_;
  }

  PassiveStartTls& starttls() {
    if (!obs_.starttls.has_value()) obs_.starttls.emplace();
    return *obs_.starttls;
  }

  XmppExtras& extras() { return std::get<XmppExtras>(obs_.extras); }

  Side client_;
  Side server_;
  CapabilitySet features_;
  bool starttls_here_ = false;
  bool required_here_ = false;
  bool capturing_mechanism_ = false;
  std::string mechanism_;
  std::string top_ns_;        // xmlns of the server's open child of the root
  bool client_text_ = false;    // the client's open element holds data
  bool client_equals_ = false;  // ... or so far a lone '='
  bool iq_auth_ = false;      // the client's open <iq/> is a jabber:iq:auth query
  bool iq_result_ = false;    // the server's open <iq/> has type='result'
};

}  // namespace

std::unique_ptr<Observer> MakeXmppObserver(std::string name, bool implicit_tls,
                                           bool server_to_server) {
  return std::make_unique<XmppObserver>(std::move(name), implicit_tls, server_to_server);
}

}  // namespace tlsweep
