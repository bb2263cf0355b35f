#include "client/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace corouter::client {
namespace {

absl::Status Failure(absl::string_view what, const std::string& path, int error) {
  return absl::PermissionDeniedError(
      absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(error)));
}

}  // namespace

absl::Status CheckWritable(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("the file name is empty");
  struct stat info;
  const bool existed = stat(path.c_str(), &info) == 0;
  if (existed && S_ISDIR(info.st_mode)) return Failure("write", path, EISDIR);
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) return Failure("write", path, errno);
  std::fclose(file);
  if (!existed) std::remove(path.c_str());
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents) {
  const std::string temporary = absl::StrCat(path, ".tmp.", getpid());
  std::FILE* file = std::fopen(temporary.c_str(), "w");
  if (file == nullptr && errno == EACCES) {
    // A directory we may not create files in, holding a file we may
    // replace: write it in place.
    file = std::fopen(path.c_str(), "w");
    if (file == nullptr) return Failure("write", path, errno);
    const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
    const int write_error = errno;
    if (std::fclose(file) != 0 || !written)
      return Failure("write", path, written ? errno : write_error);
    return absl::OkStatus();
  }
  if (file == nullptr) return Failure("write", temporary, errno);
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  const int write_error = errno;
  if (std::fclose(file) != 0 || !written) {
    const int error = written ? errno : write_error;
    std::remove(temporary.c_str());
    return Failure("write", path, error);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    return Failure("write", path, error);
  }
  return absl::OkStatus();
}

}  // namespace corouter::client
