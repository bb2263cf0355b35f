// server/http/form_data.cc
#include "server/http/form_data.h"

namespace corouter::http {

std::optional<std::string_view> UploadedFile::content_type() const {
  // The part's names are lowercased already; Headers.get is case-blind.
  return FindHeader(headers, "content-type");
}

const FormField* FormData::Last(std::string_view name) const {
  for (auto it = fields_.rbegin(); it != fields_.rend(); ++it) {
    if (it->name == name) return &*it;
  }
  return nullptr;
}

std::vector<const FormField*> FormData::All(std::string_view name) const {
  std::vector<const FormField*> out;
  for (const FormField& field : fields_) {
    if (field.name == name) out.push_back(&field);
  }
  return out;
}

}  // namespace corouter::http
