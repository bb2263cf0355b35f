// Request specs: turns the `corouter call` arguments (METHOD TARGET pairs,
// -H headers, -d body) into labelled HttpRequests, validating what the
// command line can check before anything is sent.
//
// Requests are labelled A, B, C... in argument order (then AA, AB... past Z),
// the labels used in output and in the trace table's Req column.
//
// All functions are pure and thread-safe.
#ifndef COROUTER_CLIENT_REQUEST_SPEC_H_
#define COROUTER_CLIENT_REQUEST_SPEC_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client {

// One request of an invocation.
struct RequestSpec {
  // "A", "B"...
  std::string label;
  corouter::v1::HttpRequest request;
};

// The label of the request at `index` (0-based): 0 -> "A", 25 -> "Z",
// 26 -> "AA", 27 -> "AB"... (spreadsheet column names).
std::string RequestLabel(std::size_t index);

// Parses a -H argument "name: value" (curl style). The name is the text before
// the first ':' and must be a non-empty HTTP token (RFC 9110 5.6.2); the value
// is the rest with surrounding spaces and tabs removed, and may be empty, but
// must be one the server accepts (http::CheckRequestFieldValue: no CR, LF,
// NUL, VT or FF).
// Errors: InvalidArgument naming the argument (C-escaped when the value is
// the problem) when there is no ':', the name is not a token, or the value
// is refused.
absl::StatusOr<corouter::v1::HttpHeader> ParseHeader(absl::string_view argument);

// Builds the requests from positional `arguments` read as METHOD TARGET
// pairs; every request gets all `headers` (each parsed by ParseHeader) and
// `body`. Methods must be HTTP tokens; targets are sent as given (the server
// judges them).
// Errors: InvalidArgument when there are no arguments, an odd number of
// them, a method that is not a token, or a header ParseHeader rejects.
absl::StatusOr<std::vector<RequestSpec>> BuildRequests(const std::vector<std::string>& arguments,
                                                       const std::vector<std::string>& headers,
                                                       absl::string_view body);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_REQUEST_SPEC_H_
