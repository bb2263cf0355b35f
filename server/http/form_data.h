// server/http/form_data.h
//
// A parsed form body, as Starlette's `await request.form()` returns it
// (starlette/datastructures.py FormData): the fields in the order they were
// sent, each a str or, for a multipart part with a `filename`, an uploaded
// file (UploadFile). Repeated names are kept; `Last` is what
// `form.get(name)` returns (ImmutableMultiDict: the last value wins) and
// `All` what `form.getlist(name)` returns. The parsers are
// server/http/form_urlencoded.h and server/http/multipart.h; which one runs
// is server/routing/request_body.h's ReadRequestForm.
//
// Thread safety: plain values.
#ifndef COROUTER_SERVER_HTTP_FORM_DATA_H_
#define COROUTER_SERVER_HTTP_FORM_DATA_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/http/headers.h"

namespace corouter::http {

/// A multipart part sent with a `filename` (Starlette's UploadFile).
struct UploadedFile {
  /// The Content-Disposition `filename`, decoded as the part's name is (the
  /// form's charset, else latin-1), as UTF-8.
  std::string filename;
  /// The part's header fields: names lowercased, values as sent (bytes,
  /// leading spaces dropped), in order.
  Headers headers;
  /// The part's content, raw bytes.
  std::string content;

  /// `UploadFile.content_type`: the first `content-type` field of the part,
  /// or nullopt (Python's None).
  std::optional<std::string_view> content_type() const;
};

/// One field: a str (UTF-8, decoded as the parser decodes it) or a file.
struct FormField {
  std::string name;
  std::variant<std::string, UploadedFile> value;
};

/// Fields in order, repeated names kept.
class FormData {
 public:
  FormData() = default;
  explicit FormData(std::vector<FormField> fields) : fields_(std::move(fields)) {}

  /// The last field named `name` (case-sensitive), or null.
  const FormField* Last(std::string_view name) const;
  /// Every field named `name`, in order.
  std::vector<const FormField*> All(std::string_view name) const;

  const std::vector<FormField>& fields() const { return fields_; }

 private:
  std::vector<FormField> fields_;
};

/// Why a form could not be read. Both are answered 400 by FastAPI:
///  - kMalformed: python-multipart's MultipartParseError, which FastAPI's
///    handler turns into {"detail":"There was an error parsing the body"};
///  - kRejected: Starlette's MultiPartException (a missing boundary or
///    part name, too many fields or files, a part over 1 MiB), whose message
///    becomes the detail: {"detail":"Missing boundary in multipart."}.
/// `message` is that detail for kRejected, and python-multipart's own
/// message for kMalformed (for logs and traces, not for the response).
struct FormError {
  enum class Kind { kMalformed, kRejected };
  Kind kind = Kind::kMalformed;
  std::string message;
};

/// The result of a form parser.
using FormParseResult = std::variant<FormData, FormError>;

/// Starlette's limits (starlette/requests.py Request._get_form defaults,
/// formparsers.py): fields and files per form, and the bytes of one
/// url-encoded field (name and value) or one multipart part that is not a
/// file.
inline constexpr int kMaxFormFields = 1000;
inline constexpr int kMaxFormFiles = 1000;
inline constexpr size_t kMaxFormPartBytes = 1024 * 1024;

}  // namespace corouter::http

#endif  // COROUTER_SERVER_HTTP_FORM_DATA_H_
