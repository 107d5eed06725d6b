// Splitting the cyclic walk between machines (shards) and sender threads
// (sub-shards), and iterating over one piece of it.
//
// The walk is x_j = start * g^j for j = 0 .. p-2 (see cyclic.h). It is split
// by step number, not by address range, so that every piece stays spread over
// the whole address space:
//   * shard i of N takes the steps j == i (mod N);
//   * inside a shard, sub-shard t of T (one per sender thread) takes the steps
//     j == i + N*t (mod N*T).
// Each j has exactly one residue k = j mod N*T, and k = i + N*t for exactly
// one (i < N, t < T), so the sub-shards partition the walk. Sub-shards
// t = 0 .. T-1 of shard i together take every j == i (mod N), whatever T is,
// so machines of one sharded scan may run different numbers of threads and
// the shards still partition the space.
//
// Sub-shard k = i + N*t starts at start * g^k and multiplies by g^(N*T) per
// step: one Shoup multiplication, no division, no allocation, no branch but
// the skip test. ZMap does the same (src/shard.c); we count steps rather than
// compare against a precomputed last element, which also gives the resume
// position for free.
#ifndef TLSWEEP_TARGETS_SHARD_H_
#define TLSWEEP_TARGETS_SHARD_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "targets/cyclic.h"

namespace tlsweep {

struct ShardSpec {
  uint32_t shard = 0;          // this machine's shard, in [0, num_shards)
  uint32_t num_shards = 1;     // machines taking part in the scan
  uint32_t subshard = 0;       // this thread's sub-shard, in [0, num_subshards)
  uint32_t num_subshards = 1;  // sender threads on this machine
};

// Iterates over one sub-shard's target indices. A small copyable value: one
// per sender thread, no heap memory.
class ShardIterator {
 public:
  // Returns an iterator over sub-shard spec.subshard of shard spec.shard of
  // the walk of `group` for num_elements targets, positioned after
  // `steps_done` group steps (a value previously read from steps_done(); 0
  // for a new scan). InvalidArgument when the group fails
  // ValidateCyclicGroup, when num_shards or num_subshards is 0, when shard or
  // subshard is out of range, or when steps_done > total_steps().
  static absl::StatusOr<ShardIterator> Create(const CyclicGroup& group,
                                              uint64_t num_elements,
                                              const ShardSpec& spec,
                                              uint64_t steps_done = 0);

  // Stores the next target index (< num_elements) in *index and returns
  // true; returns false, leaving *index alone, once the sub-shard is
  // exhausted. Elements beyond num_elements are skipped (and counted as
  // steps).
  bool Next(uint64_t* index) {
    while (steps_done_ < total_steps_) {
      const uint64_t element = current_;
      current_ = step_.Mul(current_);
      ++steps_done_;
      if (element - 1 < num_elements_) {
        *index = element - 1;
        return true;
      }
    }
    return false;
  }

  // Stores up to n target indices in out[0 .. n) and returns how many; fewer
  // than n only when the sub-shard ran out, 0 once it is exhausted. The same
  // indices, in the same order, as n calls to Next().
  size_t NextBurst(uint64_t* out, size_t n) {
    size_t count = 0;
    while (count < n && steps_done_ < total_steps_) {
      const uint64_t index = current_ - 1;
      current_ = step_.Mul(current_);
      ++steps_done_;
      // Write unconditionally and advance only for kept indices: no branch
      // on the (rarely taken, unpredictable) skip.
      out[count] = index;
      count += index < num_elements_ ? 1 : 0;
    }
    return count;
  }

  // Returns the group steps consumed so far, skipped elements included: the
  // position to save so that Create(..., steps_done) resumes right after the
  // last index returned.
  uint64_t steps_done() const { return steps_done_; }

  // Returns the number of group steps in this sub-shard in all; the iterator
  // is exhausted when steps_done() == total_steps().
  uint64_t total_steps() const { return total_steps_; }

 private:
  ShardIterator(const ModMultiplier& step, uint64_t current,
                uint64_t num_elements, uint64_t steps_done,
                uint64_t total_steps)
      : step_(step),
        current_(current),
        num_elements_(num_elements),
        steps_done_(steps_done),
        total_steps_(total_steps) {}

  ModMultiplier step_;  // multiplies by g^(num_shards * num_subshards)
  uint64_t current_;    // the element the next step looks at
  uint64_t num_elements_;
  uint64_t steps_done_;
  uint64_t total_steps_;
};

}  // namespace tlsweep

#endif  // TLSWEEP_TARGETS_SHARD_H_
