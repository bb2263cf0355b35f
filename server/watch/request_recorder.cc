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
  auto published = std::make_shared<WatchEvent>();
  published->request_id = request_id_;
  const trace::Step step = event.step;
  if (step == trace::Step::kResponseSent) published->response = std::move(response_);
  published->event = std::move(event);
  hub_.Publish(
      this, std::move(published),
      (step == trace::Step::kResponseSent && !continues_) || step == trace::Step::kCancelled);
}

}  // namespace corouter::watch
