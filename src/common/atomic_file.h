// Whole-file writes that a reader (or a crash) never sees half done: the
// metadata and resume files are read by `tlsweep report`, by `--resume` and
// by people's scripts while a scan may still be running or stopping.
#ifndef TLSWEEP_COMMON_ATOMIC_FILE_H_
#define TLSWEEP_COMMON_ATOMIC_FILE_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace tlsweep {

// Writes `contents` to `path` through a temporary file in the same
// directory and a rename, durably: the temporary file is fsync'ed before
// the rename and the directory after it. The error names the file and the
// cause.
absl::Status WriteFileAtomically(const std::string& path, std::string_view contents);

// fsync()s the directory holding `path`, so that a rename or a new file
// there survives a power loss.
absl::Status SyncDirectoryOf(const std::string& path);

}  // namespace tlsweep

#endif  // TLSWEEP_COMMON_ATOMIC_FILE_H_
