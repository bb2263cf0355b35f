// client/sse_fanout.h
//
// Server-Sent Events (text/event-stream) for `corouter dashboard`: the
// framing of one event, and the fan-out of one stream of frames to many
// browser tabs.
//
// Every tab (Client) has a bounded queue of frames. Publish() appends a
// frame to every queue and never waits: when a tab's queue is full its new
// frames are dropped and counted, and its next Next() reports the count, so
// a slow tab slows neither the other tabs nor the publisher (the gRPC
// readers). Frames are shared between the queues, not copied.
#ifndef COROUTER_CLIENT_SSE_FANOUT_H_
#define COROUTER_CLIENT_SSE_FANOUT_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace corouter::client {

/// One SSE event: "event: NAME\n", one "data: " line per line of `data`
/// (split at "\n", "\r\n" and "\r", as the EventSource parser joins them
/// back with "\n"), then the blank line that ends the event. An empty
/// `event` leaves the event line out (the page sees a "message"). `event`
/// must not contain a line break. Pure; thread-safe.
std::string SseFrame(std::string_view event, std::string_view data);

/// An SSE comment line (": text\n\n"), which EventSource ignores: a keep-alive.
std::string SseComment(std::string_view text);

/// One shared frame, as queued for every tab.
using SseFramePtr = std::shared_ptr<const std::string>;

/// Fans frames out to every subscribed tab. Thread-safe: Publish, Subscribe,
/// Close and every Client's methods may be called from any thread.
class SseFanout {
 public:
  /// What one Next() call returns.
  struct Batch {
    /// The frames queued since the previous Next(), oldest first.
    std::vector<SseFramePtr> frames;
    /// Frames dropped since the previous Next() because the queue was full
    /// (they were published after `frames`' last one was queued).
    uint64_t dropped = 0;
    /// The fan-out was closed: the tab's stream should end.
    bool closed = false;
  };

  /// One tab's queue. Unsubscribes itself when destroyed.
  class Client {
   public:
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Waits up to `wait` for at least one frame (or for Close()), then
    /// takes every queued frame and the drop count. Returns an empty batch
    /// when `wait` passed with nothing queued.
    Batch Next(std::chrono::milliseconds wait);
    /// Frames dropped by this tab since it subscribed.
    uint64_t total_dropped() const;

   private:
    friend class SseFanout;
    Client(SseFanout* fanout, size_t capacity) : fanout_(fanout), capacity_(capacity) {}
    // Called with fanout_->mu_ held.
    void Push(const SseFramePtr& frame);

    SseFanout* fanout_;
    const size_t capacity_;
    std::deque<SseFramePtr> queue_;  // guarded by fanout_->mu_
    uint64_t dropped_ = 0;           // since the last Next(); guarded by fanout_->mu_
    uint64_t total_dropped_ = 0;     // guarded by fanout_->mu_
    std::condition_variable ready_;
  };

  /// `capacity` is each tab's queue bound, in frames (at least 1).
  explicit SseFanout(size_t capacity);
  /// Every Client must be destroyed first.
  ~SseFanout();
  SseFanout(const SseFanout&) = delete;
  SseFanout& operator=(const SseFanout&) = delete;

  /// Registers a tab whose queue starts with `initial` (a snapshot; it may
  /// exceed the bound, and nothing of it is dropped). A frame published
  /// after this returns is queued after `initial`. After Close() the client
  /// is closed at once.
  std::unique_ptr<Client> Subscribe(std::vector<SseFramePtr> initial = {});
  /// Queues `frame` for every tab; drops it (and counts it) for a tab whose
  /// queue is full. Never waits for a tab.
  void Publish(SseFramePtr frame);
  /// Wakes every tab with `closed` set; later Subscribe()s are closed too.
  void Close();
  /// Tabs subscribed now.
  size_t clients() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::set<Client*> clients_;  // guarded by mu_
  bool closed_ = false;        // guarded by mu_
};

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_SSE_FANOUT_H_
