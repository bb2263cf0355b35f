// server/http/form_urlencoded.cc
#include "server/http/form_urlencoded.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "server/http/query_string.h"

namespace corouter::http {
namespace {

// python-multipart's QuerystringParser._internal_write (strict_parsing
// False) over the whole body, then finalize(); each field's events are
// handled as Starlette's FormParser.parse handles them, in the same order.
class UrlencodedReader {
 public:
  explicit UrlencodedReader(std::string_view data) : data_(data) {}

  FormParseResult Run() {
    enum class State { kBeforeField, kFieldName, kFieldData };
    State state = State::kBeforeField;
    size_t i = 0;
    const size_t length = data_.size();
    while (i < length) {
      switch (state) {
        case State::kBeforeField:
          if (data_[i] == '&' || data_[i] == ';') {
            ++i;  // a (duplicate) separator: skipped
            continue;
          }
          name_.clear();  // on_field_start
          value_.clear();
          state = State::kFieldName;
          continue;  // the same byte, now in the name
        case State::kFieldName: {
          const size_t sep = Separator(i);
          const size_t equals = sep != std::string_view::npos ? data_.substr(0, sep).find('=', i)
                                                              : data_.find('=', i);
          if (equals != std::string_view::npos) {
            if (!OnName(i, equals)) return error_;
            i = equals + 1;
            state = State::kFieldData;
          } else if (sep != std::string_view::npos) {
            if (!OnName(i, sep) || !OnEnd()) return error_;
            i = sep;
            state = State::kBeforeField;
          } else {
            // The rest is a name that no event ends: the field is dropped.
            if (!OnName(i, length)) return error_;
            i = length;
          }
          continue;
        }
        case State::kFieldData: {
          const size_t sep = Separator(i);
          if (sep != std::string_view::npos) {
            if (!OnData(i, sep) || !OnEnd()) return error_;
            i = sep;
            state = State::kBeforeField;
          } else {
            if (!OnData(i, length)) return error_;
            i = length;
          }
          continue;
        }
      }
    }
    // finalize(): a field in its data is ended; one in its name is not.
    if (state == State::kFieldData && !OnEnd()) return error_;
    return FormData(std::move(fields_));
  }

 private:
  // `data.find(b'&', i)`, else `data.find(b';', i)`.
  size_t Separator(size_t from) const {
    const size_t amp = data_.find('&', from);
    return amp != std::string_view::npos ? amp : data_.find(';', from);
  }

  bool TooLarge(size_t more) {
    if (name_.size() + value_.size() + more <= kMaxFormPartBytes) return false;
    error_ = FormError{FormError::Kind::kRejected, absl::StrCat("Field exceeded maximum size of ",
                                                                kMaxFormPartBytes / 1024, "KB.")};
    return true;
  }
  bool OnName(size_t start, size_t end) {
    if (start == end) return true;  // BaseParser.callback skips empty data
    if (TooLarge(end - start)) return false;
    name_.append(data_.substr(start, end - start));
    return true;
  }
  bool OnData(size_t start, size_t end) {
    if (start == end) return true;
    if (TooLarge(end - start)) return false;
    value_.append(data_.substr(start, end - start));
    return true;
  }
  bool OnEnd() {
    if (static_cast<int>(fields_.size()) + 1 > kMaxFormFields) {
      error_ = FormError{
          FormError::Kind::kRejected,
          absl::StrCat("Too many fields. Maximum number of fields is ", kMaxFormFields, ".")};
      return false;
    }
    fields_.push_back(FormField{UnquotePlusLatin1(name_), UnquotePlusLatin1(value_)});
    return true;
  }

  std::string_view data_;
  std::string name_;
  std::string value_;
  std::vector<FormField> fields_;
  FormError error_;
};

}  // namespace

FormParseResult ParseFormUrlencoded(std::string_view body) { return UrlencodedReader(body).Run(); }

}  // namespace corouter::http
