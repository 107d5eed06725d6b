// Wall-clock times as RFC 3339 UTC strings with microseconds
// ("2026-11-29T04:37:10.123456Z"), the form of every timestamp tlsweep
// writes (results, records, metadata).
#ifndef TLSWEEP_COMMON_TIME_FORMAT_H_
#define TLSWEEP_COMMON_TIME_FORMAT_H_

#include <cstdint>
#include <string>

namespace tlsweep {

// Nanoseconds since the Unix epoch, from the system clock.
uint64_t WallClockNs();

// `ns` since the Unix epoch as RFC 3339 UTC with microseconds.
std::string FormatRfc3339(uint64_t ns);

inline std::string Rfc3339Now() { return FormatRfc3339(WallClockNs()); }

}  // namespace tlsweep

#endif  // TLSWEEP_COMMON_TIME_FORMAT_H_
