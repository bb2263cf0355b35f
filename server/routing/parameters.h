// server/routing/parameters.h
//
// Declared parameters of a path operation and their binding: reading each
// from the path, the query string, the headers or the body, validating it
// against its declared type with pydantic v1's rules
// (server/routing/validation.h), and collecting every failure into
// FastAPI's 422 body (server/routing/validation_error.h).
//
// FastAPI (fastapi/dependencies/utils.py solve_dependencies) validates the
// path parameters, then the query parameters, then the headers, then the
// body, each group in signature order, and reports ALL errors of a request in
// one body:
//   {"detail":[{"loc":["path","item_id"],"msg":"value is not a valid integer",
//               "type":"type_error.integer"}, ...]}
// A failure here happens after the route was chosen: there is no
// fall-through to later routes.
//
// Where each value comes from (request_params_to_args, request_body_to_args):
//   path    the router's capture, typed by its converter: `{v:int}` hands
//           pydantic an int, `{v:float}` a float, `{v:uuid}` a UUID, others
//           a str (so `{v:int}` with `v: str` gives "7" for "007");
//   query   the LAST value of the key (a list parameter takes every value;
//           no value means the default, which for a list is validated);
//   header  the FIRST field of that name, case-insensitive, its bytes read
//           as latin-1; `user_agent` reads `user-agent` unless an alias is
//           given (Header(convert_underscores=True));
//   body    one body parameter that is not embedded takes the whole body
//           (loc ["body"]); several, or Body(embed=True), are keys of a JSON
//           object (loc ["body", name]); a body that is not an object makes
//           each of them "field required".
//   form    Form() and File() (server/routing/request_body.h ReadRequestForm):
//           the LAST field of the name (a list takes every one, getlist);
//           loc ["body", name] always (Form() embeds). A missing field, an
//           empty str, or an empty list is missing. A File() parameter
//           typed `bytes` reads the uploaded file's content; an UploadFile
//           parameter takes the file itself (filename, content_type, size).
//           Any other body parameter of the path operation is then read
//           from the form too, as FastAPI reads it.
// An alias (Query(alias="item-q")) replaces the name both for reading and in
// `loc`. A missing optional parameter takes its default, unvalidated.
//
// Thread safety: pure functions over immutable inputs.
#ifndef COROUTER_SERVER_ROUTING_PARAMETERS_H_
#define COROUTER_SERVER_ROUTING_PARAMETERS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "server/http/headers.h"
#include "server/http/query_string.h"
#include "server/http/response.h"
#include "server/routing/path_template.h"
#include "server/routing/request_body.h"
#include "server/routing/validation_error.h"
#include "server/routing/value_type.h"

namespace corouter::routing {

/// FastAPI's Path / Query / Header / Cookie / Body. A cookie is read as
/// Starlette's `request.cookies` has it (server/http/cookies.h).
/// Form() and File() (File is a Form whose media type is multipart) are
/// body parameters read from a form (fastapi/params.py).
enum class ParamLocation { kPath, kQuery, kHeader, kBody, kCookie, kForm, kFile };

/// "path", "query", "header", "cookie", "body" (the first element of an
/// error's `loc`; "body" for form and file parameters too).
std::string_view LocationName(ParamLocation location);

/// What route files call the location: LocationName, but "form" and "file"
/// for Form() and File().
std::string_view LocationKeyword(ParamLocation location);

/// Whether parameters at `location` are read from the body: kBody, kForm,
/// kFile.
bool IsBodyLocation(ParamLocation location);

/// Whether `location` is Form() or File(): such a parameter makes the body
/// a form (FastAPI's is_body_form).
bool IsFormLocation(ParamLocation location);

/// A declared parameter: `item_id: int`, `q: str | None = None`,
/// `q: list[str] = Query(None, alias="item-q", min_length=2)`,
/// `item: Item = Body(embed=True)`.
struct ParamSpec {
  std::string name;
  ParamLocation location = ParamLocation::kQuery;
  ValueType type = ParamType::kStr;
  /// A required parameter has no default; a missing one is a 422
  /// `value_error.missing`. A missing optional one takes `default_value`
  /// (JSON null is Python's None).
  bool required = true;
  http::Json default_value;
  /// Query(alias=...), Header(alias=...), Body(alias=...): the name read and
  /// reported in `loc`; empty means the parameter's name.
  std::string alias;
  /// Header(convert_underscores=...): without an alias, `x_token` reads the
  /// `x-token` field.
  bool convert_underscores = true;
  /// Body(embed=True): a lone body parameter is read from `{"name": ...}`.
  bool embed = false;
  /// min_length, max_length, regex, gt, ge, lt, le.
  Constraints constraints;

  /// The name it is read under (and reported in `loc`).
  std::string LookupName() const;

  static ParamSpec Path(std::string name, ValueType type);
  static ParamSpec Query(std::string name, ValueType type);
  static ParamSpec OptionalQuery(std::string name, ValueType type,
                                 http::Json default_value = nullptr);
  static ParamSpec Header(std::string name, ValueType type);
  static ParamSpec OptionalHeader(std::string name, ValueType type,
                                  http::Json default_value = nullptr);
  static ParamSpec Cookie(std::string name, ValueType type);
  static ParamSpec OptionalCookie(std::string name, ValueType type,
                                  http::Json default_value = nullptr);
  static ParamSpec Body(std::string name, ValueType type);
  static ParamSpec OptionalBody(std::string name, ValueType type,
                                http::Json default_value = nullptr);
  static ParamSpec Form(std::string name, ValueType type);
  static ParamSpec OptionalForm(std::string name, ValueType type,
                                http::Json default_value = nullptr);
  static ParamSpec File(std::string name, ValueType type);
  static ParamSpec OptionalFile(std::string name, ValueType type,
                                http::Json default_value = nullptr);

  /// Modifiers, chainable on a temporary:
  /// `ParamSpec::Query("q", ParamType::kStr).WithAlias("item-q").WithMinLength(3)`.
  ParamSpec& WithAlias(std::string value);
  ParamSpec& Embedded();
  ParamSpec& WithMinLength(int64_t value);
  ParamSpec& WithMaxLength(int64_t value);
  ParamSpec& WithPattern(std::string regex);
  ParamSpec& WithGt(http::Json limit);
  ParamSpec& WithGe(http::Json limit);
  ParamSpec& WithLt(http::Json limit);
  ParamSpec& WithLe(http::Json limit);
  /// min_items / max_items: a list parameter's length (conlist).
  ParamSpec& WithMinItems(int64_t value);
  ParamSpec& WithMaxItems(int64_t value);
};

/// Checks one declaration as FastAPI and pydantic check it when the path
/// operation is defined. Errors (INVALID_ARGUMENT naming the parameter): an
/// empty name; a malformed type or constraints that do not suit it
/// (CheckValueType); a path parameter that is optional, a list or a model; a
/// query or header parameter that is a model or a list of models; `embed` on
/// a non-body parameter or a form one; an UploadFile anywhere but a form or
/// file parameter (it exists only in a multipart form). A default is taken as it is, as FastAPI
/// takes it (DefaultFitsType tells whether it fits).
absl::Status CheckParamSpec(const ParamSpec& spec);

/// Bound values by parameter name, in declaration order.
using ParamValues = std::vector<std::pair<std::string, http::Json>>;

struct BindResult {
  ParamValues values;
  std::vector<ValidationError> errors;  // empty when every parameter bound
};

/// What the parameters are read from. `path_template` (may be null) types
/// the path captures by their converters; without it they are all str.
struct RequestParts {
  const PathParams& path_params;
  const PathTemplate* path_template;
  const http::QueryParams& query;
  const http::Headers& headers;
  const RequestBody& body;
  /// Whether the body holds the body parameters by name (embedded) or is
  /// the single one's value. Unset: decided from `specs` alone (more than
  /// one, or one with `embed`). A path operation with dependencies decides
  /// it over all of them (app::FlatBodyEmbedded, FastAPI's get_body_field).
  std::optional<bool> body_embedded = std::nullopt;
};

/// Binds `specs` from the request.
BindResult BindParameters(const std::vector<ParamSpec>& specs, const RequestParts& request);

/// Binds `specs` from a request without a body, every path capture a str.
BindResult BindParameters(const std::vector<ParamSpec>& specs, const PathParams& path_params,
                          const http::QueryParams& query, const http::Headers& headers);

/// Whether any of `specs` is a body parameter (the body is then read).
bool HasBodyParameters(const std::vector<ParamSpec>& specs);

/// Whether any of `specs` is a Form() or File() parameter (the body is then
/// read as a form, FastAPI's is_body_form).
bool HasFormParameters(const std::vector<ParamSpec>& specs);

}  // namespace corouter::routing

#endif  // COROUTER_SERVER_ROUTING_PARAMETERS_H_
