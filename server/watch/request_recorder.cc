#include "server/watch/request_recorder.h"

#include <memory>
#include <utility>

namespace corouter::watch {

RequestRecorder::RequestRecorder(TraceHub& hub, std::string request_id, std::string method)
    : hub_(hub),
      serial_(hub.NextSerial()),
      request_id_(std::move(request_id)),
      method_(std::move(method)) {
  hub_.Register(this);
}

RequestRecorder::~RequestRecorder() { hub_.End(this); }

void RequestRecorder::OnEvent(trace::TraceEvent event) {
  auto published = std::make_shared<WatchEvent>();
  published->request_id = request_id_;
  const trace::Step step = event.step;
  if (step == trace::Step::kResponseSent) published->response = std::move(response_);
  published->event = std::move(event);
  hub_.Publish(this, std::move(published),
               step == trace::Step::kResponseSent || step == trace::Step::kCancelled);
}

RequestFacts RequestRecorder::facts() const {
  RequestFacts f;
  f.serial = serial_;
  f.method = method_;
  f.route_known = route_known_;
  f.path_template = path_template_;
  f.endpoint = endpoint_;
  f.status_code = status_code_;
  f.failed = failed_;
  f.cancelled = cancelled_;
  f.blocked_loop = blocked_loop_;
  f.duration = duration_;
  return f;
}

}  // namespace corouter::watch
