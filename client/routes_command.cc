#include "client/routes_command.h"

#include <string>

#include "client/exit_code.h"
#include "client/routes_table.h"
#include "client/rpc_error.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace corouter::client {

int RunRoutes(const ConnectionOptions& options, std::ostream& out, std::ostream& err) {
  return RunRoutes(CreateChannel(options.server), options, out, err);
}

int RunRoutes(const std::shared_ptr<grpc::Channel>& channel, const ConnectionOptions& options,
              std::ostream& out, std::ostream& err) {
  std::unique_ptr<corouter::v1::ExecutionService::Stub> stub =
      corouter::v1::ExecutionService::NewStub(channel);
  grpc::ClientContext context;
  SetDeadline(context, options.timeout);
  corouter::v1::ListRoutesResponse reply;
  grpc::Status status = stub->ListRoutes(&context, corouter::v1::ListRoutesRequest(), &reply);
  if (!status.ok()) {
    status = ReclassifyDeadline(
        status, channel->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY, options.timeout);
    err << FormatRpcError(options.server, "ListRoutes", options.timeout, status) << '\n';
    err.flush();
    return kExitRpcFailure;
  }
  for (const std::string& line : RenderRoutesTable(reply)) out << line << '\n';
  out.flush();
  return kExitOk;
}

}  // namespace corouter::client
