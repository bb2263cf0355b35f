#include "server/routing/parameters.h"

#include "absl/strings/str_replace.h"
#include "server/routing/coercion.h"

namespace corouter::routing {
namespace {

// pydantic's result for one text value, as a JSON value or an error.
std::variant<http::Json, CoercionError> Coerce(ParamType type, std::string_view text) {
  auto lift = [](auto coerced) -> std::variant<http::Json, CoercionError> {
    if (auto* error = std::get_if<CoercionError>(&coerced)) return *error;
    return http::Json(std::get<0>(coerced));
  };
  switch (type) {
    case ParamType::kInt:
      return lift(CoerceInt(text));
    case ParamType::kFloat:
      return lift(CoerceFloat(text));
    case ParamType::kBool:
      return lift(CoerceBool(text));
    case ParamType::kStr:
      break;
  }
  return http::Json(std::string(text));
}

std::optional<std::string_view> Lookup(const ParamSpec& spec, const PathParams& path_params,
                                       const http::QueryParams& query,
                                       const http::Headers& headers) {
  switch (spec.location) {
    case ParamLocation::kPath:
      for (const auto& [name, value] : path_params) {
        if (name == spec.name) return value;
      }
      return std::nullopt;
    case ParamLocation::kQuery:
      return query.Last(spec.LookupName());
    case ParamLocation::kHeader:
      return http::FindHeader(headers, spec.LookupName());
  }
  return std::nullopt;
}

}  // namespace

std::string_view LocationName(ParamLocation location) {
  switch (location) {
    case ParamLocation::kPath:
      return "path";
    case ParamLocation::kQuery:
      return "query";
    case ParamLocation::kHeader:
      return "header";
  }
  return "query";
}

std::string_view TypeName(ParamType type) {
  switch (type) {
    case ParamType::kStr:
      return "str";
    case ParamType::kInt:
      return "int";
    case ParamType::kFloat:
      return "float";
    case ParamType::kBool:
      return "bool";
  }
  return "str";
}

std::string ParamSpec::LookupName() const {
  if (location == ParamLocation::kHeader) return absl::StrReplaceAll(name, {{"_", "-"}});
  return name;
}

ParamSpec ParamSpec::Path(std::string name, ParamType type) {
  return ParamSpec{std::move(name), ParamLocation::kPath, type, true, nullptr};
}
ParamSpec ParamSpec::Query(std::string name, ParamType type) {
  return ParamSpec{std::move(name), ParamLocation::kQuery, type, true, nullptr};
}
ParamSpec ParamSpec::OptionalQuery(std::string name, ParamType type, http::Json default_value) {
  return ParamSpec{std::move(name), ParamLocation::kQuery, type, false, std::move(default_value)};
}
ParamSpec ParamSpec::Header(std::string name, ParamType type) {
  return ParamSpec{std::move(name), ParamLocation::kHeader, type, true, nullptr};
}

BindResult BindParameters(const std::vector<ParamSpec>& specs, const PathParams& path_params,
                          const http::QueryParams& query, const http::Headers& headers) {
  BindResult result;
  // Values land in declaration order; errors in FastAPI's validation order:
  // every path parameter, then query, then header.
  std::vector<std::optional<http::Json>> slots(specs.size());
  for (ParamLocation location :
       {ParamLocation::kPath, ParamLocation::kQuery, ParamLocation::kHeader}) {
    for (size_t i = 0; i < specs.size(); ++i) {
      const ParamSpec& spec = specs[i];
      if (spec.location != location) continue;
      const std::string loc_name = spec.LookupName();
      const std::optional<std::string_view> text = Lookup(spec, path_params, query, headers);
      if (!text.has_value()) {
        if (spec.required) {
          result.errors.push_back({http::Json::array({LocationName(location), loc_name}),
                                   "field required", "value_error.missing"});
        } else {
          slots[i] = spec.default_value;
        }
        continue;
      }
      auto coerced = Coerce(spec.type, *text);
      if (auto* error = std::get_if<CoercionError>(&coerced)) {
        result.errors.push_back(
            {http::Json::array({LocationName(location), loc_name}), error->msg, error->type});
      } else {
        slots[i] = std::move(std::get<http::Json>(coerced));
      }
    }
  }
  if (!result.errors.empty()) return result;
  result.values.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) result.values.emplace_back(specs[i].name, *slots[i]);
  return result;
}

http::Response ValidationErrorResponse(const std::vector<ValidationError>& errors) {
  http::Json detail = http::Json::array();
  for (const ValidationError& e : errors) {
    detail.push_back(http::Json{{"loc", e.loc}, {"msg", e.msg}, {"type", e.type}});
  }
  return http::JsonResponse(http::Json{{"detail", std::move(detail)}}, 422);
}

}  // namespace corouter::routing
