// For libFuzzer targets whose parser reads a file by path (target lists,
// name maps, resume files): the input is written to one memfd per process
// and named by its /proc/self/fd path, so no file system is touched.
#ifndef TLSWEEP_TESTS_TESTING_FUZZ_FILE_H_
#define TLSWEEP_TESTS_TESTING_FUZZ_FILE_H_

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace tlsweep::testing {

// Replaces the memfd's contents with `data` and returns a path to it.
inline std::string FuzzInputFile(const uint8_t* data, size_t size) {
  static const int fd = [] {
    const int f = memfd_create("tlsweep-fuzz-input", 0);
    if (f < 0) std::abort();
    return f;
  }();
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (ftruncate(fd, 0) != 0) std::abort();
  size_t done = 0;
  while (done < size) {
    const ssize_t n = pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<size_t>(n);
  }
  return path;
}

}  // namespace tlsweep::testing

#endif  // TLSWEEP_TESTS_TESTING_FUZZ_FILE_H_
