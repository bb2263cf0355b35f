// server/app/response_model.h
//
// A path operation's declared response model: FastAPI's `response_model=`
// with `response_model_exclude_unset` and `response_model_exclude_none`
// (FastAPI 0.92 fastapi/routing.py serialize_response). What the path
// operation returns is validated against the model as pydantic 1.10
// validates it (the same coercions as a request body: "5" becomes 5 for an
// int), then written as jsonable_encoder writes the validated value,
// by alias:
//   - fields the model does not declare are dropped (pydantic ignores them);
//   - with exclude_unset, a field the returned value did not set is left out
//     (pydantic's fields_set: the keys given), in nested models too;
//   - with exclude_none, a field whose value is None is left out, in nested
//     models too;
//   - a value that fails validation is an error: FastAPI raises pydantic's
//     ValidationError, which ServerErrorMiddleware answers with its fresh
//     500 (app::Engine), logging pydantic's message.
// The OpenAPI document uses the model as the success response's schema
// (server/app/openapi.h).
//
// Thread safety: immutable; SerializeResponse is reentrant.
#ifndef COROUTER_SERVER_APP_RESPONSE_MODEL_H_
#define COROUTER_SERVER_APP_RESPONSE_MODEL_H_

#include "absl/status/statusor.h"
#include "server/http/response.h"
#include "server/routing/value_type.h"

namespace corouter::app {

struct ResponseModel {
  /// Any type a parameter may have: a model, `list[Item]`, `int`...
  routing::ValueType type;
  bool exclude_unset = false;
  bool exclude_none = false;
};

/// `content` validated and written as the file comment says. Errors:
/// INVALID_ARGUMENT with pydantic's text, "1 validation error for Item\n
/// response -> price\n  field required (type=value_error.missing)".
absl::StatusOr<http::Json> SerializeResponse(const ResponseModel& model, const http::Json& content);

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_RESPONSE_MODEL_H_
