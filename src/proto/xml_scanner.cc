// See xml_scanner.h.
#include "proto/xml_scanner.h"

#include <algorithm>

namespace tlsweep {
namespace {

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr size_t kNeedMore = std::string_view::npos;
constexpr size_t kRefused = std::string_view::npos - 1;

// Length of the markup that starts `s` ('<' at s[0]) through its closing
// '>', kNeedMore when it is unfinished, kRefused for a DTD or CDATA.
size_t MarkupLength(std::string_view s) {
  if (s.size() < 2) return kNeedMore;
  if (s[1] == '?') {
    const size_t end = s.find("?>", 2);
    return end == std::string_view::npos ? kNeedMore : end + 2;
  }
  if (s[1] == '!') {
    if (s.size() < 4) return std::string_view("<!--").starts_with(s) ? kNeedMore : kRefused;
    if (s.substr(0, 4) != "<!--") return kRefused;
    const size_t end = s.find("-->", 4);
    return end == std::string_view::npos ? kNeedMore : end + 3;
  }
  char quote = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return kNeedMore;
}

// The token of one complete tag `s` ("<...>"); kNeedMore for a declaration
// or a comment, which are skipped.
XmlToken TagToken(std::string_view s) {
  XmlToken t;
  if (s[1] == '?' || s[1] == '!') return t;
  t.raw = s;
  std::string_view inner = s.substr(1, s.size() - 2);
  t.kind = XmlToken::Kind::kStartTag;
  if (!inner.empty() && inner[0] == '/') {
    t.kind = XmlToken::Kind::kEndTag;
    inner.remove_prefix(1);
  } else if (!inner.empty() && inner.back() == '/') {
    t.self_closing = true;
    inner.remove_suffix(1);
  }
  size_t name_end = 0;
  while (name_end < inner.size() && !IsXmlSpace(inner[name_end])) ++name_end;
  t.qname = inner.substr(0, name_end);
  t.attrs = inner.substr(name_end);
  return t;
}

XmlToken Error(std::string_view why) {
  XmlToken t;
  t.kind = XmlToken::Kind::kError;
  t.error = why;
  return t;
}

}  // namespace

void XmlScanner::Reset() {
  partial_.clear();
  token_in_partial_ = false;
}

XmlToken XmlScanner::Next(std::string_view* in) {
  if (token_in_partial_) Reset();
  while (true) {
    if (!partial_.empty()) {
      // An unfinished tag: its rest is looked for in this chunk. As without
      // a held part, a tag that ends in the chunk may exceed the bound: the
      // bound is on what is held between calls.
      const size_t old = partial_.size();
      partial_.append(*in);
      const size_t len = MarkupLength(partial_);
      if (len == kRefused) return Error("DTD or CDATA in XMPP stream");
      if (len == kNeedMore) {
        if (partial_.size() > max_token_) return Error("xml token too long");
        in->remove_prefix(partial_.size() - old);
        return {};
      }
      in->remove_prefix(len - old);
      partial_.resize(len);
      XmlToken t = TagToken(partial_);
      if (t.kind == XmlToken::Kind::kNeedMore) {
        partial_.clear();
        continue;
      }
      token_in_partial_ = true;
      return t;
    }
    if (in->empty()) return {};
    if ((*in)[0] != '<') {
      const size_t end = std::min(in->find('<'), in->size());
      XmlToken t;
      t.kind = XmlToken::Kind::kText;
      t.text = in->substr(0, end);
      in->remove_prefix(end);
      return t;
    }
    const size_t len = MarkupLength(*in);
    if (len == kRefused) return Error("DTD or CDATA in XMPP stream");
    if (len == kNeedMore) {
      if (in->size() > max_token_) return Error("xml token too long");
      partial_.assign(*in);
      in->remove_prefix(in->size());
      return {};
    }
    XmlToken t = TagToken(in->substr(0, len));
    in->remove_prefix(len);
    if (t.kind != XmlToken::Kind::kNeedMore) return t;
  }
}

std::optional<std::string_view> XmlAttribute(std::string_view attrs, std::string_view name) {
  size_t i = 0;
  while (i < attrs.size()) {
    while (i < attrs.size() && IsXmlSpace(attrs[i])) ++i;
    const size_t name_start = i;
    while (i < attrs.size() && attrs[i] != '=' && !IsXmlSpace(attrs[i])) ++i;
    const std::string_view attr_name = attrs.substr(name_start, i - name_start);
    while (i < attrs.size() && attrs[i] != '=') {
      if (!IsXmlSpace(attrs[i])) return std::nullopt;
      ++i;
    }
    if (i >= attrs.size()) return std::nullopt;
    ++i;  // '='
    while (i < attrs.size() && IsXmlSpace(attrs[i])) ++i;
    if (i >= attrs.size() || (attrs[i] != '\'' && attrs[i] != '"')) return std::nullopt;
    const char quote = attrs[i++];
    const size_t value_end = attrs.find(quote, i);
    if (value_end == std::string_view::npos) return std::nullopt;
    if (attr_name == name) return attrs.substr(i, value_end - i);
    i = value_end + 1;
  }
  return std::nullopt;
}

std::string_view XmlLocalName(std::string_view qname) {
  const size_t colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

}  // namespace tlsweep
