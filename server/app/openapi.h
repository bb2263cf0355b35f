// server/app/openapi.h
//
// The OpenAPI document of an App, as FastAPI 0.92 generates it for the same
// path operations (fastapi/openapi/utils.py get_openapi, pydantic 1.10's
// pydantic/schema.py for the schemas), and the built-in route that serves
// it at `AppOptions::openapi_url` (FastAPI.setup's `openapi` endpoint).
//
// What it reproduces, key order included (FastAPI passes the document
// through its pydantic models fastapi/openapi/models.py, whose field order
// is the output's):
//  - "openapi": "3.0.2", "info": {"title", "version"}, "paths", "components";
//  - one path item per path format (`/items/{item_id:int}` is
//    `/items/{item_id}`), operations in the order get, put, post, delete,
//    options, head, patch, trace; a later route with the same path and
//    method replaces the earlier one's operation, as FastAPI's dict update;
//  - per operation: "summary" (the endpoint's name with `_` as spaces, in
//    Python's str.title()), "operationId" (generate_unique_id:
//    `{name}{path_format}` with every non-word character as `_`, then `_`
//    and the method), "parameters" (path, then query, then header, each
//    with "required", "schema", "name", "in"), "requestBody" (for GET, HEAD,
//    POST, PUT, DELETE, PATCH), "responses": the success status with
//    "Successful Response" (and an empty JSON schema unless the status has no
//    body) and, when there are parameters, "422" with HTTPValidationError;
//  - schemas as pydantic writes them: "title" (the name or alias, title-cased,
//    `_` as spaces; none for enums), "default" when not required and not
//    None, minLength / maxLength / pattern, minimum / maximum (as floats:
//    FastAPI's Schema model declares them float), "type" and "format"
//    ("uuid"), arrays with "items", enums
//    and models as `$ref`s (or `allOf: [$ref]` next to a default), several or
//    embedded body parameters as a `Body_{operationId}` model;
//  - "components": {"schemas": every model and enum the routes use, the
//    Body_ models, ValidationError and HTTPValidationError, sorted by name}.
//
// Deliberate differences (README.md): `gt` and `lt` are written as OpenAPI
// 3.0 defines them, `"minimum": 0.0, "exclusiveMinimum": true`, where
// pydantic 1.10 writes `"exclusiveMinimum": 0.0`, which OpenAPI 3.0
// validators refuse (fastapi issue #1839). A route with several methods gets the
// operationId (and Body_ model name) of its first method in sorted order;
// FastAPI takes the first of a Python set, whose order follows the hash seed.
// Python's str.title() and `\W` are Unicode-aware; here title-casing knows
// ASCII and Latin-1 letters, and every non-ASCII character counts as a word
// character.
//
// Thread safety: pure functions over a read-only App; the built-in route
// builds the document once, on its first request, under a once-flag.
#ifndef COROUTER_SERVER_APP_OPENAPI_H_
#define COROUTER_SERVER_APP_OPENAPI_H_

#include <string>
#include <string_view>

#include "server/app/app.h"
#include "server/http/response.h"
#include "server/routing/parameters.h"

namespace corouter::app {

/// FastAPI's app.openapi() for `app` (built-in routes left out).
http::Json BuildOpenApi(const App& app);

/// The built-in path operation serving BuildOpenApi(ctx.app()) at `url`:
/// `async def openapi`, GET and HEAD, not in the document itself.
PathOperation OpenApiOperation(std::string url);

/// generate_unique_id (fastapi/utils.py): "read_item_items__item_id__get".
std::string OperationId(const PathOperation& op);

/// generate_operation_summary: "Read Item".
std::string OperationSummary(const PathOperation& op);

/// The schema of a path, query or header parameter as its OpenAPI
/// "parameters" entry holds it, or of a body parameter as a body model's
/// property (enums and models as `$ref`s into components.schemas).
http::Json ParameterSchema(const routing::ParamSpec& spec);

/// Python's str.title() for ASCII and Latin-1 text: "x-request-id" is
/// "X-Request-Id", "a1b" is "A1B".
std::string PythonTitle(std::string_view text);

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_OPENAPI_H_
