// Status propagation for the control plane (flags, files, EAL, ports).
//
// The data plane never uses these: it returns verdicts and counts drops. Only
// main() turns a Status into a message and an exit code.
#ifndef TLSWEEP_COMMON_STATUS_MACROS_H_
#define TLSWEEP_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TLSWEEP_INTERNAL_CONCAT_INNER(a, b) a##b
#define TLSWEEP_INTERNAL_CONCAT(a, b) TLSWEEP_INTERNAL_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define TLSWEEP_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    if (::absl::Status tlsweep_status_ = (expr);       \
        !tlsweep_status_.ok()) {                       \
      return tlsweep_status_;                          \
    }                                                  \
  } while (false)

// `lhs = *expr` when `expr` (an absl::StatusOr) holds a value, otherwise
// returns its status from the enclosing function.
#define TLSWEEP_ASSIGN_OR_RETURN(lhs, expr)                                  \
  TLSWEEP_INTERNAL_ASSIGN_OR_RETURN(                                         \
      TLSWEEP_INTERNAL_CONCAT(tlsweep_statusor_, __LINE__), lhs, expr)

#define TLSWEEP_INTERNAL_ASSIGN_OR_RETURN(tmp, lhs, expr) \
  auto tmp = (expr);                                      \
  if (!tmp.ok()) return std::move(tmp).status();          \
  lhs = std::move(tmp).value()

#endif  // TLSWEEP_COMMON_STATUS_MACROS_H_
