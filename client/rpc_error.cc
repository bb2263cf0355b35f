#include "client/rpc_error.h"

#include "absl/strings/str_cat.h"
#include "client/text_cell.h"

namespace corouter::client {

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

bool IsUnreachable(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE;
}

grpc::Status ReclassifyDeadline(const grpc::Status& status, bool connected,
                                absl::Duration timeout) {
  if (status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED || connected) return status;
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      absl::StrCat("no connection within ", absl::FormatDuration(timeout)));
}

std::string FormatRpcError(absl::string_view server, absl::string_view what, absl::Duration timeout,
                           const grpc::Status& status) {
  const std::string message = SanitizeCell(status.error_message());
  if (IsUnreachable(status)) {
    return absl::StrCat("corouter: cannot reach server ", server, ": ", message);
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::StrCat("corouter: ", what, ": DEADLINE_EXCEEDED: no response within ",
                        absl::FormatDuration(timeout), " (", message, ")");
  }
  return absl::StrCat("corouter: ", what, ": ", StatusCodeName(status.error_code()), ": ", message);
}

}  // namespace corouter::client
