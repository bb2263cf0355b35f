#include "server/watch/request_recorder.h"

#include <memory>
#include <utility>

namespace corouter::watch {

RequestRecorder::RequestRecorder(TraceHub& hub, std::string request_id, RequestInfo info)
    : hub_(hub), request_id_(std::move(request_id)), block_(std::make_shared<EventBlock>()) {
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
  std::shared_ptr<WatchEvent> owned;
  WatchEvent* slot;
  if (block_used_ < kInlineEvents) {
    slot = &block_->events[block_used_++].emplace();
  } else {
    owned = std::make_shared<WatchEvent>();
    slot = owned.get();
  }
  slot->request_id = request_id_;
  const trace::Step step = event.step;
  if (step == trace::Step::kResponseSent) slot->response = std::move(response_);
  slot->event = std::move(event);
  EventPtr published = owned != nullptr ? EventPtr(std::move(owned)) : EventPtr(block_, slot);
  hub_.Publish(
      this, std::move(published),
      (step == trace::Step::kResponseSent && !continues_) || step == trace::Step::kCancelled);
}

}  // namespace corouter::watch
