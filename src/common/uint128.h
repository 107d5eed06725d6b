// The 128-bit unsigned integer GCC and Clang provide, for multiply-high
// arithmetic (modular multiplication, reciprocal division). __extension__
// keeps -Wpedantic quiet about the non-standard type.
#ifndef TLSWEEP_COMMON_UINT128_H_
#define TLSWEEP_COMMON_UINT128_H_

namespace tlsweep {

__extension__ typedef unsigned __int128 Uint128;

}  // namespace tlsweep

#endif  // TLSWEEP_COMMON_UINT128_H_
