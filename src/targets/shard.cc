// Setting up a sub-shard iterator (see shard.h for how the walk is split).
//
// Runs once per sender thread, so it validates everything and may use
// PowMod's hardware division; the iteration itself is inline in shard.h.
#include "targets/shard.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "targets/cyclic.h"

namespace tlsweep {

absl::StatusOr<ShardIterator> ShardIterator::Create(const CyclicGroup& group,
                                                    uint64_t num_elements,
                                                    const ShardSpec& spec,
                                                    uint64_t steps_done) {
  if (spec.num_shards == 0 || spec.shard >= spec.num_shards ||
      spec.num_subshards == 0 || spec.subshard >= spec.num_subshards) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "shard %d of %d, sub-shard %d of %d: need 0 <= shard < num_shards "
        "and 0 <= subshard < num_subshards",
        spec.shard, spec.num_shards, spec.subshard, spec.num_subshards));
  }
  TLSWEEP_RETURN_IF_ERROR(ValidateCyclicGroup(group, num_elements));

  const uint64_t p = group.prime;
  const uint64_t order = p - 1;  // steps j = 0 .. p-2
  // Both fit in 64 bits: products of two 32-bit values.
  const uint64_t stride = uint64_t{spec.num_shards} * spec.num_subshards;
  const uint64_t first =
      spec.shard + uint64_t{spec.num_shards} * spec.subshard;  // < stride
  // Steps j in [0, order) with j == first (mod stride).
  const uint64_t total = first < order ? (order - 1 - first) / stride + 1 : 0;
  if (steps_done > total) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "shard %d of %d, sub-shard %d of %d: steps_done=%d exceeds the "
        "sub-shard's %d steps",
        spec.shard, spec.num_shards, spec.subshard, spec.num_subshards,
        steps_done, total));
  }
  // The element at step first + stride * steps_done, computed as
  // start * g^first * (g^stride)^steps_done so that no exponent overflows.
  const uint64_t g_stride = PowMod(group.generator, stride, p);
  uint64_t current = MulMod(group.start, PowMod(group.generator, first, p), p);
  current = MulMod(current, PowMod(g_stride, steps_done, p), p);
  return ShardIterator(ModMultiplier(g_stride, p), current, num_elements,
                       steps_done, total);
}

}  // namespace tlsweep
