// server/grpc/loop_services.h
//
// What the call objects of one event loop share: the gRPC service and the
// completion queue to request calls on, the loop, the executor, the engine
// and a request-id counter. One per loop; owned by the ExecutionServer.
//
// Thread safety: used on its loop's thread only.
#ifndef COROUTER_SERVER_GRPC_LOOP_SERVICES_H_
#define COROUTER_SERVER_GRPC_LOOP_SERVICES_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/server_context.h"
#include "server/app/engine.h"
#include "server/loop/event_loop.h"
#include "server/loop/executor.h"

namespace corouter::grpc_front {

struct LoopServices {
  corouter::v1::ExecutionService::AsyncService* service = nullptr;
  grpc::ServerCompletionQueue* cq = nullptr;
  loop::EventLoop* loop = nullptr;
  loop::Executor* executor = nullptr;
  const app::Engine* engine = nullptr;
  const app::App* app = nullptr;
  uint64_t requests = 0;

  /// A server-unique id for a request that came without one: "0-17" is the
  /// 17th request of loop 0.
  std::string NextRequestId() { return absl::StrCat(loop->index(), "-", ++requests); }
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_LOOP_SERVICES_H_
