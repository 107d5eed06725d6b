// See capabilities.h.
#include "proto/capabilities.h"

#include <string>
#include <vector>

#include "proto/text.h"

namespace tlsweep {

using proto_text::AsciiUpper;
using proto_text::EqualsIgnoreCase;
using proto_text::SplitWords;
using proto_text::StartsWithIgnoreCase;

ListedItem AddSmtpExtension(std::string_view line, CapabilitySet* caps) {
  caps->capabilities.emplace_back(line);
  const std::vector<std::string_view> words = SplitWords(line);
  if (words.empty()) return ListedItem::kOther;
  const std::string keyword = AsciiUpper(words[0]);
  if (keyword == "AUTH") {
    for (size_t w = 1; w < words.size(); ++w) caps->AddMechanism(words[w]);
  } else if (StartsWithIgnoreCase(keyword, "AUTH=")) {
    // "AUTH=LOGIN PLAIN": the first mechanism is glued to the keyword.
    caps->AddMechanism(words[0].substr(5));
    for (size_t w = 1; w < words.size(); ++w) caps->AddMechanism(words[w]);
  }
  return keyword == "STARTTLS" ? ListedItem::kStartTls : ListedItem::kOther;
}

ListedItem AddImapCapability(std::string_view atom, CapabilitySet* caps) {
  caps->capabilities.emplace_back(atom);
  if (EqualsIgnoreCase(atom, "LOGINDISABLED")) caps->login_disabled = true;
  if (StartsWithIgnoreCase(atom, "AUTH=")) caps->AddMechanism(atom.substr(5));
  return EqualsIgnoreCase(atom, "STARTTLS") ? ListedItem::kStartTls : ListedItem::kOther;
}

ListedItem AddPop3Capability(std::string_view line, CapabilitySet* caps) {
  caps->capabilities.emplace_back(line);
  const std::vector<std::string_view> words = SplitWords(line);
  if (words.empty()) return ListedItem::kOther;
  const std::string keyword = AsciiUpper(words[0]);
  if (keyword == "SASL") {
    for (size_t i = 1; i < words.size(); ++i) caps->AddMechanism(words[i]);
  }
  if (keyword == "STLS") return ListedItem::kStartTls;
  if (keyword == "USER") return ListedItem::kUser;
  return ListedItem::kOther;
}

}  // namespace tlsweep
