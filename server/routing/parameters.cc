// server/routing/parameters.cc
#include "server/routing/parameters.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "server/http/cookies.h"
#include "server/http/utf8.h"
#include "server/routing/coercion.h"
#include "server/routing/validation.h"

namespace corouter::routing {
namespace {

using http::Json;

ParamSpec Make(std::string name, ParamLocation location, ValueType type, bool required,
               Json default_value) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.location = location;
  spec.type = std::move(type);
  spec.required = required;
  spec.default_value = std::move(default_value);
  return spec;
}

// The Python value Starlette's converter produced for a path capture
// (starlette/convertors.py): int, float, UUID, or str, stored in `*holder`;
// returns how to read it.
PyValue::Kind PathValue(std::optional<Converter> converter, const std::string& text, Json* holder) {
  switch (converter.value_or(Converter::kStr)) {
    case Converter::kInt: {
      // The router hands over the digits without leading zeros.
      int64_t value = 0;
      const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
      if (result.ec == std::errc() && result.ptr == text.data() + text.size()) {
        *holder = value;
        return PyValue::Kind::kJson;
      }
      *holder = text;
      return PyValue::Kind::kBigInt;
    }
    case Converter::kFloat: {
      const Coerced<double> value = CoerceFloat(text);
      *holder = std::holds_alternative<double>(value) ? Json(std::get<double>(value)) : Json(text);
      return PyValue::Kind::kJson;
    }
    case Converter::kUuid:
      *holder = text;
      return PyValue::Kind::kUuid;
    case Converter::kStr:
    case Converter::kPath:
      break;
  }
  *holder = text;
  return PyValue::Kind::kJson;
}

Json Loc(ParamLocation location, const std::string& name) {
  return Json::array({LocationName(location), name});
}

Json Strings(const std::vector<std::string_view>& values, bool latin1) {
  Json out = Json::array();
  for (std::string_view v : values) {
    out.push_back(latin1 ? http::Latin1ToUtf8(v) : std::string(v));
  }
  return out;
}

// request_params_to_args for one path, query or header parameter.
// Returns false after reporting an error.
bool BindParam(const ParamSpec& spec, const RequestParts& request, Json* slot,
               std::vector<ValidationError>* errors) {
  const std::string lookup = spec.LookupName();
  const bool is_list = spec.type.kind() == ParamType::kList;
  Json input;
  PyValue::Kind kind = PyValue::Kind::kJson;
  bool present = true;
  switch (spec.location) {
    case ParamLocation::kPath: {
      present = false;
      for (const auto& [name, text] : request.path_params) {
        if (name != spec.name) continue;
        const std::optional<Converter> converter = request.path_template != nullptr
                                                       ? request.path_template->ConverterOf(name)
                                                       : std::nullopt;
        kind = PathValue(converter, text, &input);
        present = true;
        break;
      }
      break;
    }
    case ParamLocation::kQuery:
    case ParamLocation::kHeader: {
      const bool header = spec.location == ParamLocation::kHeader;
      if (is_list) {
        // `received_params.getlist(alias) or field.default`: no value means
        // the default, which is then validated like a received one.
        input = Strings(
            header ? http::FindAllHeaders(request.headers, lookup) : request.query.All(lookup),
            header);
        if (input.empty()) input = spec.required ? Json(nullptr) : spec.default_value;
        present = !input.is_null();
      } else {
        const std::optional<std::string_view> text =
            header ? http::FindHeader(request.headers, lookup) : request.query.Last(lookup);
        present = text.has_value();
        if (present) input = header ? http::Latin1ToUtf8(*text) : std::string(*text);
      }
      break;
    }
    case ParamLocation::kCookie: {
      std::optional<std::string> text = http::FindCookie(request.headers, lookup);
      present = text.has_value();
      if (present) input = *std::move(text);
      break;
    }
    case ParamLocation::kBody:
    case ParamLocation::kForm:
    case ParamLocation::kFile:
      return false;  // bound by BindBody
  }
  if (!present) {
    if (spec.required) {
      errors->push_back({Loc(spec.location, lookup), "field required", "value_error.missing"});
      return false;
    }
    *slot = spec.default_value;
    return true;
  }
  // The loc is built only for a value that fails: validated from an empty
  // one, then each new error's loc gets [location, name] in front. (Built
  // up front it cost four allocations per parameter per request.)
  static const Json kNoLoc = Json::array();
  const size_t before = errors->size();
  std::optional<Json> validated =
      ValidateValue(spec.type, spec.constraints, PyValue{input, kind}, kNoLoc, errors);
  if (!validated.has_value()) {
    for (size_t i = before; i < errors->size(); ++i) {
      Json loc = Loc(spec.location, lookup);
      for (Json& part : (*errors)[i].loc) loc.push_back(std::move(part));
      (*errors)[i].loc = std::move(loc);
    }
    return false;
  }
  *slot = std::move(*validated);
  return true;
}

// What templates see of an uploaded file.
Json FileValue(const http::UploadedFile& file) {
  const std::optional<std::string_view> content_type = file.content_type();
  return Json{{"filename", file.filename},
              {"content_type",
               content_type.has_value() ? Json(http::Latin1ToUtf8(*content_type)) : Json(nullptr)},
              {"size", file.content.size()}};
}

// `lenient_issubclass(field.type_, bytes)`: bytes, Optional[bytes],
// list[bytes].
bool ReadsFileContent(const ParamSpec& spec) {
  const ValueType& type = spec.type.kind() == ParamType::kList ? spec.type.item() : spec.type;
  return spec.location == ParamLocation::kFile && type.kind() == ParamType::kBytes;
}

// One form field as the Python value pydantic gets: a str, an UploadFile,
// or, for a File() parameter of bytes, the file's content.
PyValue::Kind FormItem(const ParamSpec& spec, const http::FormField& field, Json* out) {
  if (const auto* text = std::get_if<std::string>(&field.value)) {
    *out = *text;
    return PyValue::Kind::kJson;
  }
  const auto& file = std::get<http::UploadedFile>(field.value);
  if (ReadsFileContent(spec)) {
    *out = file.content;
    return PyValue::Kind::kBytes;
  }
  *out = FileValue(file);
  return PyValue::Kind::kUploadFile;
}

// request_body_to_args when the body is a form (FastAPI 0.92):
//   value = form.getlist(alias) if the field is a sequence else form.get(alias)
//   if value is None or (Form and value == "") or (Form, a sequence and
//       len(value) == 0): missing (required) or the default
//   File() of bytes: `await value.read()` (each item's, for a list)
//   field.validate(value)
void BindFormParam(const ParamSpec& spec, const http::FormData& form, std::optional<Json>* slot,
                   std::vector<ValidationError>* errors) {
  const std::string key = spec.LookupName();
  const Json loc = Json::array({"body", key});
  const bool is_form = spec.location != ParamLocation::kBody;  // Form() or File()
  Json value;
  PyValue::Kind kind = PyValue::Kind::kJson;
  std::vector<PyValue::Kind> item_kinds;
  bool missing = false;
  if (spec.type.kind() == ParamType::kList) {
    value = Json::array();
    for (const http::FormField* field : form.All(key)) {
      if (ReadsFileContent(spec) && std::holds_alternative<std::string>(field->value)) {
        // `sub_value.read` on a str, inside the task group: a 500.
        throw UncaughtValidatorError("AttributeError: 'str' object has no attribute 'read'");
      }
      Json item;
      item_kinds.push_back(FormItem(spec, *field, &item));
      value.push_back(std::move(item));
    }
    missing = is_form && value.empty();
  } else if (const http::FormField* field = form.Last(key)) {
    kind = FormItem(spec, *field, &value);
    missing = is_form && kind == PyValue::Kind::kJson && value == "";
  } else {
    missing = true;
  }
  if (missing) {
    if (spec.required) {
      errors->push_back({loc, "field required", "value_error.missing"});
    } else {
      *slot = spec.default_value;
    }
    return;
  }
  PyValue input{value, kind};
  if (!item_kinds.empty()) input.item_kinds = &item_kinds;
  std::optional<Json> validated = ValidateValue(spec.type, spec.constraints, input, loc, errors);
  if (validated.has_value()) *slot = std::move(*validated);
}

// request_body_to_args for every body parameter.
void BindBody(const std::vector<ParamSpec>& specs, const RequestBody& body,
              std::optional<bool> embedded, std::vector<std::optional<Json>>* slots,
              std::vector<ValidationError>* errors) {
  std::vector<size_t> indices;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (IsBodyLocation(specs[i].location)) indices.push_back(i);
  }
  if (indices.empty()) return;
  if (body.kind == RequestBody::Kind::kForm) {
    for (const size_t i : indices) BindFormParam(specs[i], body.form, &(*slots)[i], errors);
    return;
  }
  // `field_alias_omitted = len(required_params) == 1 and not embed`.
  const bool whole_body =
      embedded.has_value() ? !*embedded : indices.size() == 1 && !specs[indices[0]].embed;
  // A JSON `null` body is Python's None, as no body at all: every parameter
  // is missing (`if received_body is not None: ...`), not an AttributeError.
  const bool absent = body.kind == RequestBody::Kind::kAbsent ||
                      (body.kind == RequestBody::Kind::kJson && body.value.is_null());
  for (const size_t i : indices) {
    const ParamSpec& spec = specs[i];
    const std::string key = spec.LookupName();
    const Json loc = whole_body ? Json::array({"body"}) : Json::array({"body", key});
    const Json* value = nullptr;
    PyValue::Kind kind = PyValue::Kind::kJson;
    if (!absent) {
      if (whole_body) {
        value = &body.value;
        if (body.kind == RequestBody::Kind::kBytes) kind = PyValue::Kind::kBytes;
      } else if (body.kind == RequestBody::Kind::kJson && body.value.is_object()) {
        auto it = body.value.find(key);
        if (it != body.value.end()) value = &*it;
      } else {
        // `received_body.get(alias)` on a list, str, number or bytes:
        // AttributeError, reported as missing whether required or not.
        errors->push_back({loc, "field required", "value_error.missing"});
        continue;
      }
    }
    if (value == nullptr || (kind == PyValue::Kind::kJson && value->is_null())) {
      if (spec.required) {
        errors->push_back({loc, "field required", "value_error.missing"});
      } else {
        (*slots)[i] = spec.default_value;
      }
      continue;
    }
    std::optional<Json> validated =
        ValidateValue(spec.type, spec.constraints, PyValue{*value, kind}, loc, errors);
    if (validated.has_value()) (*slots)[i] = std::move(*validated);
  }
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
    case ParamLocation::kCookie:
      return "cookie";
    case ParamLocation::kBody:
    case ParamLocation::kForm:
    case ParamLocation::kFile:
      return "body";
  }
  return "query";
}

std::string_view LocationKeyword(ParamLocation location) {
  if (location == ParamLocation::kForm) return "form";
  if (location == ParamLocation::kFile) return "file";
  return LocationName(location);
}

bool IsFormLocation(ParamLocation location) {
  return location == ParamLocation::kForm || location == ParamLocation::kFile;
}

bool IsBodyLocation(ParamLocation location) {
  return location == ParamLocation::kBody || IsFormLocation(location);
}

std::string ParamSpec::LookupName() const {
  if (!alias.empty()) return alias;
  if (location == ParamLocation::kHeader && convert_underscores) {
    return absl::StrReplaceAll(name, {{"_", "-"}});
  }
  return name;
}

ParamSpec ParamSpec::Path(std::string name, ValueType type) {
  return Make(std::move(name), ParamLocation::kPath, std::move(type), true, nullptr);
}
ParamSpec ParamSpec::Query(std::string name, ValueType type) {
  return Make(std::move(name), ParamLocation::kQuery, std::move(type), true, nullptr);
}
ParamSpec ParamSpec::OptionalQuery(std::string name, ValueType type, Json default_value) {
  return Make(std::move(name), ParamLocation::kQuery, std::move(type), false,
              std::move(default_value));
}
ParamSpec ParamSpec::Header(std::string name, ValueType type) {
  return Make(std::move(name), ParamLocation::kHeader, std::move(type), true, nullptr);
}
ParamSpec ParamSpec::OptionalHeader(std::string name, ValueType type, Json default_value) {
  return Make(std::move(name), ParamLocation::kHeader, std::move(type), false,
              std::move(default_value));
}
ParamSpec ParamSpec::Cookie(std::string name, ValueType type) {
  return Make(std::move(name), ParamLocation::kCookie, std::move(type), true, nullptr);
}
ParamSpec ParamSpec::OptionalCookie(std::string name, ValueType type, Json default_value) {
  return Make(std::move(name), ParamLocation::kCookie, std::move(type), false,
              std::move(default_value));
}
ParamSpec ParamSpec::Body(std::string name, ValueType type) {
  return Make(std::move(name), ParamLocation::kBody, std::move(type), true, nullptr);
}
ParamSpec ParamSpec::OptionalBody(std::string name, ValueType type, Json default_value) {
  return Make(std::move(name), ParamLocation::kBody, std::move(type), false,
              std::move(default_value));
}

ParamSpec ParamSpec::Form(std::string name, ValueType type) {
  return Make(std::move(name), ParamLocation::kForm, std::move(type), true, nullptr);
}
ParamSpec ParamSpec::OptionalForm(std::string name, ValueType type, Json default_value) {
  return Make(std::move(name), ParamLocation::kForm, std::move(type), false,
              std::move(default_value));
}
ParamSpec ParamSpec::File(std::string name, ValueType type) {
  return Make(std::move(name), ParamLocation::kFile, std::move(type), true, nullptr);
}
ParamSpec ParamSpec::OptionalFile(std::string name, ValueType type, Json default_value) {
  return Make(std::move(name), ParamLocation::kFile, std::move(type), false,
              std::move(default_value));
}

ParamSpec& ParamSpec::WithAlias(std::string value) {
  alias = std::move(value);
  return *this;
}
ParamSpec& ParamSpec::Embedded() {
  embed = true;
  return *this;
}
ParamSpec& ParamSpec::WithMinLength(int64_t value) {
  constraints.min_length = value;
  return *this;
}
ParamSpec& ParamSpec::WithMaxLength(int64_t value) {
  constraints.max_length = value;
  return *this;
}
ParamSpec& ParamSpec::WithPattern(std::string regex) {
  constraints.pattern.emplace(std::move(regex));
  return *this;
}
ParamSpec& ParamSpec::WithGt(Json limit) {
  constraints.gt = std::move(limit);
  return *this;
}
ParamSpec& ParamSpec::WithGe(Json limit) {
  constraints.ge = std::move(limit);
  return *this;
}
ParamSpec& ParamSpec::WithLt(Json limit) {
  constraints.lt = std::move(limit);
  return *this;
}
ParamSpec& ParamSpec::WithLe(Json limit) {
  constraints.le = std::move(limit);
  return *this;
}

ParamSpec& ParamSpec::WithMinItems(int64_t value) {
  constraints.min_items = value;
  return *this;
}

ParamSpec& ParamSpec::WithMaxItems(int64_t value) {
  constraints.max_items = value;
  return *this;
}

namespace {

bool MentionsUploadFile(const ValueType& type) {
  switch (type.kind()) {
    case ParamType::kUploadFile:
      return true;
    case ParamType::kList:
    case ParamType::kDict:
      return type.has_item() && MentionsUploadFile(type.item());
    case ParamType::kUnion:
      return std::any_of(type.members().begin(), type.members().end(), MentionsUploadFile);
    default:
      return false;
  }
}

}  // namespace

absl::Status CheckParamSpec(const ParamSpec& spec) {
  const std::string_view location = LocationKeyword(spec.location);
  const std::string what = absl::StrCat(absl::string_view(location.data(), location.size()),
                                        " parameter '", spec.name, "'");
  auto invalid = [&what](auto&&... parts) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", parts...));
  };
  if (spec.name.empty()) return absl::InvalidArgumentError("a parameter has an empty name");
  if (absl::Status status = CheckValueType(spec.type, spec.constraints, what); !status.ok()) {
    return status;
  }
  const ParamType kind = spec.type.kind();
  switch (spec.location) {
    case ParamLocation::kPath:
      if (!spec.required) return invalid("path parameters are always required");
      if (!spec.type.is_scalar()) {
        return invalid("a path parameter is a single value, not ", spec.type.Name());
      }
      break;
    case ParamLocation::kQuery:
    case ParamLocation::kHeader:
      if (kind == ParamType::kModel || kind == ParamType::kDict ||
          (kind == ParamType::kList && !spec.type.item().is_scalar()) ||
          (kind == ParamType::kUnion && !spec.type.is_scalar())) {
        return invalid(spec.type.Name(), " can only be read from the body");
      }
      break;
    case ParamLocation::kCookie:
      // Request.cookies holds one value per name: no lists, no models.
      if (!spec.type.is_scalar()) {
        return invalid("a cookie parameter is a single value, not ", spec.type.Name());
      }
      break;
    case ParamLocation::kBody:
    case ParamLocation::kForm:
    case ParamLocation::kFile:
      break;
  }
  if (spec.embed && spec.location != ParamLocation::kBody) {
    return invalid(IsFormLocation(spec.location)
                       ? "form and file parameters are always embedded (Form() sets embed)"
                       : "embed applies to body parameters only");
  }
  if (!IsFormLocation(spec.location) && MentionsUploadFile(spec.type)) {
    return invalid("an UploadFile is read from a multipart form: make it `in: file`");
  }
  return absl::OkStatus();
}

BindResult BindParameters(const std::vector<ParamSpec>& specs, const RequestParts& request) {
  BindResult result;
  // Values land in declaration order; errors in FastAPI's validation order:
  // every path parameter, then query, then header, then cookie, then body.
  std::vector<std::optional<Json>> slots(specs.size());
  for (ParamLocation location : {ParamLocation::kPath, ParamLocation::kQuery,
                                 ParamLocation::kHeader, ParamLocation::kCookie}) {
    for (size_t i = 0; i < specs.size(); ++i) {
      if (specs[i].location != location) continue;
      Json value;
      if (BindParam(specs[i], request, &value, &result.errors)) slots[i] = std::move(value);
    }
  }
  BindBody(specs, request.body, request.body_embedded, &slots, &result.errors);
  if (!result.errors.empty()) return result;
  result.values.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) result.values.emplace_back(specs[i].name, *slots[i]);
  return result;
}

BindResult BindParameters(const std::vector<ParamSpec>& specs, const PathParams& path_params,
                          const http::QueryParams& query, const http::Headers& headers) {
  const RequestBody no_body;
  return BindParameters(specs, RequestParts{path_params, nullptr, query, headers, no_body});
}

bool HasBodyParameters(const std::vector<ParamSpec>& specs) {
  return std::any_of(specs.begin(), specs.end(),
                     [](const ParamSpec& spec) { return IsBodyLocation(spec.location); });
}

bool HasFormParameters(const std::vector<ParamSpec>& specs) {
  return std::any_of(specs.begin(), specs.end(),
                     [](const ParamSpec& spec) { return IsFormLocation(spec.location); });
}

}  // namespace corouter::routing
