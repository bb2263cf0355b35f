#include "server/app/app.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "server/app/openapi.h"
#include "server/http/request_target.h"

namespace corouter::app {
namespace {

absl::Status Check(const PathOperation& op, const routing::PathTemplate& path_template) {
  const std::string where = absl::StrCat("route ", op.endpoint, " (", op.path, "): ");
  if (op.methods.empty()) return absl::InvalidArgumentError(where + "no methods");
  for (const std::string& m : op.methods) {
    if (!http::IsHttpToken(m)) {
      return absl::InvalidArgumentError(absl::StrCat(where, "invalid method \"", m, "\""));
    }
  }
  if (!op.async_handler && !op.sync_handler) {
    return absl::InvalidArgumentError(where + "no handler");
  }
  absl::flat_hash_set<std::string> names;
  const auto template_params = path_template.parameters();
  for (const routing::ParamSpec& spec : op.params) {
    if (absl::Status status = routing::CheckParamSpec(spec); !status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, status.message()));
    }
    if (!names.insert(spec.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "parameter '", spec.name, "' is declared twice"));
    }
    if (spec.location == routing::ParamLocation::kPath &&
        std::none_of(template_params.begin(), template_params.end(),
                     [&spec](const auto& p) { return p.name == spec.name; })) {
      return absl::InvalidArgumentError(absl::StrCat(where, "path parameter '", spec.name,
                                                     "' does not appear in the path template"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

App::App(AppOptions options) : options_(std::move(options)) {
  // FastAPI.setup() adds /openapi.json before any user route.
  if (!options_.openapi_url.empty()) Add(OpenApiOperation(options_.openapi_url));
}

void App::Add(PathOperation op) {
  std::sort(op.methods.begin(), op.methods.end());
  op.methods.erase(std::unique(op.methods.begin(), op.methods.end()), op.methods.end());
  auto path_template = routing::PathTemplate::Compile(op.path);
  absl::Status status = path_template.ok() ? Check(op, *path_template) : path_template.status();
  if (!status.ok()) {
    if (status_.ok()) status_ = std::move(status);
    return;
  }
  router_.Add(op.methods, *std::move(path_template));
  operations_.push_back(std::move(op));
}

}  // namespace corouter::app
