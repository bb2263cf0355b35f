#include "server/app/openapi.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/app/dependency.h"
#include "server/app/http_exception.h"
#include "server/http/utf8.h"
#include "server/loop/task.h"
#include "server/routing/path_template.h"
#include "server/routing/value_type.h"

namespace corouter::app {
namespace {

using http::Json;
using routing::Constraints;
using routing::ParamLocation;
using routing::ParamSpec;
using routing::ParamType;
using routing::ValueType;

constexpr char kRefPrefix[] = "#/components/schemas/";

// fastapi/openapi/models.py Schema: its fields, in order. jsonable_encoder
// writes a model's declared fields in this order, then its extra ones.
const std::vector<std::string>& SchemaFieldOrder() {
  static const std::vector<std::string> kOrder = {"$ref",
                                                  "title",
                                                  "multipleOf",
                                                  "maximum",
                                                  "exclusiveMaximum",
                                                  "minimum",
                                                  "exclusiveMinimum",
                                                  "maxLength",
                                                  "minLength",
                                                  "pattern",
                                                  "maxItems",
                                                  "minItems",
                                                  "uniqueItems",
                                                  "maxProperties",
                                                  "minProperties",
                                                  "required",
                                                  "enum",
                                                  "type",
                                                  "allOf",
                                                  "oneOf",
                                                  "anyOf",
                                                  "not",
                                                  "items",
                                                  "properties",
                                                  "additionalProperties",
                                                  "description",
                                                  "format",
                                                  "default",
                                                  "nullable",
                                                  "discriminator",
                                                  "readOnly",
                                                  "writeOnly",
                                                  "xml",
                                                  "externalDocs",
                                                  "example",
                                                  "deprecated"};
  return kOrder;
}

// A schema as FastAPI's Schema model writes it: fields in its order, nested
// schemas likewise, and the float-typed limits as floats (`gt=0` is 0.0).
Json OrderSchema(const Json& schema) {
  if (!schema.is_object()) return schema;
  Json out = Json::object();
  auto put = [&out](const std::string& key, const Json& value) {
    if (key == "items" || key == "not" || key == "additionalProperties") {
      out[key] = value.is_array() ? value : OrderSchema(value);
      if (value.is_array()) {
        out[key] = Json::array();
        for (const Json& item : value) out[key].push_back(OrderSchema(item));
      }
    } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
      out[key] = Json::array();
      for (const Json& item : value) out[key].push_back(OrderSchema(item));
    } else if (key == "properties") {
      out[key] = Json::object();
      for (const auto& [name, property] : value.items()) out[key][name] = OrderSchema(property);
    } else if ((key == "multipleOf" || key == "maximum" || key == "exclusiveMaximum" ||
                key == "minimum" || key == "exclusiveMinimum") &&
               value.is_number()) {
      out[key] = value.get<double>();
    } else {
      out[key] = value;
    }
  };
  for (const std::string& key : SchemaFieldOrder()) {
    if (auto it = schema.find(key); it != schema.end()) put(key, *it);
  }
  for (const auto& [key, value] : schema.items()) {
    if (!out.contains(key)) put(key, value);
  }
  return out;
}

// jsonable_encoder(..., exclude_none=True): no member is null.
void DropNulls(Json* value) {
  if (value->is_object()) {
    for (auto it = value->begin(); it != value->end();) {
      if (it->is_null()) {
        it = value->erase(it);
      } else {
        DropNulls(&*it);
        ++it;
      }
    }
  } else if (value->is_array()) {
    for (Json& item : *value) DropNulls(&item);
  }
}

Json Ref(const std::string& name) { return Json{{"$ref", absl::StrCat(kRefPrefix, name)}}; }

// pydantic's get_schema_ref: a bare $ref, or allOf [$ref] beside overrides.
Json SchemaRef(const std::string& name, bool overrides) {
  return overrides ? Json{{"allOf", Json::array({Ref(name)})}} : Ref(name);
}

// gt / ge / lt / le as OpenAPI 3.0 states them: `minimum` with a boolean
// `exclusiveMinimum` (JSON Schema draft 4, which OpenAPI 3.0 follows).
// Deliberate difference: pydantic 1.10 writes draft 6's numeric
// `"exclusiveMinimum": 0.0`, which makes FastAPI 0.92's document invalid
// OpenAPI 3.0 (fastapi issues #1839 and #3541, pydantic #1164).
void AddNumberLimits(const Constraints& c, Json* schema) {
  auto value = [](const std::optional<Json>& limit) { return limit->get<double>(); };
  if (c.gt && (!c.ge || value(c.gt) >= value(c.ge))) {
    (*schema)["minimum"] = *c.gt;
    (*schema)["exclusiveMinimum"] = true;
  } else if (c.ge) {
    (*schema)["minimum"] = *c.ge;
  }
  if (c.lt && (!c.le || value(c.lt) <= value(c.le))) {
    (*schema)["maximum"] = *c.lt;
    (*schema)["exclusiveMaximum"] = true;
  } else if (c.le) {
    (*schema)["maximum"] = *c.le;
  }
}

// The leaf type pydantic calls field.type_: a list's item, else the type.
const ValueType& Leaf(const ValueType& type) {
  return (type.kind() == ParamType::kList || type.kind() == ParamType::kDict) && type.has_item()
             ? type.item()
             : type;
}

// The definitions (components.schemas) the schemas refer to, by name.
using Definitions = std::map<std::string, Json>;

Json FieldSchema(const ValueType& type, const Constraints& constraints, std::string_view alias,
                 bool required, const Json& default_value, Definitions* definitions);

// model_process_schema.
Json ModelDefinition(const routing::ModelSpec& model, Definitions* definitions) {
  Json properties = Json::object();
  Json required = Json::array();
  for (const routing::FieldSpec& field : model.fields) {
    properties[field.key()] = FieldSchema(field.type, field.constraints, field.key(),
                                          field.required, field.default_value, definitions);
    if (field.required) required.push_back(field.key());
  }
  Json out = {{"title", model.name}, {"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) out["required"] = std::move(required);
  if (model.forbid_extra) out["additionalProperties"] = false;
  return out;
}

void DefineEnum(const ValueType& type, Definitions* definitions) {
  (*definitions)[type.enum_name()] =
      Json{{"title", type.enum_name()},
           {"description", "An enumeration."},
           {"enum", type.enum_members()},
           {"type", type.enum_base() == ParamType::kInt     ? "integer"
                    : type.enum_base() == ParamType::kFloat ? "number"
                                                            : "string"}};
}

void DefineModel(const routing::ModelSpec& model, Definitions* definitions) {
  if (definitions->count(model.name) > 0) return;
  (*definitions)[model.name] = Json::object();  // placeholder: models nest
  Json definition = ModelDefinition(model, definitions);
  (*definitions)[model.name] = std::move(definition);
}

// field_singleton_schema: a scalar's type (with a constrained type's own
// keywords), or an enum's or model's reference.
Json SingletonSchema(const ValueType& type, const Constraints& constraints, bool overrides,
                     Definitions* definitions) {
  switch (type.kind()) {
    case ParamType::kEnum:
      DefineEnum(type, definitions);
      return SchemaRef(type.enum_name(), overrides);
    case ParamType::kModel:
      DefineModel(type.model(), definitions);
      return SchemaRef(type.model().name, overrides);
    case ParamType::kList:  // a list's sub-field (a list of lists): no title
    {
      if (!type.has_item()) return Json{{"type", "array"}, {"items", Json::object()}};
      // The inner list is a conlist too (get_annotation_with_constraints
      // constrains every list level): its __modify_schema__ adds its limits.
      Json out = Json::object();
      if (constraints.max_items) out["maxItems"] = *constraints.max_items;
      if (constraints.min_items) out["minItems"] = *constraints.min_items;
      out["type"] = "array";
      out["items"] = SingletonSchema(type.item(), constraints, false, definitions);
      return out;
    }
    case ParamType::kUnion: {  // field_singleton_sub_fields_schema
      Json any_of = Json::array();
      for (const ValueType& member : type.members()) {
        any_of.push_back(SingletonSchema(member, Constraints{}, false, definitions));
      }
      return Json{{"anyOf", std::move(any_of)}};
    }
    case ParamType::kStr: {
      Json out = {{"type", "string"}};
      if (constraints.min_length) out["minLength"] = *constraints.min_length;
      if (constraints.max_length) out["maxLength"] = *constraints.max_length;
      if (constraints.pattern) out["pattern"] = constraints.pattern->text();
      return out;
    }
    case ParamType::kInt:
    case ParamType::kFloat: {
      Json out = {{"type", type.kind() == ParamType::kInt ? "integer" : "number"}};
      AddNumberLimits(constraints, &out);
      return out;
    }
    case ParamType::kDict: {  // a sub-field's dict (a list of dicts)
      Json out = {{"type", "object"}};
      if (type.has_item()) {
        Json values = SingletonSchema(type.item(), constraints, false, definitions);
        if (!values.empty()) out["additionalProperties"] = std::move(values);
      }
      return out;
    }
    case ParamType::kBool:
      return Json{{"type", "boolean"}};
    case ParamType::kUuid:
      return Json{{"type", "string"}, {"format", "uuid"}};
    // pydantic's field_class_to_schema.
    case ParamType::kDate:
      return Json{{"type", "string"}, {"format", "date"}};
    case ParamType::kDatetime:
      return Json{{"type", "string"}, {"format", "date-time"}};
    case ParamType::kTime:
      return Json{{"type", "string"}, {"format", "time"}};
    case ParamType::kTimedelta:
      return Json{{"type", "number"}, {"format", "time-delta"}};
    case ParamType::kDecimal:
      return Json{{"type", "number"}};
    // bytes in field_class_to_schema; UploadFile.__modify_schema__.
    case ParamType::kBytes:
    case ParamType::kUploadFile:
      return Json{{"type", "string"}, {"format", "binary"}};
  }
  return Json::object();
}

// pydantic's field_schema: title, default and validation keywords, then the
// type's schema; a bare $ref when nothing overrides it.
Json FieldSchema(const ValueType& type, const Constraints& constraints, std::string_view alias,
                 bool required, const Json& default_value, Definitions* definitions) {
  const ValueType& leaf = Leaf(type);
  Json schema = Json::object();
  if (leaf.kind() != ParamType::kEnum) {
    std::string title = PythonTitle(alias);
    for (char& c : title) c = c == '_' ? ' ' : c;
    schema["title"] = std::move(title);
  }
  bool overrides = false;
  if (!required && !default_value.is_null()) {
    schema["default"] = default_value;
    overrides = true;
  }
  // get_field_schema_validations: by the leaf type.
  if (leaf.kind() == ParamType::kStr && constraints.has_string_constraints()) {
    if (constraints.max_length) schema["maxLength"] = *constraints.max_length;
    if (constraints.min_length) schema["minLength"] = *constraints.min_length;
    if (constraints.pattern) schema["pattern"] = constraints.pattern->text();
    overrides = true;
  }
  if ((leaf.kind() == ParamType::kInt || leaf.kind() == ParamType::kFloat) &&
      constraints.has_number_constraints()) {
    AddNumberLimits(constraints, &schema);
    overrides = true;
  }
  // ConstrainedList.__modify_schema__, on the field's own list.
  if (type.kind() == ParamType::kList && constraints.has_item_constraints()) {
    if (constraints.min_items) schema["minItems"] = *constraints.min_items;
    if (constraints.max_items) schema["maxItems"] = *constraints.max_items;
    overrides = true;
  }
  Json type_schema;
  if (type.kind() == ParamType::kDict && type.has_item()) {
    // MAPPING_LIKE_SHAPES: additionalProperties, when the values have a schema.
    type_schema = {{"type", "object"}};
    Json values = SingletonSchema(type.item(), constraints, false, definitions);
    if (!values.empty()) type_schema["additionalProperties"] = std::move(values);
  } else if (type.kind() == ParamType::kList && type.has_item()) {
    // A list's items come from its sub-field: no title, no default.
    type_schema = {{"type", "array"},
                   {"items", SingletonSchema(type.item(), constraints, false, definitions)}};
  } else {
    type_schema = SingletonSchema(type, constraints, overrides, definitions);
  }
  if (type_schema.contains("$ref")) return type_schema;
  for (const auto& [key, value] : type_schema.items()) schema[key] = value;
  return schema;
}

// The name a parameter has on the wire and in the document (FastAPI's alias).
std::string WireName(const ParamSpec& spec) { return spec.LookupName(); }

std::string PathFormat(const std::string& path) {
  auto compiled = routing::PathTemplate::Compile(path);
  if (!compiled.ok()) return path;
  std::string out;
  for (const auto& piece : compiled->pieces()) {
    out += piece.is_parameter ? absl::StrCat("{", piece.parameter.name, "}") : piece.literal;
  }
  return out;
}

Json ValidationErrorResponse() {
  return Json{{"description", "Validation Error"},
              {"content", {{"application/json", {{"schema", Ref("HTTPValidationError")}}}}}};
}

void DefineValidationErrors(Definitions* definitions) {
  (*definitions)["ValidationError"] =
      Json{{"title", "ValidationError"},
           {"type", "object"},
           {"properties",
            {{"loc",
              {{"title", "Location"},
               {"type", "array"},
               {"items", {{"anyOf", Json::array({{{"type", "string"}}, {{"type", "integer"}}})}}}}},
             {"msg", {{"title", "Message"}, {"type", "string"}}},
             {"type", {{"title", "Error Type"}, {"type", "string"}}}}},
           {"required", Json::array({"loc", "msg", "type"})}};
  (*definitions)["HTTPValidationError"] = Json{
      {"title", "HTTPValidationError"},
      {"type", "object"},
      {"properties",
       {{"detail", {{"title", "Detail"}, {"type", "array"}, {"items", Ref("ValidationError")}}}}}};
}

// FastAPI's get_body_field and get_openapi_operation_request_body.
// With dependencies, over the flat dependant's body parameters (one model
// field per distinct name).
std::optional<Json> RequestBody(const PathOperation& op, Definitions* definitions) {
  const std::vector<const ParamSpec*> flat =
      FlatParams(op.params, op.dependencies, /*skip_repeats=*/false);
  std::vector<const ParamSpec*> body;
  // BodyFieldInfo: File if any parameter is a File(), else Form if any is a
  // Form(), each with its default media type.
  std::string media_type = "application/json";
  for (const ParamSpec* spec : flat) {
    if (spec->location == ParamLocation::kFile) {
      media_type = "multipart/form-data";
    } else if (spec->location == ParamLocation::kForm && media_type == "application/json") {
      media_type = "application/x-www-form-urlencoded";
    }
  }
  for (const ParamSpec* spec : flat) {
    if (!routing::IsBodyLocation(spec->location)) continue;
    auto same = std::find_if(body.begin(), body.end(),
                             [spec](const ParamSpec* b) { return b->name == spec->name; });
    if (same != body.end()) {
      *same = spec;  // BodyModel.__fields__[f.name] = f
    } else {
      body.push_back(spec);
    }
  }
  if (body.empty()) return std::nullopt;
  Json schema;
  bool required = false;
  if (!FlatBodyEmbedded(flat)) {
    const ParamSpec& spec = *body.front();
    schema = FieldSchema(spec.type, spec.constraints, WireName(spec), spec.required,
                         spec.default_value, definitions);
    required = spec.required;
  } else {
    routing::ModelSpec model;
    model.name = absl::StrCat("Body_", OperationId(op));
    Json properties = Json::object();
    Json required_keys = Json::array();
    for (const ParamSpec* spec : body) {
      properties[WireName(*spec)] = FieldSchema(spec->type, spec->constraints, WireName(*spec),
                                                spec->required, spec->default_value, definitions);
      if (spec->required) {
        required_keys.push_back(WireName(*spec));
        required = true;
      }
    }
    Json definition = {{"title", model.name}, {"type", "object"}, {"properties", properties}};
    if (!required_keys.empty()) definition["required"] = std::move(required_keys);
    (*definitions)[model.name] = std::move(definition);
    schema = Ref(model.name);
  }
  Json out = {{"content", {{media_type, {{"schema", OrderSchema(schema)}}}}}};
  if (required) out["required"] = true;
  return out;
}

// get_openapi_path's `if route.responses:` part: each additional response
// is merged into the operation's (deep_dict_update), without its `model`,
// its description the one given, else the one already there, else the
// status's (a range's name, Python's phrase), else "Additional Response".
// Through the PathItem model (not `raw`), a Response's own fields come
// first, in its order.
void DeepUpdate(Json* target, const Json& update) {
  for (const auto& [key, value] : update.items()) {
    if (value.is_object() && target->contains(key) && (*target)[key].is_object()) {
      DeepUpdate(&(*target)[key], value);
    } else if (value.is_array() && target->contains(key) && (*target)[key].is_array()) {
      for (const Json& item : value) (*target)[key].push_back(item);
    } else {
      (*target)[key] = value;
    }
  }
}

void AddAdditionalResponses(const AdditionalResponses& additional, bool raw, Json* responses) {
  static const std::vector<std::pair<std::string, std::string>> kRanges = {
      {"1XX", "Information"},  {"2XX", "Success"},      {"3XX", "Redirection"},
      {"4XX", "Client Error"}, {"5XX", "Server Error"}, {"DEFAULT", "Default Response"}};
  for (const auto& [code, response] : additional) {
    Json process = response;
    process.erase("model");
    std::string key = absl::AsciiStrToUpper(code);
    std::string status_text;
    for (const auto& [range, name] : kRanges) {
      if (key == range) status_text = name;
    }
    if (key == "DEFAULT") key = "default";
    int numeric = 0;
    if (status_text.empty() && absl::SimpleAtoi(code, &numeric)) {
      status_text = std::string(ReasonPhrase(numeric));
    }
    Json& target = (*responses)[key];
    if (target.is_null()) target = Json::object();
    std::string description;
    if (process.contains("description") && process["description"].is_string() &&
        !process["description"].get<std::string>().empty()) {
      description = process["description"];
    } else if (target.contains("description") && target["description"].is_string() &&
               !target["description"].get<std::string>().empty()) {
      description = target["description"];
    } else {
      description = status_text.empty() ? "Additional Response" : status_text;
    }
    DeepUpdate(&target, process);
    target["description"] = description;
    if (!raw) {
      Json ordered = Json::object();
      for (const char* field : {"description", "headers", "content", "links"}) {
        if (target.contains(field)) ordered[field] = target[field];
      }
      for (const auto& [k, v] : target.items()) {
        if (!ordered.contains(k)) ordered[k] = v;
      }
      target = std::move(ordered);
    }
  }
}

bool MethodHasBody(const std::string& method) {
  for (const char* m : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}) {
    if (method == m) return true;
  }
  return false;
}

// Whether FastAPI's PathItem model has a field for `method` (lowercase):
// its operations go through the Operation and Parameter models, which
// reorder their keys; another method's operation (`purge`) is an extra
// field, kept as the raw dict FastAPI built.
// fastapi/openapi/models.py PathItem: its operations, in its field order.
constexpr std::string_view kPathItemMethods[] = {"get",     "put",  "post",  "delete",
                                                 "options", "head", "patch", "trace"};

bool IsPathItemMethod(std::string_view method) {
  return std::find(std::begin(kPathItemMethods), std::end(kPathItemMethods), method) !=
         std::end(kPathItemMethods);
}

// The operation FastAPI's get_openapi_path writes for `op`'s methods: as
// the Operation model orders it, or (`raw`, for a method PathItem does not
// know) as get_openapi_operation_parameters built it: each parameter
// `name, in, required, schema`, its schema in pydantic's own order with the
// limits as written (no Schema model turning `ge=1` into 1.0).
Json Operation(const PathOperation& op, Definitions* definitions, bool raw) {
  Json operation = Json::object();
  if (!op.tags.empty()) operation["tags"] = op.tags;
  operation["summary"] = OperationSummary(op);
  operation["operationId"] = OperationId(op);
  // get_flat_params: path, then query, then header; a later duplicate of
  // (in, name) replaces the value but keeps the place, required ones win.
  std::vector<std::pair<std::pair<std::string, std::string>, Json>> parameters;
  const std::vector<const ParamSpec*> flat =
      FlatParams(op.params, op.dependencies, /*skip_repeats=*/true);
  for (ParamLocation location : {ParamLocation::kPath, ParamLocation::kQuery,
                                 ParamLocation::kHeader, ParamLocation::kCookie}) {
    for (const ParamSpec* flat_spec : flat) {
      const ParamSpec& spec = *flat_spec;
      if (spec.location != location) continue;
      const std::string_view in = routing::LocationName(location);
      Json schema = FieldSchema(spec.type, spec.constraints, WireName(spec), spec.required,
                                spec.default_value, definitions);
      Json parameter = raw ? Json{{"name", WireName(spec)},
                                  {"in", std::string(in)},
                                  {"required", spec.required},
                                  {"schema", std::move(schema)}}
                           : Json{{"required", spec.required},
                                  {"schema", OrderSchema(schema)},
                                  {"name", WireName(spec)},
                                  {"in", std::string(in)}};
      std::pair<std::string, std::string> key(std::string(in), WireName(spec));
      bool replaced = false;
      for (auto& [k, existing] : parameters) {
        if (k == key && (spec.required || !existing["required"].get<bool>())) {
          existing = parameter;
          replaced = true;
        } else if (k == key) {
          replaced = true;
        }
      }
      if (!replaced) parameters.emplace_back(key, std::move(parameter));
    }
  }
  if (!parameters.empty()) {
    operation["parameters"] = Json::array();
    for (auto& [key, parameter] : parameters) operation["parameters"].push_back(parameter);
  }
  std::optional<Json> body = RequestBody(op, definitions);
  if (body.has_value()) operation["requestBody"] = *body;
  Json responses = Json::object();
  Json success = {{"description", "Successful Response"}};
  if (http::IsBodyAllowedForStatus(op.status_code)) {
    // The response field, named "Response_" + the operationId (APIRoute):
    // a model is its $ref, another type its schema titled after the name.
    Json schema = Json::object();
    if (op.response_model.has_value()) {
      schema = FieldSchema(op.response_model->type, Constraints{},
                           absl::StrCat("Response_", OperationId(op)), /*required=*/true, nullptr,
                           definitions);
      if (!raw) schema = OrderSchema(schema);
    }
    success["content"] = {{"application/json", {{"schema", std::move(schema)}}}};
  }
  const std::string status = std::to_string(op.status_code);
  responses[status] = std::move(success);
  AddAdditionalResponses(op.responses, raw, &responses);
  if ((!parameters.empty() || body.has_value()) && !responses.contains("422") &&
      !responses.contains("4XX") && !responses.contains("default")) {
    responses["422"] = ValidationErrorResponse();
    DefineValidationErrors(definitions);
  }
  operation["responses"] = std::move(responses);
  return operation;
}

struct OpenApiCache {
  std::once_flag once;
  http::Response response;
};

// FastAPI's `async def openapi(req)`: app.openapi() builds the document
// once and keeps it.
loop::Task<http::Response> ServeOpenApi(std::shared_ptr<OpenApiCache> cache, RequestContext& ctx) {
  std::call_once(cache->once, [&] {
    cache->response = ctx.app() != nullptr ? http::JsonResponse(BuildOpenApi(*ctx.app()))
                                           : http::JsonResponse(nullptr);
  });
  co_return cache->response;
}

}  // namespace

std::string PythonTitle(std::string_view text) {
  std::string out;
  bool previous_cased = false;
  for (size_t pos = 0; pos < text.size();) {
    char32_t c = http::NextCodePoint(text, &pos);
    const bool upper = (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7);
    const bool lower = (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7) || c == 0xB5;
    if (previous_cased) {
      if (upper) c += 0x20;  // str.lower()
      http::AppendUtf8(c, &out);
    } else if (lower) {
      if (c == 0xDF) {
        out += "Ss";  // 'ß'.title()
      } else if (c == 0xFF) {
        http::AppendUtf8(0x178, &out);  // 'ÿ'.title() is 'Ÿ'
      } else if (c == 0xB5) {
        http::AppendUtf8(0x39C, &out);  // 'µ'.title() is 'Μ'
      } else {
        http::AppendUtf8(c - 0x20, &out);
      }
    } else {
      http::AppendUtf8(c, &out);
    }
    previous_cased = upper || lower;
  }
  return out;
}

std::string OperationId(const PathOperation& op) {
  std::string id = absl::StrCat(op.endpoint, PathFormat(op.path));
  for (char& c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !absl::ascii_isalnum(u) && c != '_') c = '_';  // re.sub(r"\W", "_")
  }
  const std::string method = op.methods.empty() ? "" : op.methods.front();  // sorted
  return absl::StrCat(id, "_", absl::AsciiStrToLower(method));
}

std::string OperationSummary(const PathOperation& op) {
  std::string name = op.endpoint;
  for (char& c : name) c = c == '_' ? ' ' : c;
  return PythonTitle(name);
}

Json ParameterSchema(const ParamSpec& spec) {
  Definitions unused;
  return OrderSchema(FieldSchema(spec.type, spec.constraints, WireName(spec), spec.required,
                                 spec.default_value, &unused));
}

Json BuildOpenApi(const App& app) {
  Definitions definitions;
  // Path items in first-seen order; a later route's operation replaces an
  // earlier one for the same method (FastAPI's dict update).
  std::vector<std::pair<std::string, Json>> paths;
  for (const PathOperation& op : app.operations()) {
    if (!op.include_in_schema) continue;
    const std::string format = PathFormat(op.path);
    const Json operation = Operation(op, &definitions, /*raw=*/false);
    std::optional<Json> raw;  // for methods PathItem does not know
    auto it = std::find_if(paths.begin(), paths.end(),
                           [&format](const auto& p) { return p.first == format; });
    if (it == paths.end()) it = paths.insert(paths.end(), {format, Json::object()});
    for (const std::string& method : op.methods) {
      const std::string name = absl::AsciiStrToLower(method);
      if (!IsPathItemMethod(name) && !raw.has_value()) {
        raw = Operation(op, &definitions, /*raw=*/true);
      }
      Json& slot = it->second[name];
      slot = IsPathItemMethod(name) ? operation : *raw;
      if (!MethodHasBody(method)) slot.erase("requestBody");
    }
  }
  Json out_paths = Json::object();
  for (auto& [format, item] : paths) {
    // PathItem's operations in its order, then the others as added.
    Json ordered = Json::object();
    for (std::string_view m : kPathItemMethods) {
      const std::string method(m);
      if (item.contains(method)) ordered[method] = item[method];
    }
    for (const auto& [method, operation] : item.items()) {
      if (!ordered.contains(method)) ordered[method] = operation;
    }
    out_paths[format] = std::move(ordered);
  }
  Json doc = {{"openapi", "3.0.2"},
              {"info", {{"title", app.options().title}, {"version", app.options().version}}},
              {"paths", std::move(out_paths)}};
  if (!definitions.empty()) {
    Json schemas = Json::object();
    for (const auto& [name, schema] : definitions) schemas[name] = OrderSchema(schema);
    doc["components"] = {{"schemas", std::move(schemas)}};
  }
  DropNulls(&doc);
  return doc;
}

PathOperation OpenApiOperation(std::string url) {
  PathOperation op;
  op.methods = {"GET", "HEAD"};  // a Starlette Route with GET also answers HEAD
  op.path = std::move(url);
  op.endpoint = "openapi";
  op.include_in_schema = false;
  op.async_handler = [cache = std::make_shared<OpenApiCache>()](RequestContext& ctx) {
    return ServeOpenApi(cache, ctx);
  };
  return op;
}

}  // namespace corouter::app
