// server/grpc/execute_call.h
//
// ExecuteCall: one `rpc Execute` call. Requested ahead of time on its loop's
// completion queue; when it arrives it first requests its successor (so the
// number of calls waiting to be filled stays constant: shared/design/
// architecture.md, decision 4), then validates the request, runs it through
// the Engine as a coroutine on the loop and finishes with the response.
//
// Thread safety: loop thread only.
#ifndef COROUTER_SERVER_GRPC_EXECUTE_CALL_H_
#define COROUTER_SERVER_GRPC_EXECUTE_CALL_H_

#include "corouter/v1/execution.grpc.pb.h"
#include "google/protobuf/arena.h"
#include "grpcpp/support/async_unary_call.h"
#include "server/grpc/call_base.h"
#include "server/loop/task.h"

namespace corouter::grpc_front {

class ExecuteCall final : public CallBase {
 public:
  /// Requests one Execute call on `services`' completion queue.
  static void Request(LoopServices& services);

 private:
  explicit ExecuteCall(LoopServices& services) : CallBase(services) {}

  /// The arena's first block holds a small call's request and reply
  /// (1 KiB); a larger call's arena grows by doubling blocks.
  static google::protobuf::ArenaOptions ArenaOptions() {
    google::protobuf::ArenaOptions options;
    options.start_block_size = 1024;
    return options;
  }

  void OnArrived(bool ok);
  loop::Task<void> Run();

  // The request and the reply live on a protobuf arena
  // (https://protobuf.dev/reference/cpp/arenas/) owned by the call: their
  // messages, repeated fields and strings come from the arena's blocks, all
  // freed at once with the call, rather than one heap allocation each (about
  // 16 a call for GET /fast_task/; tests/bench/profile_shapes.sh).
  google::protobuf::Arena arena_{ArenaOptions()};
  corouter::v1::ExecuteRequest& request_{
      *google::protobuf::Arena::CreateMessage<corouter::v1::ExecuteRequest>(&arena_)};
  corouter::v1::ExecuteResponse& reply_{
      *google::protobuf::Arena::CreateMessage<corouter::v1::ExecuteResponse>(&arena_)};
  grpc::ServerAsyncResponseWriter<corouter::v1::ExecuteResponse> responder_{&ctx_};
  loop::MemberOperation<ExecuteCall, &ExecuteCall::OnArrived> arrived_op_{this};
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_EXECUTE_CALL_H_
