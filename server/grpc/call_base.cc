#include "server/grpc/call_base.h"

#include "server/grpc/proto_convert.h"

namespace corouter::grpc_front {

CallBase::CallBase(LoopServices& services) : services_(services) {}

void CallBase::ArmDoneNotification() { ctx_.AsyncNotifyWhenDone(done_op_.tag()); }

bool CallBase::Arrived(bool ok) {
  if (!ok) {
    // Never started: gRPC delivers no done tag for it.
    delete this;
    return false;
  }
  return true;
}

absl::Status CallBase::Admit(const corouter::v1::HttpRequest& request,
                             const std::string& request_id, trace::TraceSink* sink) {
  wire_ = FromProto(request);
  request_id_ = request_id.empty() ? services_.NextRequestId() : request_id;
  trace_.emplace(services_.loop->index(), sink);
  context_ = loop::TaskContext{services_.loop, services_.executor, &*trace_};
  return app::Engine::Validate(wire_);
}

void CallBase::OnFinished(bool /*ok*/) {
  finished_ = true;
  MaybeDelete();
}

void CallBase::OnDone(bool /*ok*/) {
  done_ = true;
  MaybeDelete();
}

void CallBase::MaybeDelete() {
  if (finished_ && done_ && Idle()) delete this;
}

}  // namespace corouter::grpc_front
