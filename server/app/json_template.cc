#include "server/app/json_template.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace corouter::app {
namespace {

using http::Json;

bool IsIdentifier(std::string_view text) {
  if (text.empty()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

absl::string_view AbslView(std::string_view text) { return {text.data(), text.size()}; }

}  // namespace

std::string TemplateText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) {
    const double d = value.get<double>();
    // json.dumps(allow_nan=True), as Python's default writes them.
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  }
  absl::StatusOr<std::string> text = http::SerializeJson(value);
  return text.ok() ? *std::move(text) : value.dump();
}

absl::StatusOr<JsonTemplate> JsonTemplate::Compile(const Json& value,
                                                   const std::vector<std::string>& names) {
  absl::StatusOr<Node> root = CompileNode(value, names);
  if (!root.ok()) return root.status();
  JsonTemplate out;
  out.root_ = *std::move(root);
  return out;
}

absl::StatusOr<JsonTemplate::Node> JsonTemplate::CompileNode(
    const Json& value, const std::vector<std::string>& names) {
  Node node;
  if (value.is_array()) {
    node.kind = Node::Kind::kArray;
    for (const Json& item : value) {
      absl::StatusOr<Node> child = CompileNode(item, names);
      if (!child.ok()) return child.status();
      node.items.push_back(*std::move(child));
    }
    return node;
  }
  if (value.is_object()) {
    node.kind = Node::Kind::kObject;
    for (const auto& [key, item] : value.items()) {
      absl::StatusOr<Node> child = CompileNode(item, names);
      if (!child.ok()) return child.status();
      node.members.emplace_back(key, *std::move(child));
    }
    return node;
  }
  if (!value.is_string()) {
    node.literal = value;
    return node;
  }
  const std::string& text = value.get_ref<const std::string&>();
  auto bad = [&text](auto&&... why) {
    return absl::InvalidArgumentError(absl::StrCat("template \"", text, "\": ", why...));
  };
  std::string literal;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        literal += '}';
        ++i;
        continue;
      }
      return bad("a single '}' (write '}}' for a literal brace)");
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
      continue;
    }
    const size_t close = text.find('}', i + 1);
    if (close == std::string::npos)
      return bad("'{' is not closed (write '{{' for a literal brace)");
    const absl::string_view inner = AbslView(std::string_view(text).substr(i + 1, close - i - 1));
    std::vector<std::string> path = absl::StrSplit(inner, '.');
    if (!IsIdentifier(path.front())) {
      return bad("{", inner, "} is not a placeholder: write {name} or {name.key}");
    }
    for (size_t k = 1; k < path.size(); ++k) {
      if (path[k].empty() || path[k].find('{') != std::string::npos) {
        return bad("{", inner, "} has an empty or malformed key");
      }
    }
    bool known = false;
    for (const std::string& name : names) known = known || name == path.front();
    if (!known) {
      return bad("{", path.front(), "} names no parameter of this route",
                 names.empty() ? " (it declares none)"
                               : absl::StrCat(" (it declares: ", absl::StrJoin(names, ", "), ")"));
    }
    if (!literal.empty()) node.parts.push_back(Part{false, std::move(literal), {}});
    literal.clear();
    node.parts.push_back(Part{true, {}, std::move(path)});
    i = close;
  }
  if (!literal.empty() || node.parts.empty()) node.parts.push_back(Part{false, literal, {}});
  if (node.parts.size() == 1 && !node.parts.front().is_placeholder) {
    node.literal = node.parts.front().text;  // a plain string
    node.parts.clear();
    return node;
  }
  node.kind = Node::Kind::kString;
  return node;
}

Json JsonTemplate::RenderNode(const Node& node, const routing::ParamValues& values) {
  switch (node.kind) {
    case Node::Kind::kLiteral:
      return node.literal;
    case Node::Kind::kArray: {
      Json out = Json::array();
      for (const Node& item : node.items) out.push_back(RenderNode(item, values));
      return out;
    }
    case Node::Kind::kObject: {
      Json out = Json::object();
      for (const auto& [key, item] : node.members) out[key] = RenderNode(item, values);
      return out;
    }
    case Node::Kind::kString:
      break;
  }
  auto lookup = [&values](const std::vector<std::string>& path) -> Json {
    const Json* current = nullptr;
    for (const auto& [name, value] : values) {
      if (name == path.front()) current = &value;
    }
    for (size_t k = 1; current != nullptr && k < path.size(); ++k) {
      if (!current->is_object()) return nullptr;
      auto it = current->find(path[k]);
      current = it == current->end() ? nullptr : &*it;
    }
    return current == nullptr ? Json(nullptr) : *current;
  };
  if (node.parts.size() == 1) return lookup(node.parts.front().path);  // keeps the type
  std::string text;
  for (const Part& part : node.parts) {
    text += part.is_placeholder ? TemplateText(lookup(part.path)) : part.text;
  }
  return text;
}

bool JsonTemplate::IsLiteral(const Node& node) {
  switch (node.kind) {
    case Node::Kind::kLiteral:
      return true;
    case Node::Kind::kString:
      return false;
    case Node::Kind::kArray:
      for (const Node& item : node.items) {
        if (!IsLiteral(item)) return false;
      }
      return true;
    case Node::Kind::kObject:
      for (const auto& member : node.members) {
        if (!IsLiteral(member.second)) return false;
      }
      return true;
  }
  return true;
}

Json JsonTemplate::Render(const routing::ParamValues& values) const {
  return RenderNode(root_, values);
}

std::string JsonTemplate::RenderText(const routing::ParamValues& values) const {
  return TemplateText(Render(values));
}

bool JsonTemplate::is_literal() const { return IsLiteral(root_); }

}  // namespace corouter::app
