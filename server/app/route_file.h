// server/app/route_file.h
//
// Route files: an App declared in YAML instead of C++, for people who do not
// write C++ (`corouter-server --app FILE.yaml`). Parsed with yaml-cpp.
// examples/seed_app.yaml is the embedded seed app written this way; the
// README's "Route files" section is the user's guide. The format:
//
//   title: My API              # FastAPI(title=...), default "FastAPI"
//   version: 1.0.0             # FastAPI(version=...), default "0.1.0"
//   openapi_url: /openapi.json # FastAPI(openapi_url=...); null: none
//   enums:                     # class Color(str, Enum): values in order
//     Color: [red, green]
//   models:                    # class Item(BaseModel), fields in order;
//     Item:                    # a model may use models defined above it
//       name: str                          # `name: str` (required)
//       price: {type: float, gt: 0}        # `price: float = Field(..., gt=0)`
//       tags: {type: "list[str]", default: []}
//       desc: {type: "Optional[str]", default: null}
//   routes:                    # registered in this order
//     - name: read_item        # the endpoint (function) name
//       path: /items/{item_id:int}
//       methods: [GET]         # or `method: GET`; default GET
//       kind: async            # async (async def) or sync (def); default async
//       timeout: 2s            # optional: cancel the request after this
//       params:                # in signature order
//         - {name: item_id, type: int, gt: 0}          # in: path (named in the path)
//         - {name: q, type: "Optional[str]", default: null}   # in: query
//         - {name: x_token, in: header, regex: "^tok-"}       # type: str
//         - {name: item, in: body, type: Item}
//       steps:
//         - sleep: 100ms
//         - respond: {status: 200, headers: {x-id: "{item_id}"},
//                     body: {item_id: "{item_id}", q: "{q}", item: "{item}"}}
//
// Dependencies and routers (the README's route-file reference, docs/
// route-files.md, has the whole syntax):
//
//   dependencies:              # functions used with Depends, defined above
//     common:                  # their first use; kind, params, steps as a
//       params: [...]          # route's, `depends` on others, `returns` (a
//       returns: {q: "{q}"}    # template: the value), `teardown` steps (a
//       teardown: [...]        # yield dependency)
//   app_dependencies: [common] # FastAPI(dependencies=[...])
//   routers:                   # APIRouter(prefix, tags, dependencies,
//     users: {prefix: /users, routes: [...]}   # responses), routes may
//   routes:                    # `- include:` routers defined above
//     - include: users         # app.include_router(users, prefix=..., ...)
//     - name: r                # a route also takes `depends` (parameters),
//       depends: [common]      # `dependencies` (run only), `tags`,
//       response_model: Item   # `responses` and `response_model` (with
//       ...                    # `response_model_exclude_unset`/`_none`)
//
// Parameters: `name` (required); `in`: path, query, header or body
// (default: path when the path template names it, body for a model type,
// else query); `type` (default str); `default` (makes it optional) or
// `required: false` (default null); `alias`; `convert_underscores`
// (headers); `embed` (bodies); constraints `min_length`, `max_length`,
// `regex`, `gt`, `ge`, `lt`, `le`. Model fields take the same keys but
// `in`, `convert_underscores` and `embed`.
//
// Types: str, int, float, bool, uuid (or UUID), an enum or model name,
// list[T] (or List[T]) and Optional[T].
//
// Steps (server/app/script.h): `sleep: D`, `blocking: D`, `cpu: D`,
// `offload: {name: N, steps: [...]}`, `gather: [[steps...], [steps...]]`,
// `raise: {status: S, detail: J, headers: {...}}` (or `raise: S`),
// `fail: MESSAGE`, `respond: {status: S, headers: {...}, body: J}`. `respond`
// may only be the last step; `sleep`, `offload` and `gather` are awaits, so
// they need an async route and cannot be inside `offload`. Bodies, details
// and header values are JSON templates (server/app/json_template.h):
// `"{item_id}"` is the parameter's value with its type. Durations are
// absl::ParseDuration's ("2s", "100ms", "1.5s", "1m"), multiplied by
// `time_scale`.
//
// Scalars follow YAML 1.2's core schema: null, ~ and an empty value are
// null; true and false booleans; 12 and 0x1F integers; 1.5, 1e3, .inf and
// .nan floats; anything else, and anything quoted, a string (so `yes` is a
// string, unlike YAML 1.1).
//
// Errors. Everything FastAPI or pydantic would refuse when the app is
// defined, and everything a typo would silently change, is an error, and
// the first one is reported as INVALID_ARGUMENT "FILE:LINE: problem": YAML
// syntax, an unknown key, step, type or converter, a duplicate key or
// parameter, a default that does not fit its type, a bad duration or status,
// a placeholder naming no parameter, an await in a sync route. A file that
// cannot be read is NOT_FOUND or PERMISSION_DENIED "FILE: reason".
//
// Thread safety: the functions are reentrant; the App they return is not
// shared with anything.
#ifndef COROUTER_SERVER_APP_ROUTE_FILE_H_
#define COROUTER_SERVER_APP_ROUTE_FILE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/app/app.h"

namespace corouter::app {

struct RouteFileOptions {
  /// Multiplies every duration of the file (sleeps, blocking calls, cpu,
  /// timeouts); must be >= 0, as corouter-server's --time-scale.
  double time_scale = 1.0;
  /// Seeds the sleeps drawn from a distribution (duration_distribution.h):
  /// the same seed gives the same durations in the same order of requests
  /// (corouter-server --seed).
  uint64_t seed = 0;
};

/// The text of the file at `path`. Errors: NOT_FOUND ("PATH: No such file or
/// directory") or PERMISSION_DENIED ("PATH: Permission denied").
absl::StatusOr<std::string> ReadRouteFileText(const std::string& path);

/// Reads the route file at `path` (ReadRouteFileText) and builds its App
/// (see the file comment for the errors).
absl::StatusOr<App> LoadRouteFile(const std::string& path, const RouteFileOptions& options = {});

/// Builds the App of the route file whose text is `yaml`; `file_name` names
/// it in error messages.
absl::StatusOr<App> ParseRouteFile(std::string_view yaml, std::string_view file_name,
                                   const RouteFileOptions& options = {});

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_ROUTE_FILE_H_
