#include "server/app/response_model.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/routing/validation.h"
#include "server/routing/validation_error.h"

namespace corouter::app {
namespace {

using http::Json;
using routing::ParamType;
using routing::ValueType;

// jsonable_encoder(model, by_alias=True, exclude_unset=..., exclude_none=...)
// of the validated value, `given` being what the path operation returned
// there (for fields_set).
Json Encode(const ValueType& type, const Json& given, const Json& validated,
            const ResponseModel& options) {
  if (validated.is_null()) return validated;
  if (type.kind() == ParamType::kList && type.has_item() && validated.is_array()) {
    Json out = Json::array();
    for (size_t i = 0; i < validated.size(); ++i) {
      const Json item_given = given.is_array() && i < given.size() ? given[i] : Json();
      out.push_back(Encode(type.item(), item_given, validated[i], options));
    }
    return out;
  }
  if (type.kind() == ParamType::kModel && type.has_model() && validated.is_object()) {
    Json out = Json::object();
    for (const routing::FieldSpec& field : type.model().fields) {
      const std::string& key = field.key();
      const bool set = given.is_object() && given.contains(key);
      if (options.exclude_unset && !set) continue;
      auto it = validated.find(key);
      if (it == validated.end()) continue;
      if (options.exclude_none && it->is_null()) continue;
      out[key] = Encode(field.type, set ? given[key] : Json(), *it, options);
    }
    return out;
  }
  return validated;
}

// pydantic's str(ValidationError): "N validation error(s) for Model", then
// each error's loc joined by " -> " and "  msg (type=...; ctx)".
std::string PydanticMessage(const ValueType& type,
                            const std::vector<routing::ValidationError>& errors) {
  std::string out =
      absl::StrCat(errors.size(), " validation error", errors.size() == 1 ? "" : "s", " for ",
                   type.kind() == ParamType::kModel ? type.Name() : "Response");
  for (const routing::ValidationError& error : errors) {
    std::vector<std::string> loc;
    for (const Json& part : error.loc)
      loc.push_back(part.is_string() ? part.get<std::string>() : part.dump());
    absl::StrAppend(&out, "\n", absl::StrJoin(loc, " -> "), "\n  ", error.msg,
                    " (type=", error.type);
    if (error.ctx.is_object()) {
      for (const auto& [key, value] : error.ctx.items()) {
        absl::StrAppend(&out, "; ", key, "=",
                        value.is_string() ? value.get<std::string>() : value.dump());
      }
    }
    absl::StrAppend(&out, ")");
  }
  return out;
}

}  // namespace

absl::StatusOr<Json> SerializeResponse(const ResponseModel& model, const Json& content) {
  std::vector<routing::ValidationError> errors;
  std::optional<Json> validated =
      routing::ValidateValue(model.type, routing::Constraints{}, routing::PyValue{content},
                             Json::array({"response"}), &errors);
  if (!validated.has_value()) {
    return absl::InvalidArgumentError(PydanticMessage(model.type, errors));
  }
  return Encode(model.type, content, *validated, model);
}

}  // namespace corouter::app
