#include "server/file_watcher.h"

#include <sys/stat.h>

#include <chrono>
#include <optional>
#include <utility>

namespace corouter {
namespace {}  // namespace

// What a poll sees of the file; nullopt: it is missing.
struct FileWatcher::FileState {
  dev_t device;
  ino_t inode;
  off_t size;
  int64_t mtime_nanos;
  bool operator==(const FileState&) const = default;
};

namespace {

std::optional<FileWatcher::FileState> Look(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileWatcher::FileState{
      st.st_dev, st.st_ino, st.st_size,
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

}  // namespace

FileWatcher::FileWatcher(std::string path, absl::AnyInvocable<void()> on_change,
                         absl::Duration interval)
    : path_(std::move(path)), on_change_(std::move(on_change)), interval_(interval) {
  // The state the caller loaded, taken before the constructor returns.
  std::optional<FileState> initial = Look(path_);
  thread_ = std::thread([this, initial] { Run(initial); });
}

FileWatcher::~FileWatcher() {
  {
    sync::MutexLock lock(&mu_);
    stopping_ = true;
  }
  stop_cv_.SignalAll();
  thread_.join();
}

void FileWatcher::Run(std::optional<FileState> initial) {
  std::optional<FileState> reported = initial;
  std::optional<FileState> previous = reported;
  while (true) {
    {
      sync::MutexLock lock(&mu_);
      const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(interval_);
      while (!stopping_ && stop_cv_.WaitUntil(&mu_, deadline)) {
      }
      if (stopping_) return;
    }
    const std::optional<FileState> now = Look(path_);
    // Report a state that held still for one interval and differs from the
    // last one reported; a missing file is never reported.
    if (now.has_value() && now == previous && now != reported) {
      reported = now;
      on_change_();
    }
    previous = now;
  }
}

}  // namespace corouter
