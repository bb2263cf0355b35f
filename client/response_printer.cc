#include "client/response_printer.h"

#include "absl/strings/str_cat.h"

namespace corouter::client {

std::string FormatRequestLabel(absl::string_view label, const corouter::v1::HttpRequest& request) {
  return absl::StrCat("[", label, "] ", request.method(), " ", request.target());
}

std::string FormatResponse(const corouter::v1::HttpResponse& response) {
  std::string out = absl::StrCat("HTTP ", response.status_code(), "\n");
  for (const corouter::v1::HttpHeader& header : response.headers()) {
    absl::StrAppend(&out, header.name(), ": ", header.value(), "\n");
  }
  out.push_back('\n');
  out.append(response.body());
  if (!response.body().empty() && response.body().back() != '\n') out.push_back('\n');
  return out;
}

}  // namespace corouter::client
