#include "client/app_command.h"

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/exit_code.h"
#include "client/rpc_error.h"
#include "client/text_cell.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace corouter::client {
namespace v1 = corouter::v1;

std::string FormatAppVersion(const v1::AppVersion& app) {
  return absl::StrCat(
      "app version ", app.version(), " (", SanitizeCell(app.source()), "), ", app.routes(),
      app.routes() == 1 ? " route" : " routes", ", loaded ",
      absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixNanos(app.loaded_unix_nanos()),
                       absl::UTCTimeZone()));
}

int RunApp(const AppOptions& options, std::ostream& out, std::ostream& err) {
  std::string text;
  if (!options.load_path.empty()) {
    std::ifstream in(options.load_path, std::ios::binary);
    if (!in) {
      err << "corouter app: --load: cannot read " << options.load_path << '\n';
      return kExitUsage;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  std::shared_ptr<grpc::Channel> channel = CreateChannel(options.connection);
  std::unique_ptr<v1::AdminService::Stub> stub = v1::AdminService::NewStub(channel);
  grpc::ClientContext context;
  SetDeadline(context, options.connection.timeout);
  grpc::Status status;
  if (!options.load_path.empty()) {
    v1::LoadAppRequest request;
    request.set_route_file(text);
    request.set_file_name(options.load_path);
    v1::LoadAppResponse reply;
    status = stub->LoadApp(&context, request, &reply);
    if (status.ok()) {
      out << "loaded " << options.load_path << ": " << FormatAppVersion(reply.app()) << '\n';
      return kExitOk;
    }
  } else {
    v1::GetAppResponse reply;
    status = stub->GetApp(&context, v1::GetAppRequest(), &reply);
    if (status.ok()) {
      out << FormatAppVersion(reply.app()) << '\n';
      if (!reply.route_file().empty()) {
        out << '\n' << reply.route_file();
        if (reply.route_file().back() != '\n') out << '\n';
      }
      return kExitOk;
    }
  }
  status =
      ReclassifyDeadline(status, channel->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY,
                         options.connection.timeout);
  err << FormatRpcError(options.connection, options.load_path.empty() ? "GetApp" : "LoadApp",
                        status)
      << '\n';
  return kExitRpcFailure;
}

}  // namespace corouter::client
