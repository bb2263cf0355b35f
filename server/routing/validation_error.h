// server/routing/validation_error.h
//
// FastAPI's request validation errors and the one place their 422 response
// is built. Each entry is pydantic 1.10's error_dict
// (pydantic/error_wrappers.py): `loc` (where: ["query","q"],
// ["body","tags",1]), `msg`, `type`, and `ctx` only when the error carries
// context ({"limit_value":3}, {"enum_values":[...]}, the JSONDecodeError's
// {"msg","doc","pos","lineno","colno"}). FastAPI's
// request_validation_exception_handler (fastapi/exception_handlers.py) sends
// `{"detail":[...]}` with status 422 and `content-type: application/json`.
//
// Thread safety: plain values and a pure function.
#ifndef COROUTER_SERVER_ROUTING_VALIDATION_ERROR_H_
#define COROUTER_SERVER_ROUTING_VALIDATION_ERROR_H_

#include <string>
#include <vector>

#include "server/http/response.h"

namespace corouter::routing {

/// One entry of FastAPI's 422 `detail` list.
struct ValidationError {
  http::Json loc;  // ["query", "q"]
  std::string msg;
  std::string type;
  http::Json ctx = nullptr;  // an object, or null when the error has no context
};

/// FastAPI's request_validation_exception_handler response: 422 with
/// `{"detail":[{"loc":...,"msg":...,"type":...[,"ctx":...]}, ...]}`.
http::Response ValidationErrorResponse(const std::vector<ValidationError>& errors);

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_VALIDATION_ERROR_H_
