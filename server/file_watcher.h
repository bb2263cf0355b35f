// server/file_watcher.h
//
// FileWatcher: tells when a file changed on disk, for corouter-server
// --watch (the route file is reloaded then). It polls the file's stat(2)
// every `interval` on a thread of its own: a change is a new modification
// time, size, inode or device, so an editor that writes a new file and
// renames it over the old one (vim, most IDEs) counts as well as one that
// writes in place. A change is reported once the file has looked the same
// on two polls in a row, so a file caught half-written is not reported
// until the writer is done; a change is therefore seen within about two
// intervals. A file that is missing (between an unlink and a rename, say)
// is no change; when it comes back, it is one.
//
// Polling, rather than inotify, works on every filesystem (NFS, overlay and
// bind mounts of containers, where inotify misses changes made outside).
//
// Thread safety: `on_change` runs on the watcher's thread, one call at a
// time, and never after the destructor returned. The destructor may be
// called from any thread but the watcher's.
#ifndef COROUTER_SERVER_FILE_WATCHER_H_
#define COROUTER_SERVER_FILE_WATCHER_H_

#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "server/sync/mutex.h"

namespace corouter {

class FileWatcher {
 public:
  /// The default poll interval: a change is seen within about 0.5 s.
  static constexpr absl::Duration kDefaultInterval = absl::Milliseconds(250);

  /// Starts watching `path` as it is now (the first state is not a change).
  /// `interval` must be positive.
  FileWatcher(std::string path, absl::AnyInvocable<void()> on_change,
              absl::Duration interval = kDefaultInterval);
  /// Stops the thread (waits for a running on_change to return).
  ~FileWatcher();

  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  /// What one poll sees of the file (file_watcher.cc).
  struct FileState;

 private:
  void Run(std::optional<FileState> initial);

  const std::string path_;
  absl::AnyInvocable<void()> on_change_;
  const absl::Duration interval_;
  sync::Mutex mu_;
  sync::CondVar stop_cv_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace corouter

#endif  // COROUTER_SERVER_FILE_WATCHER_H_
