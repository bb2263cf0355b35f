#include "client/request_spec.h"

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "server/http/request_headers.h"
#include "server/http/request_target.h"

namespace corouter::client {
namespace {

absl::string_view TrimSpacesAndTabs(absl::string_view text) {
  const auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string RequestLabel(std::size_t index) {
  std::string label;
  std::size_t n = index + 1;
  while (n > 0) {
    --n;
    label.insert(label.begin(), static_cast<char>('A' + n % 26));
    n /= 26;
  }
  return label;
}

absl::StatusOr<corouter::v1::HttpHeader> ParseHeader(absl::string_view argument) {
  const std::size_t colon = argument.find(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("header '", argument, "' is not of the form 'name: value'"));
  }
  const absl::string_view name = argument.substr(0, colon);
  if (!http::IsHttpToken(std::string_view(name.data(), name.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("header '", argument, "' has an invalid name '", name, "'"));
  }
  const absl::string_view value = TrimSpacesAndTabs(argument.substr(colon + 1));
  // What the server would refuse (INVALID_ARGUMENT): refused here before any
  // request is sent. The message may hold a CR or LF: escaped.
  if (absl::Status status =
          http::CheckRequestFieldValue(std::string_view(value.data(), value.size()));
      !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("header '", absl::CHexEscape(argument), "': ", status.message()));
  }
  corouter::v1::HttpHeader header;
  header.set_name(std::string(name));
  header.set_value(std::string(value));
  return header;
}

absl::StatusOr<std::vector<RequestSpec>> BuildRequests(const std::vector<std::string>& arguments,
                                                       const std::vector<std::string>& headers,
                                                       absl::string_view body) {
  if (arguments.empty()) {
    return absl::InvalidArgumentError("expected METHOD TARGET pairs, got none");
  }
  if (arguments.size() % 2 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected METHOD TARGET pairs, got an odd number of arguments (",
                     arguments.size(), "): ", absl::StrJoin(arguments, " ")));
  }
  std::vector<corouter::v1::HttpHeader> parsed_headers;
  for (const std::string& argument : headers) {
    absl::StatusOr<corouter::v1::HttpHeader> header = ParseHeader(argument);
    if (!header.ok()) return header.status();
    parsed_headers.push_back(*std::move(header));
  }
  std::vector<RequestSpec> specs;
  for (std::size_t i = 0; i + 1 < arguments.size(); i += 2) {
    const std::string& method = arguments[i];
    if (!http::IsHttpToken(method)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", method, "' is not an HTTP method (", "expected METHOD TARGET pairs)"));
    }
    RequestSpec spec;
    spec.label = RequestLabel(specs.size());
    spec.request.set_method(method);
    spec.request.set_target(arguments[i + 1]);
    for (const corouter::v1::HttpHeader& header : parsed_headers) {
      *spec.request.add_headers() = header;
    }
    spec.request.set_body(std::string(body));
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace corouter::client
