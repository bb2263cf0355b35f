#include "client/sse_fanout.h"

#include <algorithm>
#include <utility>

namespace corouter::client {

std::string SseFrame(std::string_view event, std::string_view data) {
  std::string out;
  out.reserve(event.size() + data.size() + 16);
  if (!event.empty()) {
    out.append("event: ").append(event).append("\n");
  }
  size_t start = 0;
  while (true) {
    const size_t end = data.find_first_of("\r\n", start);
    out.append("data: ").append(data.substr(start, end - start)).append("\n");
    if (end == std::string_view::npos) break;
    start = end + 1;
    if (data[end] == '\r' && start < data.size() && data[start] == '\n') ++start;
  }
  out.append("\n");
  return out;
}

std::string SseComment(std::string_view text) {
  std::string out(": ");
  for (char c : text) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  out.append("\n\n");
  return out;
}

SseFanout::SseFanout(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

SseFanout::~SseFanout() = default;

std::unique_ptr<SseFanout::Client> SseFanout::Subscribe(std::vector<SseFramePtr> initial) {
  std::unique_ptr<Client> client(new Client(this, capacity_));
  std::lock_guard<std::mutex> lock(mu_);
  client->queue_.assign(std::make_move_iterator(initial.begin()),
                        std::make_move_iterator(initial.end()));
  clients_.insert(client.get());
  return client;
}

void SseFanout::Publish(SseFramePtr frame) {
  std::lock_guard<std::mutex> lock(mu_);
  for (Client* client : clients_) client->Push(frame);
}

void SseFanout::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (Client* client : clients_) client->ready_.notify_all();
}

size_t SseFanout::clients() const {
  std::lock_guard<std::mutex> lock(mu_);
  return clients_.size();
}

SseFanout::Client::~Client() {
  std::lock_guard<std::mutex> lock(fanout_->mu_);
  fanout_->clients_.erase(this);
}

void SseFanout::Client::Push(const SseFramePtr& frame) {
  if (queue_.size() >= capacity_) {
    ++dropped_;
    ++total_dropped_;
    return;
  }
  const bool was_empty = queue_.empty();
  queue_.push_back(frame);
  if (was_empty) ready_.notify_all();
}

SseFanout::Batch SseFanout::Client::Next(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(fanout_->mu_);
  ready_.wait_for(lock, wait, [&] { return !queue_.empty() || dropped_ > 0 || fanout_->closed_; });
  Batch batch;
  batch.frames.assign(std::make_move_iterator(queue_.begin()),
                      std::make_move_iterator(queue_.end()));
  queue_.clear();
  batch.dropped = std::exchange(dropped_, 0);
  batch.closed = fanout_->closed_;
  return batch;
}

uint64_t SseFanout::Client::total_dropped() const {
  std::lock_guard<std::mutex> lock(fanout_->mu_);
  return total_dropped_;
}

}  // namespace corouter::client
