#include "client/requests_command.h"

#include <memory>
#include <string>

#include "client/exit_code.h"
#include "client/journal_table.h"
#include "client/rpc_error.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"

namespace corouter::client {
namespace v1 = corouter::v1;
namespace {

void PrintEntries(const google::protobuf::RepeatedPtrField<v1::JournalEntry>& entries, bool json,
                  std::ostream& out) {
  if (json) {
    for (const v1::JournalEntry& entry : entries) {
      std::string line;
      (void)google::protobuf::util::MessageToJsonString(entry, &line);
      out << line << '\n';
    }
    return;
  }
  for (const std::string& line : RenderJournalTable(entries)) out << line << '\n';
}

}  // namespace

int RunRequests(const RequestsOptions& options, std::ostream& out, std::ostream& err) {
  std::shared_ptr<grpc::Channel> channel = CreateChannel(options.connection);
  std::unique_ptr<v1::JournalService::Stub> stub = v1::JournalService::NewStub(channel);
  grpc::ClientContext context;
  SetDeadline(context, options.action == RequestsAction::kWait
                           ? options.wait_timeout + options.connection.timeout
                           : options.connection.timeout);
  grpc::Status status;
  const char* rpc = "ListRequests";
  switch (options.action) {
    case RequestsAction::kList: {
      v1::ListRequestsRequest request;
      *request.mutable_filter() = options.filter;
      request.set_limit(options.limit);
      v1::ListRequestsResponse reply;
      status = stub->ListRequests(&context, request, &reply);
      if (!status.ok()) break;
      PrintEntries(reply.entries(), options.json, out);
      if (!options.json) {
        out << reply.entries_size() << (reply.entries_size() == 1 ? " request" : " requests");
        if (reply.evicted() > 0) {
          out << " (" << reply.evicted() << " older ones left the full journal)";
        }
        out << '\n';
      }
      return kExitOk;
    }
    case RequestsAction::kCount: {
      rpc = "CountRequests";
      v1::CountRequestsRequest request;
      *request.mutable_filter() = options.filter;
      v1::CountRequestsResponse reply;
      status = stub->CountRequests(&context, request, &reply);
      if (!status.ok()) break;
      out << reply.count() << '\n';
      return kExitOk;
    }
    case RequestsAction::kClear: {
      rpc = "ClearRequests";
      v1::ClearRequestsRequest request;
      *request.mutable_filter() = options.filter;
      v1::ClearRequestsResponse reply;
      status = stub->ClearRequests(&context, request, &reply);
      if (!status.ok()) break;
      out << "cleared " << reply.cleared() << (reply.cleared() == 1 ? " request" : " requests")
          << '\n';
      return kExitOk;
    }
    case RequestsAction::kWait: {
      rpc = "WaitForRequests";
      v1::WaitForRequestsRequest request;
      *request.mutable_filter() = options.filter;
      request.set_count(options.wait_count);
      request.set_timeout_nanos(absl::ToInt64Nanoseconds(options.wait_timeout));
      v1::WaitForRequestsResponse reply;
      status = stub->WaitForRequests(&context, request, &reply);
      if (!status.ok()) break;
      PrintEntries(reply.entries(), options.json, out);
      return kExitOk;
    }
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
      options.action == RequestsAction::kWait && !status.error_message().empty() &&
      status.error_message().find("matching requests") != std::string::npos) {
    // The server's own answer: how many came.
    err << "corouter requests: --wait: " << status.error_message() << '\n';
    return kExitRpcFailure;
  }
  status =
      ReclassifyDeadline(status, channel->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY,
                         options.connection.timeout);
  err << FormatRpcError(options.connection, rpc, status) << '\n';
  return kExitRpcFailure;
}

}  // namespace corouter::client
