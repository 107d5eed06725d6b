// An incremental scanner of the XML that XMPP streams carry (RFC 6120 11),
// shared by the grabber's XMPP module (proto/xmpp.cc) and the passive XMPP
// observer (passive/xmpp_observer.cc).
//
// Not an XML parser: it cuts a byte stream into start tags, end tags and
// runs of character data, skips <?xml?> declarations and comments, honours
// quotes in attribute values and refuses DTDs and CDATA (RFC 6120 11.1
// forbids DTDs; refusing them also rules out entity expansion). Entities in
// text and attribute values are left as they are: nothing is expanded.
// Only an unfinished tag is held between calls, at most max_token bytes;
// character data is returned in pieces as it arrives, never buffered. A
// tag that ends within the bytes given is returned whatever its length (it
// is not held); one that does not is refused once it exceeds max_token.
#ifndef TLSWEEP_PROTO_XML_SCANNER_H_
#define TLSWEEP_PROTO_XML_SCANNER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tlsweep {

struct XmlToken {
  enum class Kind : uint8_t {
    kNeedMore,  // every byte given was used; the rest of a tag is to come
    kStartTag,  // qname, attrs, self_closing
    kEndTag,    // qname
    kText,      // text: a piece of character data (a run may come in pieces)
    kError,     // error; the scanner is then of no further use
  };
  Kind kind = Kind::kNeedMore;
  std::string_view raw;    // a tag's bytes, "<" to ">"
  std::string_view qname;  // "stream:features"; "" in a malformed tag
  std::string_view attrs;  // the tag's text after its name
  bool self_closing = false;
  std::string_view text;
  std::string_view error;  // "xml token too long", "DTD or CDATA in XMPP stream"
};

class XmlScanner {
 public:
  explicit XmlScanner(size_t max_token) : max_token_(max_token) {}

  // The next token from the held bytes followed by `*in`, removing from
  // `*in` the bytes it used. The token's views stay valid until the next
  // call or until the bytes behind `*in` go away.
  XmlToken Next(std::string_view* in);

  // Forgets any held bytes (a new stream after TLS, or lost bytes).
  void Reset();
  // Bytes of an unfinished tag held from earlier calls.
  size_t held() const { return token_in_partial_ ? 0 : partial_.size(); }

 private:
  size_t max_token_;
  std::string partial_;
  bool token_in_partial_ = false;  // the last token's views point into partial_
};

// Value of attribute `name` (qualified, e.g. "id" or "xml:lang") in a start
// tag's attrs; nullopt when absent or malformed. Entities are not expanded.
std::optional<std::string_view> XmlAttribute(std::string_view attrs, std::string_view name);

// "features" for "stream:features": elements are matched by local name, so
// any namespace prefix works.
std::string_view XmlLocalName(std::string_view qname);

}  // namespace tlsweep

#endif  // TLSWEEP_PROTO_XML_SCANNER_H_
