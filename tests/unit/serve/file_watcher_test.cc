// FileWatcher (server/file_watcher.h): a change written in place, a file
// renamed over the watched one, a missing file, and no report without a
// change. Every wait is bounded; the interval is short so that the bounds
// are generous multiples of it.
#include "server/file_watcher.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace corouter {
namespace {

constexpr absl::Duration kInterval = absl::Milliseconds(10);

class FileWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/corouter-file-watcher.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/routes.yaml";
    Write(path_, "one");
  }
  void TearDown() override {
    std::remove(path_.c_str());
    std::remove((path_ + ".new").c_str());
    rmdir(dir_.c_str());
  }

  static void Write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
  }

  // Waits (5 s at most) until `changes` reaches `want`.
  static bool AwaitChanges(const std::atomic<int>& changes, int want) {
    const absl::Time until = absl::Now() + absl::Seconds(5);
    while (changes.load() < want && absl::Now() < until) absl::SleepFor(absl::Milliseconds(2));
    return changes.load() >= want;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(FileWatcherTest, ReportsAFileWrittenInPlaceOnce) {
  std::atomic<int> changes{0};
  FileWatcher watcher(
      path_, [&] { changes.fetch_add(1); }, kInterval);
  // The size differs, so the change shows whatever the clock's resolution.
  Write(path_, "two two");
  ASSERT_TRUE(AwaitChanges(changes, 1));
  // Unchanged since: no second report over many intervals.
  absl::SleepFor(30 * kInterval);
  EXPECT_EQ(changes.load(), 1);
}

TEST_F(FileWatcherTest, ReportsANewFileRenamedOverTheWatchedOne) {
  std::atomic<int> changes{0};
  FileWatcher watcher(
      path_, [&] { changes.fetch_add(1); }, kInterval);
  Write(path_ + ".new", "one");  // the same size and text: only the inode differs
  ASSERT_EQ(std::rename((path_ + ".new").c_str(), path_.c_str()), 0);
  EXPECT_TRUE(AwaitChanges(changes, 1));
}

TEST_F(FileWatcherTest, AMissingFileIsNoChangeAndItsReturnIsOne) {
  std::atomic<int> changes{0};
  FileWatcher watcher(
      path_, [&] { changes.fetch_add(1); }, kInterval);
  ASSERT_EQ(std::remove(path_.c_str()), 0);
  absl::SleepFor(30 * kInterval);
  EXPECT_EQ(changes.load(), 0);
  Write(path_, "back again");
  EXPECT_TRUE(AwaitChanges(changes, 1));
}

TEST_F(FileWatcherTest, TheDestructorStopsItPromptlyEvenWithALongInterval) {
  std::atomic<int> changes{0};
  const absl::Time start = absl::Now();
  {
    FileWatcher watcher(
        path_, [&] { changes.fetch_add(1); }, absl::Hours(1));
  }
  // A generous ratio of the one-hour interval, not a speed claim.
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  EXPECT_EQ(changes.load(), 0);
}

}  // namespace
}  // namespace corouter
