// client/output_file.h
//
// Files the client writes on request (`--record FILE.json`, `--timeline
// FILE.svg`): checked before anything is sent, so that a bad path is a usage
// error, and written whole at the end.
//
// Thread-compatible: concurrent calls on the same path race like any two
// writers would.
#ifndef COROUTER_CLIENT_OUTPUT_FILE_H_
#define COROUTER_CLIENT_OUTPUT_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace corouter::client {

// Whether `path` can be created or replaced: opens it for appending (which
// creates it) and removes it again if it did not exist, leaving nothing
// behind. Errors: the path is empty or cannot be opened for writing (the
// message names the path and the cause, "No such file or directory").
absl::Status CheckWritable(const std::string& path);

// Writes `contents` to `path`, replacing it: to `path`.tmp.<pid> first, then
// renamed over `path`, so that a reader never sees half a file (in place
// when the directory does not let us create the temporary file but the file
// itself may be written). Errors: any step fails (the message names the path
// and the cause).
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_OUTPUT_FILE_H_
