// Response printing for `corouter call` without --trace: renders an HTTP
// response the way curl -i would show it, as text ready to write to stdout.
//
//   HTTP 200
//   content-type: application/json
//
//   {"message":"This is fast!"}
//
// When one invocation runs several requests, each block is preceded by the
// request's label line, "[A] GET /fast_task/", so interleaved completions can
// be told apart.
//
// All functions are pure (no I/O) and thread-safe.
#ifndef COROUTER_CLIENT_RESPONSE_PRINTER_H_
#define COROUTER_CLIENT_RESPONSE_PRINTER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "corouter/v1/execution.pb.h"

namespace corouter::client {

// The label line of one request: "[A] GET /fast_task/" (no newline).
std::string FormatRequestLabel(absl::string_view label, const corouter::v1::HttpRequest& request);

// The status line, one "name: value" line per header in order, a blank line,
// then the body, ending in exactly one added newline unless the body is empty
// or already ends in one. The body is written byte for byte (it is the
// response, not a table cell).
std::string FormatResponse(const corouter::v1::HttpResponse& response);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_RESPONSE_PRINTER_H_
