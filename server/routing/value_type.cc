// server/routing/value_type.cc
#include "server/routing/value_type.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "re2/re2.h"

namespace corouter::routing {
namespace {

bool IsNumber(const http::Json& value) { return value.is_number(); }

}  // namespace

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
    case ParamType::kUuid:
      return "uuid";
    case ParamType::kDate:
      return "date";
    case ParamType::kDatetime:
      return "datetime";
    case ParamType::kTime:
      return "time";
    case ParamType::kTimedelta:
      return "timedelta";
    case ParamType::kDecimal:
      return "Decimal";
    case ParamType::kBytes:
      return "bytes";
    case ParamType::kUploadFile:
      return "UploadFile";
    case ParamType::kEnum:
      return "enum";
    case ParamType::kList:
      return "list";
    case ParamType::kModel:
      return "model";
    case ParamType::kDict:
      return "dict";
    case ParamType::kUnion:
      return "Union";
  }
  return "str";
}

ValueType ValueType::Enum(std::string name, std::vector<std::string> values) {
  ValueType type(ParamType::kEnum);
  type.enum_name_ = std::move(name);
  type.enum_members_.assign(values.begin(), values.end());
  type.enum_values_ = std::move(values);
  return type;
}

ValueType ValueType::NumberEnum(std::string name, ParamType base, std::vector<http::Json> values) {
  ValueType type(ParamType::kEnum);
  type.enum_name_ = std::move(name);
  type.enum_base_ = base;
  type.enum_members_ = std::move(values);
  return type;
}

ValueType ValueType::List(ValueType item) {
  ValueType type(ParamType::kList);
  type.item_ = std::make_shared<const ValueType>(std::move(item));
  return type;
}

ValueType ValueType::Dict(ValueType value) {
  ValueType type(ParamType::kDict);
  type.item_ = std::make_shared<const ValueType>(std::move(value));
  return type;
}

ValueType ValueType::Model(std::shared_ptr<const ModelSpec> model) {
  ValueType type(ParamType::kModel);
  type.model_ = std::move(model);
  return type;
}

ValueType ValueType::Union(std::vector<ValueType> members) {
  ValueType type(ParamType::kUnion);
  type.members_ = std::make_shared<const std::vector<ValueType>>(std::move(members));
  return type;
}

bool ValueType::is_scalar() const {
  if (kind_ == ParamType::kUnion) {
    return std::all_of(members().begin(), members().end(),
                       [](const ValueType& member) { return member.is_scalar(); });
  }
  return kind_ <= ParamType::kEnum;
}

const std::vector<ValueType>& ValueType::members() const {
  static const std::vector<ValueType> kNone;
  return members_ ? *members_ : kNone;
}

ValueType ValueType::AsNullable() const {
  ValueType type = *this;
  type.nullable_ = true;
  return type;
}

std::string ValueType::Name() const {
  std::string name;
  switch (kind_) {
    case ParamType::kUuid:
      name = "UUID";
      break;
    case ParamType::kEnum:
      name = enum_name_;
      break;
    case ParamType::kList:
      name = item_ ? absl::StrCat("list[", item_->Name(), "]") : "list";
      break;
    case ParamType::kModel:
      name = model_ ? model_->name : "model";
      break;
    case ParamType::kDict:
      name = item_ ? absl::StrCat("dict[str, ", item_->Name(), "]") : "dict";
      break;
    case ParamType::kUnion: {
      std::vector<std::string> names;
      for (const ValueType& member : members()) names.push_back(member.Name());
      name = absl::StrCat("Union[", absl::StrJoin(names, ", "), "]");
      break;
    }
    default:
      name = std::string(TypeName(kind_));
  }
  return nullable_ ? absl::StrCat("Optional[", name, "]") : name;
}

FieldSpec FieldSpec::Required(std::string name, ValueType type) {
  FieldSpec field;
  field.name = std::move(name);
  field.type = std::move(type);
  return field;
}

FieldSpec FieldSpec::Optional(std::string name, ValueType type, http::Json default_value) {
  FieldSpec field = Required(std::move(name), std::move(type));
  field.required = false;
  field.default_value = std::move(default_value);
  return field;
}

Pattern::Pattern(std::string text) : text_(std::move(text)) {
  RE2::Options options;
  options.set_log_errors(false);
  re_ = std::make_shared<const re2::RE2>(text_, options);
}

absl::Status Pattern::status() const {
  if (re_->ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("regex \"", text_, "\" is not supported: ", re_->error()));
}

bool Pattern::MatchesAtStart(std::string_view value) const {
  if (!re_->ok()) return false;
  const re2::StringPiece text(value.data(), value.size());
  return re_->Match(text, 0, text.size(), RE2::ANCHOR_START, nullptr, 0);
}

absl::Status CheckValueType(const ValueType& type, const Constraints& constraints,
                            std::string_view what_view) {
  const std::string what(what_view);
  auto invalid = [&what](auto&&... parts) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", parts...));
  };
  switch (type.kind()) {
    case ParamType::kEnum:
      if (type.enum_members().empty()) return invalid("enum ", type.enum_name(), " has no values");
      if (type.enum_base() != ParamType::kStr) {
        for (const http::Json& member : type.enum_members()) {
          if (!(type.enum_base() == ParamType::kInt ? member.is_number_integer()
                                                    : member.is_number())) {
            return invalid("enum ", type.enum_name(), " value ", member.dump(), " is not ",
                           type.enum_base() == ParamType::kInt ? "an int" : "a float");
          }
        }
      }
      break;
    case ParamType::kList: {
      if (!type.has_item()) return invalid("a list needs an item type");
      if ((constraints.min_items && *constraints.min_items < 0) ||
          (constraints.max_items && *constraints.max_items < 0)) {
        return invalid("min_items and max_items must not be negative");
      }
      // pydantic pushes the constraints into the item type; min_items and
      // max_items stay with the lists.
      Constraints item = constraints;
      if (type.item().kind() != ParamType::kList) item.min_items = item.max_items = std::nullopt;
      return CheckValueType(type.item(), item, what);
    }
    case ParamType::kDict: {
      if (!type.has_item()) return invalid("a dict needs a value type");
      Constraints values = constraints;
      if (type.item().kind() != ParamType::kList)
        values.min_items = values.max_items = std::nullopt;
      return CheckValueType(type.item(), values, what);
    }
    case ParamType::kModel:
      if (!type.has_model()) return invalid("a model type needs its ModelSpec");
      for (const FieldSpec& field : type.model().fields) {
        if (absl::Status status = CheckValueType(field.type, field.constraints,
                                                 absl::StrCat(what, " field '", field.name, "'"));
            !status.ok()) {
          return status;
        }
      }
      break;
    case ParamType::kUnion:
      if (type.members().empty()) return invalid("a Union needs its members");
      // Constraints on a Union would apply to the members they fit
      // (get_annotation_with_constraints); not supported: refused here.
      if (constraints.has_item_constraints() || constraints.has_string_constraints() ||
          constraints.has_number_constraints()) {
        return invalid("constraints on a Union are not supported (", type.Name(), ")");
      }
      for (const ValueType& member : type.members()) {
        if (absl::Status status = CheckValueType(member, Constraints{}, what); !status.ok()) {
          return status;
        }
      }
      return absl::OkStatus();
    default:
      break;
  }

  if (constraints.has_item_constraints()) {
    return invalid("min_items and max_items apply to lists, not ", type.Name(),
                   " (pydantic: \"the following field constraints are set but not enforced\")");
  }
  const bool is_str = type.kind() == ParamType::kStr;
  const bool is_number = type.kind() == ParamType::kInt || type.kind() == ParamType::kFloat;
  if (constraints.has_string_constraints() && !is_str) {
    return invalid("min_length, max_length and regex apply to str, not ", type.Name(),
                   " (pydantic: \"the following field constraints are set but not enforced\")");
  }
  if (constraints.has_number_constraints() && !is_number) {
    return invalid("gt, ge, lt and le apply to int and float, not ", type.Name(),
                   " (pydantic: \"the following field constraints are set but not enforced\")");
  }
  if ((constraints.min_length && *constraints.min_length < 0) ||
      (constraints.max_length && *constraints.max_length < 0)) {
    return invalid("min_length and max_length must not be negative");
  }
  for (const auto* limit : {&constraints.gt, &constraints.ge, &constraints.lt, &constraints.le}) {
    if (limit->has_value() && !IsNumber(**limit)) {
      return invalid("limit ", (*limit)->dump(), " is not a number");
    }
  }
  if (constraints.pattern.has_value()) {
    if (absl::Status status = constraints.pattern->status(); !status.ok()) {
      return invalid(status.message());
    }
  }
  return absl::OkStatus();
}

bool DefaultFitsType(const ValueType& type, const http::Json& value) {
  if (value.is_null()) return true;  // `x: int = None` makes x Optional (pydantic)
  switch (type.kind()) {
    case ParamType::kStr:
    case ParamType::kBytes:
    case ParamType::kUuid:
    case ParamType::kDate:
    case ParamType::kDatetime:
    case ParamType::kTime:
      return value.is_string();
    case ParamType::kTimedelta:  // seconds, or a str parse_duration reads
    case ParamType::kDecimal:
      return value.is_string() || (value.is_number() && !value.is_boolean());
    case ParamType::kInt:
      return value.is_number_integer();
    case ParamType::kFloat:
      return value.is_number();
    case ParamType::kBool:
      return value.is_boolean();
    case ParamType::kUploadFile:
      return false;  // only None, which an Optional[UploadFile] takes
    case ParamType::kEnum:
      if (type.enum_base() != ParamType::kStr) {
        for (const http::Json& member : type.enum_members()) {
          if (value.is_number() && !value.is_boolean() &&
              member.get<double>() == value.get<double>()) {
            return true;
          }
        }
        return false;
      }
      if (!value.is_string()) return false;
      for (const std::string& member : type.enum_values()) {
        if (member == value.get_ref<const std::string&>()) return true;
      }
      return false;
    case ParamType::kList:
      if (!value.is_array()) return false;
      for (const http::Json& item : value) {
        if (item.is_null() ? !type.item().nullable() : !DefaultFitsType(type.item(), item)) {
          return false;
        }
      }
      return true;
    case ParamType::kModel:
      return value.is_object();
    case ParamType::kDict:
      if (!value.is_object()) return false;
      for (const auto& [key, item] : value.items()) {
        if (item.is_null() ? !type.item().nullable() : !DefaultFitsType(type.item(), item)) {
          return false;
        }
      }
      return true;
    case ParamType::kUnion:
      return std::any_of(
          type.members().begin(), type.members().end(),
          [&value](const ValueType& member) { return DefaultFitsType(member, value); });
  }
  return false;
}

}  // namespace corouter::routing
