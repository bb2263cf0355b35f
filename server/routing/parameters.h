// server/routing/parameters.h
//
// Declared parameters of a path operation and their binding: reading each
// from the path, the query string or the headers, coercing it to its type
// with pydantic v1's rules (server/routing/coercion.h), and collecting every
// failure into FastAPI's 422 body.
//
// FastAPI (fastapi/dependencies/utils.py solve_dependencies) validates the
// path parameters, then the query parameters, then the headers, each group in
// signature order, and reports ALL errors of a request in one body:
//   {"detail":[{"loc":["path","item_id"],"msg":"value is not a valid integer",
//               "type":"type_error.integer"}, ...]}
// with `content-type: application/json`, status 422. A failure here happens
// after the route was chosen: there is no fall-through to later routes.
//
// Thread safety: pure functions over immutable inputs.
#ifndef COROUTER_SERVER_ROUTING_PARAMETERS_H_
#define COROUTER_SERVER_ROUTING_PARAMETERS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http/headers.h"
#include "server/http/query_string.h"
#include "server/http/response.h"
#include "server/routing/path_template.h"

namespace corouter::routing {

/// FastAPI's Path / Query / Header.
enum class ParamLocation { kPath, kQuery, kHeader };

/// The Python annotation of a parameter.
enum class ParamType { kStr, kInt, kFloat, kBool };

/// "path", "query", "header" (the first element of an error's `loc`).
std::string_view LocationName(ParamLocation location);
/// "str", "int", "float", "bool".
std::string_view TypeName(ParamType type);

/// A declared parameter: `item_id: int`, `q: str | None = None`.
struct ParamSpec {
  std::string name;
  ParamLocation location = ParamLocation::kQuery;
  ParamType type = ParamType::kStr;
  /// A required parameter has no default; a missing one is a 422
  /// `value_error.missing`. A missing optional one takes `default_value`
  /// (JSON null is Python's None).
  bool required = true;
  http::Json default_value;

  /// The name it is read under: a header parameter `user_agent` reads the
  /// `user-agent` field (FastAPI's Header(convert_underscores=True)).
  std::string LookupName() const;

  static ParamSpec Path(std::string name, ParamType type);
  static ParamSpec Query(std::string name, ParamType type);
  static ParamSpec OptionalQuery(std::string name, ParamType type,
                                 http::Json default_value = nullptr);
  static ParamSpec Header(std::string name, ParamType type);
};

/// One entry of FastAPI's 422 `detail` list.
struct ValidationError {
  http::Json loc;  // ["query", "q"]
  std::string msg;
  std::string type;
};

/// Bound values by parameter name, in declaration order.
using ParamValues = std::vector<std::pair<std::string, http::Json>>;

struct BindResult {
  ParamValues values;
  std::vector<ValidationError> errors;  // empty when every parameter bound
};

/// Binds `specs` from the request. Path values come from the router (already
/// through their converters).
BindResult BindParameters(const std::vector<ParamSpec>& specs, const PathParams& path_params,
                          const http::QueryParams& query, const http::Headers& headers);

/// FastAPI's request_validation_exception_handler response: 422 with
/// `{"detail":[...]}` (fastapi/exception_handlers.py).
http::Response ValidationErrorResponse(const std::vector<ValidationError>& errors);

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_PARAMETERS_H_
