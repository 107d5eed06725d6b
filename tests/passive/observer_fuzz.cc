// libFuzzer target: every observer on arbitrary dialogues.
//
// Input: the first byte picks the module (its high bit: the dialogue is
// joined mid-stream, Observer::PickUpInPlaintext, where the module can
// be); the rest is cut into chunks, each
// a byte whose low 2 bits say client data, server data, a client gap or a
// server gap, then FuzzedDataProvider's random-length string (ended by a
// backslash and another byte; two backslashes are one). Both bytes are
// read from the front, so a seed reads as the dialogue it is.
//
// Checked: an AUTH mechanism recorded is a well-formed SASL name (never a
// client's free text); the method is one of the five; stored text stays
// bounded (one line per field, each at most the splitter's bound, and at
// most 256 capabilities); done() is final.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "passive/observer.h"
#include "passive/observers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  static constexpr const char* kModules[] = {"smtp",  "submission", "smtps", "imap",
                                             "imaps", "pop3",       "pop3s", "irc",
                                             "ircs",  "xmpps",      "xmpp",  "xmpp-server"};
  FuzzedDataProvider in(data, size);
  const auto front_byte = [&in]() -> uint8_t {
    const std::vector<uint8_t> b = in.ConsumeBytes<uint8_t>(1);
    return b.empty() ? 0 : b[0];
  };
  const uint8_t first = front_byte();
  const char* module = kModules[first % std::size(kModules)];
  std::unique_ptr<Observer> o = MakeObserver(module);
  if ((first & 0x80) != 0 && PicksUpMidDialogue(module)) o->PickUpInPlaintext();
  bool was_done = false;
  while (in.remaining_bytes() > 0) {
    const uint8_t kind = front_byte() & 3;
    const std::string chunk = in.ConsumeRandomLengthString();
    switch (kind) {
      case 0: o->ClientData(chunk); break;
      case 1: o->ServerData(chunk); break;
      case 2: o->ClientGap(static_cast<uint32_t>(chunk.size())); break;
      case 3: o->ServerGap(static_cast<uint32_t>(chunk.size())); break;
    }
    if (was_done && !o->done()) std::abort();
    was_done = o->done();
  }
  o->End();
  const Observation& r = o->observation();
  if (r.auth.has_value()) {
    if (!r.auth->mechanism.empty() && SaslMechanismName(r.auth->mechanism) != r.auth->mechanism) {
      std::abort();
    }
    const std::string& m = r.auth->method;
    if (m != "sasl" && m != "imap-login" && m != "pop3-user" && m != "pop3-apop" &&
        m != "irc-pass" && m != "xmpp-iq-auth") {
      std::abort();
    }
  }
  // SMTP joins a reply's lines (at most 256 of up to 8 KiB each).
  if (r.banner.size() > 256 * 8200 || r.before_tls.capabilities.size() > 256 * 256) std::abort();
  return 0;
}
