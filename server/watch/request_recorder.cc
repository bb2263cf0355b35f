#include "server/watch/request_recorder.h"

#include <memory>
#include <utility>

namespace corouter::watch {

RequestRecorder::RequestRecorder(TraceHub& hub, std::string request_id, RequestInfo info)
    : hub_(hub), request_id_(std::move(request_id)) {
  summary_.serial = hub.NextSerial();
  summary_.request = std::move(info);
  // A request emits about five to eight events: one allocation for them
  // rather than four as the vector doubles (tests/bench/profile_shapes.sh).
  events_.reserve(8);
  hub_.Register(this);
}

RequestRecorder::~RequestRecorder() { Finish(); }

void RequestRecorder::Finish() { hub_.End(this); }

void RequestRecorder::OnEvent(trace::TraceEvent event) {
  if (block_used_ == kBlockEvents) {
    block_ = std::make_shared<EventBlock>();
    block_used_ = 0;
  }
  WatchEvent* slot = &block_->events[block_used_++].emplace();
  slot->request_id = request_id_;
  const trace::Step step = event.step;
  if (step == trace::Step::kResponseSent) slot->response = std::move(response_);
  slot->event = std::move(event);
  EventPtr published(block_, slot);
  hub_.Publish(
      this, std::move(published),
      (step == trace::Step::kResponseSent && !continues_) || step == trace::Step::kCancelled);
}

}  // namespace corouter::watch
