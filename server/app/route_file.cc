#include "server/app/route_file.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "server/app/api_router.h"
#include "server/app/dependency.h"
#include "server/app/json_template.h"
#include "server/app/script.h"
#include "server/http/utf8.h"
#include "server/routing/parameters.h"
#include "server/routing/path_template.h"
#include "server/routing/value_type.h"
#include "yaml-cpp/yaml.h"

namespace corouter::app {
namespace {

using http::Json;
using routing::ParamLocation;
using routing::ParamSpec;
using routing::ParamType;
using routing::ValueType;

// The one error of a load, at a YAML position; turned into an absl::Status
// at the API boundary (ParseRouteFile), never thrown out of this file.
struct LoadError {
  YAML::Mark mark;
  std::string message;
};

template <typename... Parts>
[[noreturn]] void Fail(const YAML::Node& at, const Parts&... parts) {
  throw LoadError{at.Mark(), absl::StrCat(parts...)};
}

absl::string_view View(std::string_view text) { return {text.data(), text.size()}; }

std::string Quoted(const std::string& text) { return absl::StrCat("'", text, "'"); }

// A map's entries in order, with their key nodes for error positions;
// refuses duplicate keys and keys not in `allowed`.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

std::vector<Entry> Entries(const YAML::Node& node, const char* what,
                           const std::vector<std::string>& allowed) {
  if (!node.IsMap()) Fail(node, what, " must be a map");
  std::vector<Entry> out;
  std::set<std::string> seen;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) Fail(kv.first, "a key of ", what, " must be a plain name");
    const std::string key = kv.first.Scalar();
    if (!seen.insert(key).second) Fail(kv.first, "key ", Quoted(key), " appears twice in ", what);
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      Fail(kv.first, "unknown key ", Quoted(key), " in ", what,
           " (known: ", absl::StrJoin(allowed, ", "), ")");
    }
    out.push_back(Entry{key, kv.first, kv.second});
  }
  return out;
}

const Entry* Find(const std::vector<Entry>& entries, std::string_view key) {
  for (const Entry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

bool IsPlain(const YAML::Node& node) { return node.Tag() == "?"; }

// YAML 1.2 core schema resolution of a plain scalar (see the header).
Json ResolvePlainScalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  auto all = [&text](size_t from, auto pred) {
    if (from >= text.size()) return false;
    for (size_t i = from; i < text.size(); ++i) {
      if (!pred(static_cast<unsigned char>(text[i]))) return false;
    }
    return true;
  };
  const size_t sign = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (all(sign, [](unsigned char c) { return absl::ascii_isdigit(c); })) {
    int64_t value = 0;
    if (absl::SimpleAtoi(View(text), &value)) return value;
    return std::strtod(text.c_str(), nullptr);  // beyond 64 bits: the nearest float
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o')) {
    const bool hex = text[1] == 'x';
    if (all(2, [hex](unsigned char c) {
          return hex ? absl::ascii_isxdigit(c) : (c >= '0' && c <= '7');
        })) {
      uint64_t value = 0;
      const std::string digits = text.substr(2);
      errno = 0;
      value = std::strtoull(digits.c_str(), nullptr, hex ? 16 : 8);
      if (errno == 0 && value <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return static_cast<int64_t>(value);
      }
    }
  }
  const std::string rest = text.substr(sign);
  if (rest == ".inf" || rest == ".Inf" || rest == ".INF") {
    return text[0] == '-' ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
  }
  if (sign == 0 && (text == ".nan" || text == ".NaN" || text == ".NAN")) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
  size_t i = sign;
  size_t digits = 0;
  while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      ++i, ++digits;
    }
  }
  if (digits > 0 && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    size_t exponent = 0;
    while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      ++i, ++exponent;
    }
    if (exponent == 0) return text;
  }
  // strtod, not stod: 1e999 is infinity, as Python's float("1e999"), not an error.
  if (digits > 0 && i == text.size()) return std::strtod(text.c_str(), nullptr);
  return text;
}

// Any YAML node as JSON (scalars resolved as above; map keys as text).
Json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      if (IsPlain(node)) return ResolvePlainScalar(node.Scalar());
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return node.Scalar();
      Fail(node, "unsupported tag ", node.Tag(), " (write plain YAML values)");
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      std::set<std::string> seen;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) Fail(kv.first, "a JSON object key must be a plain value");
        const std::string key = kv.first.Scalar();
        if (!seen.insert(key).second) Fail(kv.first, "key ", Quoted(key), " appears twice");
        out[key] = ToJson(kv.second);
      }
      return out;
    }
  }
  return nullptr;
}

// A scalar that must be text (names, paths, types).
std::string Text(const YAML::Node& node, const char* what) {
  if (!node.IsScalar()) Fail(node, what, " must be a single value, not a list or map");
  const Json value = ToJson(node);
  if (!value.is_string()) {
    Fail(node, what, " must be text, not ", value.dump(), " (quote it)");
  }
  return value.get<std::string>();
}

bool Bool(const YAML::Node& node, const char* what) {
  const Json value = node.IsScalar() ? ToJson(node) : Json();
  if (!value.is_boolean()) Fail(node, what, " must be true or false");
  return value.get<bool>();
}

double Number(const YAML::Node& node, const char* what) {
  const Json value = node.IsScalar() ? ToJson(node) : Json();
  if (!value.is_number()) Fail(node, what, " must be a number");
  return value.get<double>();
}

int64_t Integer(const YAML::Node& node, const char* what) {
  const Json value = node.IsScalar() ? ToJson(node) : Json();
  if (!value.is_number_integer()) Fail(node, what, " must be an integer");
  return value.get<int64_t>();
}

// A Python identifier that is not a keyword: what a parameter, a model field
// and a placeholder are named in the equivalent Python.
bool IsPythonName(const std::string& name) {
  static const std::set<std::string> kKeywords = {
      "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
      "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
      "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
      "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
  bool ok = !name.empty() && !absl::ascii_isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_');
  return ok && kKeywords.count(name) == 0;
}

class Loader {
 public:
  explicit Loader(const RouteFileOptions& options) : options_(options) {}

  App Load(const YAML::Node& root) {
    if (root.IsNull()) Fail(root, "the file is empty; it needs at least `routes:`");
    const auto entries = Entries(root, "the route file",
                                 {"title", "version", "openapi_url", "enums", "models",
                                  "dependencies", "app_dependencies", "routers", "routes"});
    AppOptions app_options;
    if (const Entry* e = Find(entries, "title")) app_options.title = Text(e->value, "title");
    if (const Entry* e = Find(entries, "version")) app_options.version = Text(e->value, "version");
    if (const Entry* e = Find(entries, "openapi_url")) {
      if (e->value.IsNull()) {
        app_options.openapi_url.clear();
      } else {
        app_options.openapi_url = Text(e->value, "openapi_url");
        if (app_options.openapi_url.empty() || app_options.openapi_url[0] != '/') {
          Fail(e->value, "openapi_url must start with '/' (or be null for none)");
        }
      }
    }
    if (const Entry* e = Find(entries, "enums")) LoadEnums(e->value);
    if (const Entry* e = Find(entries, "models")) LoadModels(e->value);
    if (const Entry* e = Find(entries, "dependencies")) LoadDependencies(e->value);
    if (const Entry* e = Find(entries, "app_dependencies")) {
      app_dependencies_ = LoadUses(e->value, /*named=*/false, "app_dependencies");
    }
    if (const Entry* e = Find(entries, "routers")) LoadRouters(e->value);
    const Entry* routes = Find(entries, "routes");
    if (routes == nullptr) Fail(root, "the route file has no `routes:`");
    if (!routes->value.IsSequence()) Fail(routes->value, "routes must be a list of routes");
    App app(std::move(app_options));
    for (const auto& route : routes->value) {
      if (IsInclude(route)) {
        RouterOptions include;
        const ApiRouter& router = LoadInclude(route, &include);
        absl::StatusOr<std::vector<PathOperation>> ops = IncludedOperations(router, include);
        if (!ops.ok()) Fail(route, ops.status().message());
        for (PathOperation& op : *ops) AddToApp(std::move(op), route, &app);
      } else {
        AddToApp(LoadOperation(route, "", /*in_router=*/false), route, &app);
      }
    }
    return app;
  }

 private:
  // ---- types ------------------------------------------------------------
  void LoadEnums(const YAML::Node& node) {
    for (const Entry& e : Entries(node, "enums", {})) {
      CheckTypeName(e.key_node, e.key);
      if (e.value.IsMap()) {  // {type: int, values: [1, 2]}: IntEnum, or (float, Enum)
        types_.emplace(e.key, LoadNumberEnum(e));
        continue;
      }
      if (!e.value.IsSequence() || e.value.size() == 0) {
        Fail(e.value, "enum ", e.key, " must be a non-empty list of values");
      }
      std::vector<std::string> values;
      for (const auto& v : e.value) {
        const std::string value = Text(v, "an enum value");
        if (std::find(values.begin(), values.end(), value) != values.end()) {
          Fail(v, "enum ", e.key, " lists ", Quoted(value), " twice");
        }
        values.push_back(value);
      }
      types_.emplace(e.key, ValueType::Enum(e.key, std::move(values)));
    }
  }

  ValueType LoadNumberEnum(const Entry& e) {
    const auto entries = Entries(e.value, "an enum", {"type", "values"});
    const Entry* type = Find(entries, "type");
    const Entry* values = Find(entries, "values");
    if (type == nullptr || values == nullptr) {
      Fail(e.value, "enum ", e.key, " needs its `type` (str, int or float) and `values`");
    }
    const std::string base = Text(type->value, "type");
    if (base != "str" && base != "int" && base != "float") {
      Fail(type->value, "an enum's type is str, int or float, not ", Quoted(base));
    }
    if (!values->value.IsSequence() || values->value.size() == 0) {
      Fail(values->value, "enum ", e.key, " must have a non-empty list of values");
    }
    std::vector<Json> members;
    std::vector<std::string> texts;
    for (const auto& v : values->value) {
      Json value = base == "str" ? Json(Text(v, "an enum value")) : ToJson(v);
      const bool fits =
          base == "str" || (base == "int" ? value.is_number_integer() : value.is_number());
      if (!fits)
        Fail(v, "enum ", e.key, " value ", value.dump(), " is not ",
             base == "int" ? "an int" : "a float");
      if (base == "float") value = value.get<double>();
      for (const Json& m : members) {
        if (m == value) Fail(v, "enum ", e.key, " lists ", value.dump(), " twice");
      }
      if (base == "str") texts.push_back(value.get<std::string>());
      members.push_back(std::move(value));
    }
    if (base == "str") return ValueType::Enum(e.key, std::move(texts));
    return ValueType::NumberEnum(e.key, base == "int" ? ParamType::kInt : ParamType::kFloat,
                                 std::move(members));
  }

  void LoadModels(const YAML::Node& node) {
    for (const Entry& e : Entries(node, "models", {})) {
      CheckTypeName(e.key_node, e.key);
      auto model = std::make_shared<routing::ModelSpec>();
      model->name = e.key;
      for (const Entry& f : Entries(e.value, "a model", {})) {
        if (f.key == "Config") {  // class Config: extra = "forbid"
          const auto config = Entries(f.value, "a model's Config", {"extra"});
          if (const Entry* extra = Find(config, "extra")) {
            const std::string text = Text(extra->value, "extra");
            if (text != "forbid" && text != "ignore") {
              Fail(extra->value, "extra must be forbid or ignore, not ", Quoted(text));
            }
            model->forbid_extra = text == "forbid";
          }
          continue;
        }
        model->fields.push_back(LoadField(f, e.key));
      }
      types_.emplace(e.key, ValueType::Model(std::move(model)));
    }
  }

  void CheckTypeName(const YAML::Node& at, const std::string& name) {
    static const std::set<std::string> kBuiltins = {
        "str", "int", "float", "bool", "uuid", "UUID", "list", "List", "dict", "Dict", "Optional"};
    if (kBuiltins.count(name) > 0) Fail(at, Quoted(name), " is a built-in type name");
    if (types_.count(name) > 0) Fail(at, "type ", Quoted(name), " is defined twice");
    bool ok = !name.empty() && !absl::ascii_isdigit(static_cast<unsigned char>(name[0]));
    for (char c : name) ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) Fail(at, Quoted(name), " is not a type name (letters, digits and _)");
  }

  routing::FieldSpec LoadField(const Entry& f, const std::string& model) {
    routing::FieldSpec field;
    field.name = f.key;
    const std::string what = absl::StrCat("field ", model, ".", f.key);
    if (!IsPythonName(f.key)) {
      Fail(f.key_node, what, ": a field name is a Python name (give other keys as `alias`)");
    }
    if (f.value.IsScalar() || f.value.IsNull()) {  // `name: str`
      field.type = ParseType(f.value, Text(f.value, "a field's type"));
      return field;
    }
    const auto entries =
        Entries(f.value, "a model field",
                {"type", "required", "default", "alias", "min_length", "max_length", "regex", "gt",
                 "ge", "lt", "le", "min_items", "max_items"});
    if (const Entry* e = Find(entries, "type"))
      field.type = ParseType(e->value, Text(e->value, "type"));
    Optionality(entries, what, field.type, &field.required, &field.default_value);
    if (const Entry* e = Find(entries, "alias")) field.alias = Text(e->value, "alias");
    field.constraints = LoadConstraints(entries);
    // pydantic makes a field whose default is None Optional: null validates.
    if (!field.required && field.default_value.is_null()) field.type = field.type.AsNullable();
    if (absl::Status status = routing::CheckValueType(field.type, field.constraints, what);
        !status.ok()) {
      Fail(f.key_node, status.message());
    }
    return field;
  }

  // `required` and `default`: a default makes it optional; `required: false`
  // alone means a null default.
  void Optionality(const std::vector<Entry>& entries, const std::string& what,
                   const ValueType& type, bool* required, Json* default_value) {
    const Entry* req = Find(entries, "required");
    const Entry* def = Find(entries, "default");
    *required = def == nullptr;
    if (req != nullptr) {
      const bool value = Bool(req->value, "required");
      if (value && def != nullptr) {
        Fail(req->value, what, " is required and has a default: drop one of them");
      }
      *required = value;
    }
    if (def != nullptr) {
      *default_value = ToJson(def->value);
      if (!routing::DefaultFitsType(type, *default_value)) {
        Fail(def->value, "the default ", default_value->dump(), " of ", what,
             " does not fit its type ", type.Name());
      }
    }
  }

  routing::Constraints LoadConstraints(const std::vector<Entry>& entries) {
    routing::Constraints c;
    if (const Entry* e = Find(entries, "min_length"))
      c.min_length = Integer(e->value, "min_length");
    if (const Entry* e = Find(entries, "max_length"))
      c.max_length = Integer(e->value, "max_length");
    if (const Entry* e = Find(entries, "regex")) {
      c.pattern.emplace(Text(e->value, "regex"));
      if (absl::Status status = c.pattern->status(); !status.ok()) {
        Fail(e->value, "regex: ", status.message());
      }
    }
    auto limit = [&entries](const char* key, std::optional<Json>* out) {
      if (const Entry* e = Find(entries, key)) {
        Json value = e->value.IsScalar() ? ToJson(e->value) : Json();
        if (!value.is_number()) Fail(e->value, key, " must be a number");
        *out = std::move(value);
      }
    };
    if (const Entry* e = Find(entries, "min_items")) c.min_items = Integer(e->value, "min_items");
    if (const Entry* e = Find(entries, "max_items")) c.max_items = Integer(e->value, "max_items");
    limit("gt", &c.gt);
    limit("ge", &c.ge);
    limit("lt", &c.lt);
    limit("le", &c.le);
    return c;
  }

  // "int", "list[str]", "Optional[Item]", "Color".
  ValueType ParseType(const YAML::Node& at, std::string_view text) {
    const absl::string_view stripped = absl::StripAsciiWhitespace(View(text));
    text = std::string_view(stripped.data(), stripped.size());
    auto wrapped = [&text](std::string_view prefix, std::string_view* inner) {
      if (text.size() > prefix.size() + 1 && text.substr(0, prefix.size()) == prefix &&
          text[prefix.size()] == '[' && text.back() == ']') {
        *inner = text.substr(prefix.size() + 1, text.size() - prefix.size() - 2);
        return true;
      }
      return false;
    };
    std::string_view inner;
    if (wrapped("Optional", &inner)) return ParseType(at, inner).AsNullable();
    if (wrapped("Union", &inner)) {
      // typing.Union flattens: None makes it Optional, one member is that
      // member.
      std::vector<ValueType> members;
      bool nullable = false;
      int depth = 0;
      size_t start = 0;
      for (size_t i = 0; i <= inner.size(); ++i) {
        if (i < inner.size() && inner[i] == '[') ++depth;
        if (i < inner.size() && inner[i] == ']') --depth;
        if (i < inner.size() && (inner[i] != ',' || depth > 0)) continue;
        const absl::string_view member =
            absl::StripAsciiWhitespace(View(inner.substr(start, i - start)));
        start = i + 1;
        if (member == "None") {
          nullable = true;
          continue;
        }
        ValueType type = ParseType(at, std::string_view(member.data(), member.size()));
        nullable = nullable || type.nullable();
        if (type.kind() == ParamType::kUnion) {  // Union[Union[a, b], c]
          members.insert(members.end(), type.members().begin(), type.members().end());
        } else {
          members.push_back(std::move(type));
        }
      }
      if (members.empty()) Fail(at, "a Union needs a member other than None");
      ValueType type = members.size() == 1 ? members.front() : ValueType::Union(std::move(members));
      return nullable ? type.AsNullable() : type;
    }
    if (wrapped("dict", &inner) || wrapped("Dict", &inner)) {  // dict[str, T]
      const size_t comma = inner.find(',');
      const absl::string_view key =
          absl::StripAsciiWhitespace(View(inner.substr(0, std::min(comma, inner.size()))));
      if (comma == std::string_view::npos || key != "str") {
        Fail(at, "a dict type is dict[str, T] (JSON object keys are str), not ",
             Quoted(std::string(text)));
      }
      return ValueType::Dict(ParseType(at, inner.substr(comma + 1)));
    }
    if (wrapped("list", &inner) || wrapped("List", &inner)) {
      ValueType item = ParseType(at, inner);
      return ValueType::List(std::move(item));
    }
    static const std::map<std::string, ParamType, std::less<>> kScalars = {
        {"str", ParamType::kStr},
        {"int", ParamType::kInt},
        {"float", ParamType::kFloat},
        {"bool", ParamType::kBool},
        {"uuid", ParamType::kUuid},
        {"UUID", ParamType::kUuid},
        {"date", ParamType::kDate},
        {"datetime", ParamType::kDatetime},
        {"time", ParamType::kTime},
        {"timedelta", ParamType::kTimedelta},
        {"Decimal", ParamType::kDecimal},
        {"bytes", ParamType::kBytes},
        {"UploadFile", ParamType::kUploadFile}};
    if (auto it = kScalars.find(text); it != kScalars.end()) return it->second;
    if (auto it = types_.find(std::string(text)); it != types_.end()) return it->second;
    std::vector<std::string> known = {"str",     "int",      "float", "bool",
                                      "uuid",    "date",     "time",  "timedelta",
                                      "Decimal", "datetime", "bytes", "UploadFile"};
    for (const auto& [name, type] : types_) known.push_back(name);
    Fail(at, "unknown type ", Quoted(std::string(text)), " (known: ", absl::StrJoin(known, ", "),
         ", list[T], Optional[T]; an enum or model must be defined above its first use)");
  }

  // ---- routes -----------------------------------------------------------
  // ---- dependencies -----------------------------------------------------
  // `dependencies: {name: {kind, params, depends, steps, returns, teardown}}`:
  // functions used with Depends, each defined above its first use. Their
  // parameters' places are settled per route (ResolveForPath), as FastAPI's
  // get_dependant settles them for each route's path.
  void LoadDependencies(const YAML::Node& node) {
    for (const Entry& e : Entries(node, "dependencies", {})) {
      if (!IsPythonName(e.key)) Fail(e.key_node, Quoted(e.key), " is not a Python name");
      if (dependencies_.count(e.key) > 0) {
        Fail(e.key_node, "dependency ", Quoted(e.key), " is defined twice");
      }
      const auto entries = Entries(e.value, "a dependency",
                                   {"kind", "params", "depends", "steps", "returns", "teardown"});
      auto dependency = std::make_shared<Dependency>();
      dependency->name = e.key;
      const bool is_async = IsAsync(entries);
      std::vector<std::string> names;
      if (const Entry* params = Find(entries, "params")) {
        dependency->params = LoadParams(params->value, nullptr, &names);
      }
      if (const Entry* depends = Find(entries, "depends")) {
        dependency->dependencies = LoadUses(depends->value, /*named=*/true, "depends");
        AddUseNames(depends->value, dependency->dependencies, &names);
      }
      auto script = std::make_shared<DependencyScript>();
      const Place place{is_async ? Place::kAsync : Place::kSync, &names, &dependency->params};
      if (const Entry* steps = Find(entries, "steps")) {
        script->steps = LoadSteps(steps->value, place, "a dependency's steps");
      }
      if (const Entry* value = Find(entries, "returns")) {
        script->value = Template(value->value, names);
      }
      if (const Entry* teardown = Find(entries, "teardown")) {
        script->teardown = LoadSteps(teardown->value, place, "a teardown");
      }
      SetDependencyScript(std::move(script), is_async, dependency.get());
      dependencies_.emplace(e.key, std::move(dependency));
    }
  }

  // A list of Depends: `name` (a dependency defined above), or
  // `{dependency: name, name: param, use_cache: false}`; `named` uses are
  // parameters (named after the dependency unless `name` says otherwise).
  std::vector<Depends> LoadUses(const YAML::Node& node, bool named, const char* what) {
    if (!node.IsSequence()) Fail(node, what, " must be a list of dependencies");
    std::vector<Depends> uses;
    for (const auto& item : node) {
      Depends use;
      std::string dependency;
      if (item.IsScalar()) {
        dependency = Text(item, "a dependency");
      } else {
        const auto entries =
            Entries(item, "a dependency use",
                    named ? std::vector<std::string>{"dependency", "name", "use_cache"}
                          : std::vector<std::string>{"dependency", "use_cache"});
        const Entry* e = Find(entries, "dependency");
        if (e == nullptr) Fail(item, "a dependency use needs its `dependency`");
        dependency = Text(e->value, "dependency");
        if (const Entry* n = Find(entries, "name")) {
          use.name = Text(n->value, "name");
          if (!IsPythonName(use.name)) Fail(n->value, Quoted(use.name), " is not a Python name");
        }
        if (const Entry* c = Find(entries, "use_cache"))
          use.use_cache = Bool(c->value, "use_cache");
      }
      auto it = dependencies_.find(dependency);
      if (it == dependencies_.end()) {
        Fail(item, "unknown dependency ", Quoted(dependency),
             " (a dependency must be defined under `dependencies:` above its first use)");
      }
      use.dependency = it->second;
      if (named && use.name.empty()) use.name = dependency;
      uses.push_back(std::move(use));
    }
    return uses;
  }

  // The named uses' parameter names join the dependant's `names`.
  void AddUseNames(const YAML::Node& node, const std::vector<Depends>& uses,
                   std::vector<std::string>* names) {
    for (size_t i = 0; i < uses.size(); ++i) {
      if (std::find(names->begin(), names->end(), uses[i].name) != names->end()) {
        Fail(node[i], "parameter ", Quoted(uses[i].name), " is declared twice");
      }
      names->push_back(uses[i].name);
    }
  }

  // ---- routers ----------------------------------------------------------
  // `routers: {name: {prefix, tags, dependencies, responses, routes}}`:
  // APIRouter(...), each defined above its first include; its `routes` may
  // include routers defined above it (`- include: other`).
  void LoadRouters(const YAML::Node& node) {
    for (const Entry& e : Entries(node, "routers", {})) {
      if (routers_.count(e.key) > 0)
        Fail(e.key_node, "router ", Quoted(e.key), " is defined twice");
      const auto entries =
          Entries(e.value, "a router", {"prefix", "tags", "dependencies", "responses", "routes"});
      RouterOptions options = LoadRouterOptions(entries);
      const std::string prefix = options.prefix;
      auto router = std::make_unique<ApiRouter>(std::move(options));
      if (!router->status().ok()) Fail(e.value, "router ", e.key, ": ", router->status().message());
      const Entry* routes = Find(entries, "routes");
      if (routes == nullptr || !routes->value.IsSequence()) {
        Fail(e.value, "router ", e.key, " needs its `routes`, a list");
      }
      for (const auto& route : routes->value) {
        if (IsInclude(route)) {
          RouterOptions include;
          const ApiRouter& inner = LoadInclude(route, &include);
          router->IncludeRouter(inner, include);
          if (!router->status().ok()) Fail(route, router->status().message());
        } else {
          router->Add(LoadOperation(route, prefix, /*in_router=*/true));
        }
      }
      routers_.emplace(e.key, std::move(router));
    }
  }

  RouterOptions LoadRouterOptions(const std::vector<Entry>& entries) {
    RouterOptions options;
    if (const Entry* e = Find(entries, "prefix")) options.prefix = Text(e->value, "prefix");
    if (const Entry* e = Find(entries, "tags")) options.tags = Tags(e->value);
    if (const Entry* e = Find(entries, "dependencies")) {
      options.dependencies = LoadUses(e->value, /*named=*/false, "dependencies");
    }
    if (const Entry* e = Find(entries, "responses")) options.responses = Responses(e->value);
    return options;
  }

  static bool IsInclude(const YAML::Node& node) { return node.IsMap() && node["include"]; }

  // `- include: router` with include_router's `prefix`, `tags`,
  // `dependencies` and `responses`.
  const ApiRouter& LoadInclude(const YAML::Node& node, RouterOptions* include) {
    const auto entries =
        Entries(node, "an include", {"include", "prefix", "tags", "dependencies", "responses"});
    const Entry* name = Find(entries, "include");
    const std::string router = Text(name->value, "include");
    auto it = routers_.find(router);
    if (it == routers_.end()) {
      Fail(name->value, "unknown router ", Quoted(router),
           " (a router must be defined under `routers:` above its first include)");
    }
    *include = LoadRouterOptions(entries);
    return *it->second;
  }

  std::vector<std::string> Tags(const YAML::Node& node) {
    if (!node.IsSequence()) Fail(node, "tags must be a list of names");
    std::vector<std::string> tags;
    for (const auto& tag : node) tags.push_back(Text(tag, "a tag"));
    return tags;
  }

  // `responses: {404: {description: Not found}, 4XX: {}, default: {}}`.
  AdditionalResponses Responses(const YAML::Node& node) {
    AdditionalResponses out;
    for (const Entry& e : Entries(node, "responses", {})) {
      const std::string upper = absl::AsciiStrToUpper(e.key);
      int code = 0;
      const bool range =
          upper.size() == 3 && upper[0] >= '1' && upper[0] <= '5' && upper.substr(1) == "XX";
      if (!range && upper != "DEFAULT" &&
          !(absl::SimpleAtoi(e.key, &code) && code >= 100 && code <= 599)) {
        Fail(e.key_node, "a response is keyed by a status (404), a range (4XX) or default, not ",
             Quoted(e.key));
      }
      Json response = Json::object();
      if (!e.value.IsNull()) {
        const auto entries = Entries(e.value, "a response", {"description"});
        if (const Entry* d = Find(entries, "description")) {
          response["description"] = Text(d->value, "description");
        }
      }
      out.emplace_back(e.key, std::move(response));
    }
    return out;
  }

  // ---- adding to the app --------------------------------------------------
  // app.add_api_route: the app's dependencies first, then every parameter's
  // place settled for the route's full path, then App::Add.
  void AddToApp(PathOperation op, const YAML::Node& node, App* app) {
    op.dependencies.insert(op.dependencies.begin(), app_dependencies_.begin(),
                           app_dependencies_.end());
    absl::StatusOr<routing::PathTemplate> path_template = routing::PathTemplate::Compile(op.path);
    if (!path_template.ok()) Fail(node, path_template.status().message());
    ResolveForPath(*path_template, &op);
    app->Add(std::move(op));
    if (!app->status().ok()) Fail(node, app->status().message());
  }

  // get_dependant, run for the route's full path: a parameter the path
  // names is a path parameter, whatever else it was declared as, the
  // endpoint's and every dependency's. Unless it was declared `in: path`,
  // get_param_field then ignores its declaration (`ignore_default`): a fresh
  // Path() with its type alone, required, without its constraints or alias.
  // Each dependency gets its own instance for the route, one per
  // definition, so that the request's cache still finds it by identity.
  static void ResolveParams(const routing::PathTemplate& path_template,
                            std::vector<ParamSpec>* params) {
    for (ParamSpec& spec : *params) {
      if (spec.location != ParamLocation::kPath && path_template.ConverterOf(spec.name)) {
        spec.location = ParamLocation::kPath;
        spec.required = true;
        spec.default_value = nullptr;
        spec.constraints = routing::Constraints{};
        spec.alias.clear();
        spec.embed = false;
      }
    }
  }

  static void ResolveForPath(const routing::PathTemplate& path_template, PathOperation* op) {
    ResolveParams(path_template, &op->params);
    std::map<const Dependency*, std::shared_ptr<const Dependency>> resolved;
    ResolveUses(path_template, &resolved, &op->dependencies);
  }

  static void ResolveUses(const routing::PathTemplate& path_template,
                          std::map<const Dependency*, std::shared_ptr<const Dependency>>* resolved,
                          std::vector<Depends>* uses) {
    for (Depends& use : *uses) {
      auto it = resolved->find(use.dependency.get());
      if (it == resolved->end()) {
        auto instance = std::make_shared<Dependency>(*use.dependency);
        ResolveParams(path_template, &instance->params);
        ResolveUses(path_template, resolved, &instance->dependencies);
        it = resolved->emplace(use.dependency.get(), std::move(instance)).first;
      }
      use.dependency = it->second;
    }
  }

  bool IsAsync(const std::vector<Entry>& entries) {
    const Entry* kind = Find(entries, "kind");
    if (kind == nullptr) return true;
    const std::string text = Text(kind->value, "kind");
    if (text != "async" && text != "sync") {
      Fail(kind->value, "kind must be async (async def) or sync (def), not ", Quoted(text));
    }
    return text == "async";
  }

  // `params:` in signature order; with `path_template` (a route's), a
  // parameter its template names defaults to the path, and one declared
  // elsewhere is refused.
  std::vector<ParamSpec> LoadParams(const YAML::Node& node,
                                    const routing::PathTemplate* path_template,
                                    std::vector<std::string>* names) {
    if (!node.IsSequence()) Fail(node, "params must be a list");
    std::vector<ParamSpec> params;
    for (const auto& p : node) {
      ParamSpec spec = LoadParam(p, path_template);
      if (std::find(names->begin(), names->end(), spec.name) != names->end()) {
        Fail(p, "parameter ", Quoted(spec.name), " is declared twice");
      }
      names->push_back(spec.name);
      params.push_back(std::move(spec));
    }
    return params;
  }

  // ---- routes -----------------------------------------------------------
  // A path operation; `prefix` is its router's (APIRouter.add_api_route
  // declares the route at prefix + path).
  PathOperation LoadOperation(const YAML::Node& node, const std::string& prefix, bool in_router) {
    const auto entries = Entries(
        node, "a route",
        {"name", "path", "method", "methods", "kind", "timeout", "params", "depends",
         "dependencies", "tags", "responses", "response_model", "response_model_exclude_unset",
         "response_model_exclude_none", "steps", "sequence", "background", "fail_rate", "fault"});
    const Entry* name = Find(entries, "name");
    const Entry* path = Find(entries, "path");
    if (path == nullptr) Fail(node, "a route needs a `path`");
    if (name == nullptr) Fail(node, "the route ", Text(path->value, "path"), " needs a `name`");
    PathOperation op;
    op.endpoint = Text(name->value, "name");
    op.path = Text(path->value, "path");
    // A router's route may have an empty path (`@router.get("")`): only an
    // include with neither prefix refuses it (IncludedOperations).
    std::optional<routing::PathTemplate> path_template;
    if (!(prefix + op.path).empty()) {
      absl::StatusOr<routing::PathTemplate> compiled =
          routing::PathTemplate::Compile(prefix + op.path);
      if (!compiled.ok()) Fail(path->value, compiled.status().message());
      path_template = *std::move(compiled);
    }
    if (!path_template.has_value() && !in_router) {
      Fail(path->value, "path template \"\" must start with '/'");
    }

    const Entry* method = Find(entries, "method");
    const Entry* methods = Find(entries, "methods");
    if (method != nullptr && methods != nullptr) {
      Fail(methods->key_node, "give `method` or `methods`, not both");
    }
    if (method != nullptr) {
      op.methods.push_back(Method(method->value));
    } else if (methods != nullptr) {
      if (!methods->value.IsSequence() || methods->value.size() == 0) {
        Fail(methods->value, "methods must be a non-empty list such as [GET, POST]");
      }
      for (const auto& m : methods->value) op.methods.push_back(Method(m));
    } else {
      op.methods.push_back("GET");  // @app.api_route's default
    }

    const bool is_async = IsAsync(entries);
    if (const Entry* timeout = Find(entries, "timeout")) op.timeout = Duration(timeout->value);

    std::vector<std::string> names;
    if (const Entry* params = Find(entries, "params")) {
      op.params = LoadParams(params->value, path_template ? &*path_template : nullptr, &names);
    }
    // `dependencies=[Depends(...)]` first, then the signature's Depends.
    if (const Entry* e = Find(entries, "dependencies")) {
      op.dependencies = LoadUses(e->value, /*named=*/false, "dependencies");
    }
    if (const Entry* e = Find(entries, "depends")) {
      std::vector<Depends> uses = LoadUses(e->value, /*named=*/true, "depends");
      AddUseNames(e->value, uses, &names);
      op.dependencies.insert(op.dependencies.end(), uses.begin(), uses.end());
    }
    if (const Entry* e = Find(entries, "tags")) op.tags = Tags(e->value);
    if (const Entry* e = Find(entries, "responses")) op.responses = Responses(e->value);
    if (const Entry* e = Find(entries, "response_model")) {
      ResponseModel model;
      model.type = ParseType(e->value, Text(e->value, "response_model"));
      if (const Entry* u = Find(entries, "response_model_exclude_unset")) {
        model.exclude_unset = Bool(u->value, "response_model_exclude_unset");
      }
      if (const Entry* n = Find(entries, "response_model_exclude_none")) {
        model.exclude_none = Bool(n->value, "response_model_exclude_none");
      }
      op.response_model = std::move(model);
    } else {
      for (const char* key : {"response_model_exclude_unset", "response_model_exclude_none"}) {
        if (const Entry* e = Find(entries, key)) Fail(e->key_node, key, " needs a response_model");
      }
    }

    auto script = std::make_shared<Script>();
    const Place place{is_async ? Place::kAsync : Place::kSync, &names, &op.params};
    const Entry* steps = Find(entries, "steps");
    const Entry* sequence = Find(entries, "sequence");
    if (steps != nullptr && sequence != nullptr) {
      Fail(sequence->key_node, "give `steps` or `sequence`, not both");
    }
    if (steps != nullptr) LoadBody(steps->value, place, names, script.get());
    if (sequence != nullptr) {
      if (!sequence->value.IsSequence() || sequence->value.size() == 0) {
        Fail(sequence->value,
             "sequence is a list of step lists, one per request, the last one repeating");
      }
      for (const auto& body : sequence->value) {
        auto next = std::make_shared<Script>();
        LoadBody(body, place, names, next.get());
        script->sequence.push_back(std::move(next));
      }
      // The OpenAPI document's status code: the first response's.
      script->respond = script->sequence.front()->respond;
    }
    if (const Entry* background = Find(entries, "background")) {
      script->background = LoadBackground(background->value, names, op.params);
    }
    const Entry* fail_rate = Find(entries, "fail_rate");
    const Entry* fault = Find(entries, "fault");
    if ((fail_rate == nullptr) != (fault == nullptr)) {
      Fail(fail_rate != nullptr ? fail_rate->key_node : fault->key_node,
           "fail_rate and fault go together: `fail_rate: 0.1` and `fault: {abort: UNAVAILABLE}`");
    }
    if (fail_rate != nullptr) {
      FailRate rate;
      rate.rate = Number(fail_rate->value, "fail_rate");
      if (!(rate.rate > 0 && rate.rate <= 1)) {
        Fail(fail_rate->value, "fail_rate is a fraction of requests, more than 0 and at most 1");
      }
      std::optional<Entry> await_entry;
      const Entry body = StepEntry(fault->value, &await_entry);
      if (body.key != "abort" && body.key != "reset" && body.key != "hang" && body.key != "raise" &&
          body.key != "fail") {
        Fail(body.key_node, "a route's fault is abort, reset, hang, raise or fail, not ", body.key);
      }
      rate.fault.push_back(LoadStep(body, place, await_entry));
      rate.seed = options_.seed;
      rate.stream = next_stream_++;
      script->fail_rate = std::move(rate);
    }
    if (script->respond.has_value()) op.status_code = script->respond->status;
    if (is_async) {
      op.async_handler = MakeAsyncHandler(std::move(script));
    } else {
      op.sync_handler = MakeSyncHandler(std::move(script));
    }
    return op;
  }

  // APIRoute upper-cases its methods (fastapi/routing.py).
  std::string Method(const YAML::Node& node) {
    const std::string method = absl::AsciiStrToUpper(Text(node, "a method"));
    bool token = !method.empty();
    for (char c : method)
      token = token && (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                        std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos);
    if (!token) Fail(node, "method ", Quoted(method), " is not an HTTP method such as GET");
    return method;
  }

  ParamSpec LoadParam(const YAML::Node& node, const routing::PathTemplate* path_template) {
    const auto entries = Entries(
        node, "a parameter",
        {"name", "in", "type", "required", "default", "alias", "convert_underscores", "embed",
         "min_length", "max_length", "regex", "gt", "ge", "lt", "le", "min_items", "max_items"});
    const Entry* name = Find(entries, "name");
    if (name == nullptr) Fail(node, "a parameter needs a `name`");
    ParamSpec spec;
    spec.name = Text(name->value, "name");
    if (!IsPythonName(spec.name)) {
      Fail(name->value, "parameter ", Quoted(spec.name),
           " is not a Python name (give the name read from the request as `alias`)");
    }
    if (const Entry* e = Find(entries, "type"))
      spec.type = ParseType(e->value, Text(e->value, "type"));
    const bool in_path =
        path_template != nullptr && path_template->ConverterOf(spec.name).has_value();
    // get_dependant: a parameter that is neither a scalar nor a list of
    // scalars is read from the body (a model, a list of models or lists).
    const bool is_model = spec.type.kind() == ParamType::kModel ||
                          spec.type.kind() == ParamType::kDict ||
                          (spec.type.kind() == ParamType::kList && !spec.type.item().is_scalar()) ||
                          (spec.type.kind() == ParamType::kUnion && !spec.type.is_scalar());
    spec.location =
        in_path ? ParamLocation::kPath : (is_model ? ParamLocation::kBody : ParamLocation::kQuery);
    if (const Entry* e = Find(entries, "in")) {
      static const std::map<std::string, ParamLocation> kLocations = {
          {"path", ParamLocation::kPath},     {"query", ParamLocation::kQuery},
          {"header", ParamLocation::kHeader}, {"cookie", ParamLocation::kCookie},
          {"body", ParamLocation::kBody},     {"form", ParamLocation::kForm},
          {"file", ParamLocation::kFile}};
      const std::string text = Text(e->value, "in");
      auto it = kLocations.find(text);
      if (it == kLocations.end()) {
        Fail(e->value, "in must be path, query, header, cookie, body, form or file, not ",
             Quoted(text));
      }
      spec.location = it->second;
      // get_dependant (fastapi/dependencies/utils.py) makes any parameter
      // the path names a path parameter, whatever its default says.
      if (in_path && spec.location != ParamLocation::kPath) {
        Fail(e->value, "parameter ", Quoted(spec.name),
             " is named in the path template, so it is a path parameter");
      }
    }
    const std::string what = absl::StrCat("parameter ", Quoted(spec.name));
    Optionality(entries, what, spec.type, &spec.required, &spec.default_value);
    if (const Entry* e = Find(entries, "alias")) spec.alias = Text(e->value, "alias");
    if (const Entry* e = Find(entries, "convert_underscores")) {
      spec.convert_underscores = Bool(e->value, "convert_underscores");
    }
    if (const Entry* e = Find(entries, "embed")) spec.embed = Bool(e->value, "embed");
    spec.constraints = LoadConstraints(entries);
    if (absl::Status status = routing::CheckParamSpec(spec); !status.ok()) {
      Fail(node, status.message());
    }
    if (spec.location == ParamLocation::kPath && !in_path && path_template != nullptr) {
      Fail(node, "path parameter ", Quoted(spec.name), " does not appear in the path template");
    }
    return spec;
  }

  // ---- steps ------------------------------------------------------------
  struct Place {
    enum Kind { kAsync, kSync, kOffload };
    Kind kind;
    const std::vector<std::string>* names;  // of the route's parameters
    const std::vector<ParamSpec>* params;
  };

  // A route's steps (or one of its `sequence`), the last of which may be
  // `respond`, into `script`.
  void LoadBody(const YAML::Node& node, const Place& place, const std::vector<std::string>& names,
                Script* script) {
    if (!node.IsSequence()) Fail(node, "steps must be a list");
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node step = node[i];
      std::optional<Entry> await_entry;
      const Entry body = StepEntry(step, &await_entry);
      if (body.key == "respond") {
        if (await_entry.has_value()) {
          Fail(await_entry->key_node, "`await` goes with an await step (sleep, offload, gather)");
        }
        if (i + 1 != node.size()) {
          Fail(body.key_node, "respond ends the route: it must be the last step");
        }
        script->respond = LoadRespond(body.value, names);
        continue;
      }
      script->steps.push_back(LoadStep(body, place, await_entry));
    }
  }


  // A step: a map with one key, the step (`sleep: 2s`), and for an await
  // optionally `await: false` beside it (`{sleep: 2s, await: false}`).
  Entry StepEntry(const YAML::Node& node, std::optional<Entry>* await_entry) {
    static const std::vector<std::string> kSteps = {"sleep",  "blocking", "cpu",  "offload",
                                                    "gather", "raise",    "fail", "respond",
                                                    "abort",  "reset",    "hang"};
    auto is_await_key = [](const YAML::Node& key) {
      return key.IsScalar() && key.Scalar() == "await";
    };
    size_t step_keys = 0;
    if (node.IsMap()) {
      for (const auto& kv : node) step_keys += is_await_key(kv.first) ? 0 : 1;
    }
    if (!node.IsMap() || step_keys != 1 || node.size() > 2) {
      Fail(node, "a step is a map with one key, such as `sleep: 2s` (steps: ",
           absl::StrJoin(kSteps, ", "), "), and `await: false` beside an await");
    }
    std::optional<Entry> step;
    for (const auto& kv : node) {
      if (is_await_key(kv.first)) {
        *await_entry = Entry{"await", kv.first, kv.second};
      } else {
        step = Entry{kv.first.IsScalar() ? kv.first.Scalar() : "", kv.first, kv.second};
      }
    }
    if (std::find(kSteps.begin(), kSteps.end(), step->key) == kSteps.end()) {
      Fail(step->key_node, "unknown step ", Quoted(step->key),
           " (known: ", absl::StrJoin(kSteps, ", "), ")");
    }
    return *step;
  }

  ScriptSteps LoadSteps(const YAML::Node& node, const Place& place, const char* what) {
    if (!node.IsSequence()) Fail(node, what, " must be a list of steps");
    ScriptSteps steps;
    for (const auto& step : node) {
      std::optional<Entry> await_entry;
      const Entry body = StepEntry(step, &await_entry);
      if (body.key == "respond") {
        Fail(body.key_node, "respond ends the route: it cannot be inside ", what);
      }
      steps.push_back(LoadStep(body, place, await_entry));
    }
    return steps;
  }

  ScriptStep LoadStep(const Entry& step, const Place& place,
                      const std::optional<Entry>& await_entry = std::nullopt) {
    const bool is_await =
        step.key == "sleep" || step.key == "offload" || step.key == "gather" || step.key == "hang";
    if (await_entry.has_value()) {
      if (!is_await) {
        Fail(await_entry->key_node,
             "`await` goes with an await step (sleep, offload, gather), not ", step.key);
      }
      if (!Bool(await_entry->value, "await")) {
        // Checked as the awaited step would be, then dropped: the missing
        // `await` of seed 001's pitfall #3. Creating a coroutine needs no
        // event loop, so a def and an offloaded function may do it too.
        ScriptStep awaited = LoadStep(step, Place{Place::kAsync, place.names, place.params});
        NeverAwaitedStep never;
        never.coroutine = step.key;
        if (const auto* offload = std::get_if<OffloadStep>(&awaited.op)) {
          never.coroutine = offload->name;
        }
        return ScriptStep{std::move(never)};
      }
    }
    if (is_await && place.kind == Place::kSync) {
      Fail(step.key_node, step.key,
           " is an await: it needs an async route (kind: async); a sync route may block, "
           "compute, raise and fail");
    }
    if (is_await && place.kind == Place::kOffload) {
      Fail(step.key_node, step.key,
           " is an await: an offloaded function is plain code on a worker thread (use blocking)");
    }
    if (step.key == "sleep") return ScriptStep{LoadSleep(step.value)};
    if (step.key == "blocking") return ScriptStep{BlockingStep{Duration(step.value)}};
    if (step.key == "cpu") return ScriptStep{CpuStep{Duration(step.value)}};
    if (step.key == "offload") {
      const auto entries = Entries(step.value, "offload", {"name", "steps"});
      OffloadStep offload;
      offload.name = "offload";
      if (const Entry* e = Find(entries, "name")) offload.name = Text(e->value, "name");
      const Entry* steps = Find(entries, "steps");
      if (steps == nullptr) Fail(step.value, "offload needs its `steps`");
      offload.steps =
          LoadSteps(steps->value, Place{Place::kOffload, place.names, place.params}, "offload");
      return ScriptStep{std::move(offload)};
    }
    if (step.key == "gather") {
      if (!step.value.IsSequence() || step.value.size() == 0) {
        Fail(step.value, "gather must be a list of branches, each a list of steps");
      }
      GatherStep gather;
      for (const auto& branch : step.value) {
        gather.branches.push_back(LoadSteps(branch, place, "a gather branch"));
      }
      return ScriptStep{std::move(gather)};
    }
    if (step.key == "raise") return ScriptStep{LoadRaise(step.value, place)};
    if (step.key == "abort") return ScriptStep{LoadAbort(step.value)};
    if (step.key == "reset" || step.key == "hang") {
      if (!step.value.IsNull()) Fail(step.value, step.key, " takes no value: `- ", step.key, ":`");
      FaultStep fault;
      fault.kind = step.key == "reset" ? FaultStep::Kind::kReset : FaultStep::Kind::kHang;
      return ScriptStep{fault};
    }
    // fail
    FailStep fail;
    fail.message = step.value.IsNull() ? "fail step" : Text(step.value, "fail's message");
    return ScriptStep{std::move(fail)};
  }

  // `background: [{name, kind, steps}]`: background_tasks.add_task(name)
  // for each, in order; `kind` as a route's (default async).
  std::vector<ScriptBackgroundTask> LoadBackground(const YAML::Node& node,
                                                   const std::vector<std::string>& names,
                                                   const std::vector<ParamSpec>& params) {
    if (!node.IsSequence() || node.size() == 0) {
      Fail(node, "background must be a list of tasks such as [{name: send_email, steps: [...]}]");
    }
    std::vector<ScriptBackgroundTask> tasks;
    for (const auto& t : node) {
      const auto entries = Entries(t, "a background task", {"name", "kind", "steps"});
      ScriptBackgroundTask task;
      const Entry* name = Find(entries, "name");
      if (name == nullptr) Fail(t, "a background task needs a `name`");
      task.name = Text(name->value, "name");
      if (const Entry* kind = Find(entries, "kind")) {
        const std::string text = Text(kind->value, "kind");
        if (text != "async" && text != "sync") {
          Fail(kind->value, "kind must be async (async def) or sync (def), not ", Quoted(text));
        }
        task.is_async = text == "async";
      }
      const Entry* steps = Find(entries, "steps");
      if (steps == nullptr)
        Fail(t, "the background task ", Quoted(task.name), " needs its `steps`");
      task.steps = LoadSteps(steps->value,
                             Place{task.is_async ? Place::kAsync : Place::kSync, &names, &params},
                             "a background task");
      tasks.push_back(std::move(task));
    }
    return tasks;
  }

  RaiseStep LoadRaise(const YAML::Node& node, const Place& place) {
    RaiseStep raise;
    const std::vector<std::string>& names = *place.names;
    if (node.IsScalar()) {  // `raise: 404`
      raise.status = Status(node);
      return raise;
    }
    const auto entries = Entries(node, "raise", {"status", "detail", "headers"});
    const Entry* status = Find(entries, "status");
    if (status == nullptr) Fail(node, "raise needs a `status`");
    if (status->value.IsScalar() && ToJson(status->value).is_string()) {
      // `status: "{code}"`: HTTPException(code) with an int parameter.
      const std::string text = status->value.Scalar();
      const ParamSpec* param = nullptr;
      for (const ParamSpec& p : *place.params) {
        if (text == absl::StrCat("{", p.name, "}")) param = &p;
      }
      if (param == nullptr || param->type.kind() != ParamType::kInt || param->type.nullable() ||
          (!param->required && !param->default_value.is_number_integer())) {
        Fail(status->value, "a status is an integer, or \"{name}\" naming an int parameter");
      }
      raise.status_param = param->name;
    } else {
      raise.status = Status(status->value);
    }
    if (const Entry* e = Find(entries, "detail")) raise.detail = Template(e->value, names);
    if (const Entry* e = Find(entries, "headers")) raise.headers = Headers(e->value, names);
    return raise;
  }

  RespondStep LoadRespond(const YAML::Node& node, const std::vector<std::string>& names) {
    RespondStep respond;
    if (node.IsNull()) return respond;
    const auto entries = Entries(node, "respond", {"status", "headers", "body"});
    if (const Entry* e = Find(entries, "status")) respond.status = Status(e->value);
    if (const Entry* e = Find(entries, "headers")) respond.headers = Headers(e->value, names);
    if (const Entry* e = Find(entries, "body")) respond.body = Template(e->value, names);
    return respond;
  }

  int Status(const YAML::Node& node) {
    const int64_t status = Integer(node, "a status");
    if (status < 100 || status > 599) Fail(node, "status ", status, " is not between 100 and 599");
    return static_cast<int>(status);
  }

  JsonTemplate Template(const YAML::Node& node, const std::vector<std::string>& names) {
    absl::StatusOr<JsonTemplate> compiled = JsonTemplate::Compile(ToJson(node), names);
    if (!compiled.ok()) Fail(node, compiled.status().message());
    return *std::move(compiled);
  }

  HeaderTemplates Headers(const YAML::Node& node, const std::vector<std::string>& names) {
    HeaderTemplates out;
    for (const Entry& e : Entries(node, "headers", {})) {
      bool token = !e.key.empty();
      for (char c : e.key) token = token && c > ' ' && c < 127 && c != ':';
      if (!token) Fail(e.key_node, "header name ", Quoted(e.key), " is not a token");
      if (!e.value.IsScalar()) Fail(e.value, "a header value is text");
      out.emplace_back(absl::AsciiStrToLower(e.key), Template(e.value, names));
    }
    return out;
  }

  // `sleep: 2s`, or a distribution (duration_distribution.h):
  // {uniform: [10ms, 50ms]}, {lognormal: {p50, p99, max}},
  // {normal: {mean, stddev, min, max}}. Each distribution of the file draws
  // from a stream of its own, numbered in file order.
  SleepStep LoadSleep(const YAML::Node& node) {
    if (!node.IsMap()) return SleepStep{Duration(node)};
    const auto entries = Entries(node, "sleep", {"uniform", "lognormal", "normal"});
    if (entries.size() != 1) {
      Fail(node,
           "sleep takes one distribution: {uniform: [10ms, 50ms]}, {lognormal: {p50: 20ms, p99: "
           "200ms, max: 1s}} or {normal: {mean: 20ms, stddev: 5ms, min: 0s, max: 100ms}}");
    }
    const Entry& e = entries[0];
    // Built from the durations as written (so that a bad one is said as
    // written), then again with --time-scale applied.
    auto make = [&](bool scaled) -> absl::StatusOr<DurationDistribution> {
      auto d = [&](const YAML::Node& n) { return scaled ? Duration(n) : RawDuration(n); };
      if (e.key == "uniform") {
        if (!e.value.IsSequence() || e.value.size() != 2) {
          Fail(e.value, "uniform is [low, high], such as [10ms, 50ms]");
        }
        return DurationDistribution::Uniform(d(e.value[0]), d(e.value[1]));
      }
      if (e.key == "lognormal") {
        const auto fields = Entries(e.value, "lognormal", {"p50", "p99", "max"});
        const Entry* p50 = Find(fields, "p50");
        const Entry* p99 = Find(fields, "p99");
        const Entry* max = Find(fields, "max");
        if (p50 == nullptr || p99 == nullptr || max == nullptr) {
          Fail(e.value,
               "lognormal needs p50, p99 and max, such as {p50: 20ms, p99: 200ms, max: 1s}");
        }
        return DurationDistribution::LogNormal(d(p50->value), d(p99->value), d(max->value));
      }
      const auto fields = Entries(e.value, "normal", {"mean", "stddev", "min", "max"});
      const Entry* mean = Find(fields, "mean");
      const Entry* stddev = Find(fields, "stddev");
      const Entry* min = Find(fields, "min");
      const Entry* max = Find(fields, "max");
      if (mean == nullptr || stddev == nullptr || max == nullptr) {
        Fail(e.value, "normal needs mean, stddev and max (and min, default 0s)");
      }
      return DurationDistribution::Normal(
          d(mean->value), d(stddev->value),
          min == nullptr ? std::chrono::nanoseconds(0) : d(min->value), d(max->value));
    };
    if (absl::StatusOr<DurationDistribution> as_written = make(false); !as_written.ok()) {
      Fail(e.value, as_written.status().message());
    }
    // --time-scale 0 makes every duration 0 (a lognormal cannot be).
    if (options_.time_scale == 0) return SleepStep{std::chrono::nanoseconds(0)};
    absl::StatusOr<DurationDistribution> distribution = make(true);
    if (!distribution.ok()) {
      Fail(e.value, distribution.status().message(), " once --time-scale ", options_.time_scale,
           " is applied");
    }
    return SleepStep{std::chrono::nanoseconds(0),
                     std::make_shared<const DurationDistribution>(
                         distribution->Seeded(options_.seed, next_stream_++))};
  }

  // `abort: UNAVAILABLE`, or `abort: {code: UNAVAILABLE, message: ...}`:
  // a gRPC status code by its canonical name (grpc::StatusCode's), not OK.
  FaultStep LoadAbort(const YAML::Node& node) {
    static const std::vector<std::string> kCodes = {"OK",
                                                    "CANCELLED",
                                                    "UNKNOWN",
                                                    "INVALID_ARGUMENT",
                                                    "DEADLINE_EXCEEDED",
                                                    "NOT_FOUND",
                                                    "ALREADY_EXISTS",
                                                    "PERMISSION_DENIED",
                                                    "RESOURCE_EXHAUSTED",
                                                    "FAILED_PRECONDITION",
                                                    "ABORTED",
                                                    "OUT_OF_RANGE",
                                                    "UNIMPLEMENTED",
                                                    "INTERNAL",
                                                    "UNAVAILABLE",
                                                    "DATA_LOSS",
                                                    "UNAUTHENTICATED"};
    FaultStep fault;
    YAML::Node code = node;
    if (node.IsMap()) {
      const auto entries = Entries(node, "abort", {"code", "message"});
      const Entry* c = Find(entries, "code");
      if (c == nullptr) Fail(node, "abort needs a `code`, such as {code: UNAVAILABLE}");
      code = c->value;
      if (const Entry* m = Find(entries, "message")) fault.message = Text(m->value, "message");
    }
    const std::string name = code.IsScalar() ? code.Scalar() : "";
    const auto it = std::find(kCodes.begin() + 1, kCodes.end(), name);
    if (it == kCodes.end()) {
      Fail(code, Quoted(name), " is not a gRPC status code other than OK (",
           absl::StrJoin(kCodes.begin() + 1, kCodes.end(), ", "), ")");
    }
    fault.code = static_cast<int>(it - kCodes.begin());
    if (fault.message.empty()) fault.message = absl::StrCat("the route aborted with ", name);
    return fault;
  }

  // A duration as written, before --time-scale.
  std::chrono::nanoseconds RawDuration(const YAML::Node& node) {
    const std::string text = node.IsScalar() ? node.Scalar() : "";
    absl::Duration d;
    if (!absl::ParseDuration(text, &d) || d < absl::ZeroDuration() ||
        d == absl::InfiniteDuration()) {
      Fail(node, Quoted(text), " is not a duration such as 2s, 100ms or 1.5s");
    }
    return absl::ToChronoNanoseconds(d);
  }

  // A duration with --time-scale applied.
  std::chrono::nanoseconds Duration(const YAML::Node& node) {
    return absl::ToChronoNanoseconds(absl::FromChrono(RawDuration(node)) * options_.time_scale);
  }

  const RouteFileOptions options_;
  uint64_t next_stream_ = 0;                // the next distribution's stream
  std::map<std::string, ValueType> types_;  // enums and models, by name
  // Dependencies as defined (their parameters' places not yet settled).
  std::map<std::string, std::shared_ptr<const Dependency>> dependencies_;
  std::vector<Depends> app_dependencies_;
  std::map<std::string, std::unique_ptr<ApiRouter>> routers_;
};

}  // namespace

namespace {

// YAML 1.2 streams are Unicode (section 5.2) of printable characters only
// (5.1, c-printable: tab, LF, CR, U+0020..U+007E, U+0085, U+00A0..U+D7FF,
// U+E000..U+FFFD, U+10000 and above), as PyYAML enforces and yaml-cpp does
// not. Checked first, so that no bytes that are not text reach a name, a
// path or the OpenAPI document: two paths that differed only in invalid
// bytes became one key there, found by fuzzing.
std::optional<std::string> CheckYamlText(std::string_view yaml, std::string_view file_name) {
  size_t line = 1, line_start = 0;
  for (size_t pos = 0; pos < yaml.size();) {
    const size_t start = pos;
    const char32_t c = http::NextCodePoint(yaml, &pos);
    auto where = [&] {
      return absl::StrCat(View(file_name), ":", line, ": column ",
                          http::CodePointCount(yaml.substr(line_start, start - line_start)) + 1);
    };
    if (c == http::kReplacementCharacter && yaml.substr(start, pos - start) != "\xEF\xBF\xBD") {
      return absl::StrCat(where(), ": not UTF-8 (byte 0x",
                          absl::Hex(static_cast<unsigned char>(yaml[start]), absl::kZeroPad2),
                          "); a route file is YAML, which is Unicode text (YAML 1.2 section 5.2)");
    }
    const bool printable = c == U'\t' || c == U'\n' || c == U'\r' || (c >= 0x20 && c <= 0x7E) ||
                           c == 0x85 || (c >= 0xA0 && c <= 0xD7FF) ||
                           (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
    if (!printable) {
      return absl::StrCat(where(), ": character U+",
                          absl::Hex(static_cast<uint32_t>(c), absl::kZeroPad4),
                          " is not allowed in YAML (YAML 1.2 section 5.1: printable characters "
                          "only; write it as an escape in a double-quoted string)");
    }
    if (c == U'\n') {
      ++line;
      line_start = pos;
    }
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<App> ParseRouteFile(std::string_view yaml, std::string_view file_name,
                                   const RouteFileOptions& options) {
  auto where = [file_name](const YAML::Mark& mark) {
    return absl::StrCat(View(file_name), ":", std::max(mark.line, 0) + 1, ": ");
  };
  if (!(options.time_scale >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("time scale ", options.time_scale, " < 0"));
  }
  if (std::optional<std::string> problem = CheckYamlText(yaml, file_name)) {
    return absl::InvalidArgumentError(*problem);
  }
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    return Loader(options).Load(root);
  } catch (const LoadError& e) {
    return absl::InvalidArgumentError(absl::StrCat(where(e.mark), e.message));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(where(e.mark), "YAML syntax: ", e.msg));
  } catch (const Json::exception& e) {
    // A message quoting a value (Json::dump) that is not UTF-8, found by
    // fuzzing (tests/unit/app/route_file_test.cc): still an error, never a
    // crash of the server.
    return absl::InvalidArgumentError(
        absl::StrCat(View(file_name), ": a value is not valid UTF-8 text (", e.what(), ")"));
  }
}

absl::StatusOr<std::string> ReadRouteFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    const std::string reason = std::strerror(error);
    return error == EACCES ? absl::PermissionDeniedError(absl::StrCat(path, ": ", reason))
                           : absl::NotFoundError(absl::StrCat(path, ": ", reason));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<App> LoadRouteFile(const std::string& path, const RouteFileOptions& options) {
  absl::StatusOr<std::string> text = ReadRouteFileText(path);
  if (!text.ok()) return text.status();
  return ParseRouteFile(*text, path, options);
}

}  // namespace corouter::app
