#include "client/routes_command.h"

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "client/exit_code.h"
#include "client/routes_table.h"
#include "client/rpc_error.h"
#include "client/stats_table.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace corouter::client {

int RunRoutes(const ConnectionOptions& options, std::ostream& out, std::ostream& err) {
  return RunRoutes(CreateChannel(options), options, out, err);
}

namespace {

// Calls one unary RPC of the service (`rpc` names it in errors) and prints
// `render(reply)`.
template <typename Request, typename Reply, typename Method, typename Render>
int RunUnary(const std::shared_ptr<grpc::Channel>& channel, const ConnectionOptions& options,
             const char* rpc, Method method, Render render, std::ostream& out, std::ostream& err) {
  std::unique_ptr<corouter::v1::ExecutionService::Stub> stub =
      corouter::v1::ExecutionService::NewStub(channel);
  grpc::ClientContext context;
  SetDeadline(context, options.timeout);
  Reply reply;
  grpc::Status status = ((*stub).*method)(&context, Request(), &reply);
  if (!status.ok()) {
    status = ReclassifyDeadline(
        status, channel->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY, options.timeout);
    err << FormatRpcError(options, rpc, status) << '\n';
    err.flush();
    return kExitRpcFailure;
  }
  for (const std::string& line : render(reply)) out << line << '\n';
  out.flush();
  return kExitOk;
}

}  // namespace

int RunRoutes(const std::shared_ptr<grpc::Channel>& channel, const ConnectionOptions& options,
              std::ostream& out, std::ostream& err) {
  using Stub = corouter::v1::ExecutionService::Stub;
  return RunUnary<corouter::v1::ListRoutesRequest, corouter::v1::ListRoutesResponse>(
      channel, options, "ListRoutes",
      static_cast<grpc::Status (Stub::*)(grpc::ClientContext*,
                                         const corouter::v1::ListRoutesRequest&,
                                         corouter::v1::ListRoutesResponse*)>(&Stub::ListRoutes),
      RenderRoutesTable, out, err);
}

int RunStats(const ConnectionOptions& options, std::ostream& out, std::ostream& err) {
  using Stub = corouter::v1::ExecutionService::Stub;
  return RunUnary<corouter::v1::GetStatsRequest, corouter::v1::GetStatsResponse>(
      CreateChannel(options), options, "GetStats",
      static_cast<grpc::Status (Stub::*)(grpc::ClientContext*, const corouter::v1::GetStatsRequest&,
                                         corouter::v1::GetStatsResponse*)>(&Stub::GetStats),
      RenderStats, out, err);
}

int RunStats(const std::vector<ConnectionOptions>& servers, std::ostream& out, std::ostream& err) {
  if (servers.size() == 1) return RunStats(servers[0], out, err);
  std::vector<ServerStats> answers(servers.size());
  std::vector<std::thread> calls;
  for (size_t i = 0; i < servers.size(); ++i) {
    calls.emplace_back([&servers, &answers, i] {
      const ConnectionOptions& options = servers[i];
      ServerStats& answer = answers[i];
      answer.server = options.server;
      std::shared_ptr<grpc::Channel> channel = CreateChannel(options);
      grpc::ClientContext context;
      SetDeadline(context, options.timeout);
      corouter::v1::GetStatsResponse reply;
      grpc::Status status = corouter::v1::ExecutionService::NewStub(channel)->GetStats(
          &context, corouter::v1::GetStatsRequest(), &reply);
      if (status.ok()) {
        answer.stats = std::move(reply);
        return;
      }
      status = ReclassifyDeadline(status,
                                  channel->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY,
                                  options.timeout);
      answer.error = FormatRpcError(options, "GetStats", status);
    });
  }
  for (std::thread& call : calls) call.join();
  bool all_answered = true;
  for (const ServerStats& answer : answers) {
    if (answer.stats) continue;
    all_answered = false;
    err << answer.error << '\n';
  }
  err.flush();
  for (const std::string& line : RenderMergedStats(answers)) out << line << '\n';
  out.flush();
  return all_answered ? kExitOk : kExitRpcFailure;
}

}  // namespace corouter::client
