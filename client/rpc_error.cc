#include "client/rpc_error.h"

#include "absl/strings/match.h"
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

std::optional<std::string> ExplainTlsFailure(const grpc::Status& status,
                                             const ChannelSecurity& security) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return std::nullopt;
  const std::string& message = status.error_message();
  if (absl::StrContains(message, "Ssl handshake failed") ||
      absl::StrContains(message, "Handshake failed")) {
    if (absl::StrContains(message, "wrong version number") ||
        absl::StrContains(message, "packet length too long") ||
        absl::StrContains(message, "record layer failure")) {
      return "TLS handshake failed: the server did not answer in TLS (is the server using TLS? "
             "try without --tls)";
    }
    if (absl::StrContains(message, "certificate verify failed")) {
      return "TLS handshake failed: the server's certificate is not trusted (pass the CA that "
             "signed it with --ca)";
    }
    if (absl::StrContains(message, "alert")) {
      return absl::StrCat("TLS handshake failed: the server refused it (",
                          message.substr(message.rfind(':') + 1),
                          security.cert_chain_pem.empty()
                              ? "; does it require a client certificate? pass --cert and --key)"
                              : "; does it trust the client certificate of --cert?)");
    }
    const size_t detail = message.find("SSL_ERROR");
    return absl::StrCat("TLS handshake failed (",
                        detail == std::string::npos ? message : message.substr(detail), ")");
  }
  if (absl::StrContains(message, "is not in peer certificate")) {
    return "TLS: the server's certificate does not name the host of --server (its "
           "subjectAltName must)";
  }
  if (absl::StrContains(message, "Socket closed") ||
      absl::StrContains(message, "Connection reset by peer")) {
    if (!security.tls) {
      return "the server closed the connection during the handshake (is the server using TLS? "
             "try --tls)";
    }
    return security.cert_chain_pem.empty()
               ? "the server closed the connection after the TLS handshake (does it require a "
                 "client certificate? pass --cert and --key)"
               : "the server closed the connection after the TLS handshake (does it trust the "
                 "client certificate of --cert?)";
  }
  return std::nullopt;
}

std::string FormatRpcError(const ConnectionOptions& connection, absl::string_view what,
                           const grpc::Status& status) {
  if (std::optional<std::string> tls = ExplainTlsFailure(status, connection.security)) {
    return absl::StrCat("corouter: cannot connect to ", connection.server, ": ", *tls);
  }
  std::string line = FormatRpcError(connection.server, what, connection.timeout, status);
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED &&
      connection.security.token.empty()) {
    absl::StrAppend(&line, "; pass --token-file FILE or set ", kTokenEnvironmentVariable);
  }
  return line;
}

}  // namespace corouter::client
