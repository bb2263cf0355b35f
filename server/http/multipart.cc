// server/http/multipart.cc
#include "server/http/multipart.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/http/options_header.h"
#include "server/http/utf8.h"

namespace corouter::http {
namespace {

// str.isalnum() for U+0080..U+00FF (ª ² ³ µ ¹ º ¼ ½ ¾ and the letters).
bool IsLatin1Alnum(uint8_t c) {
  return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA ||
         (c >= 0xBC && c <= 0xBE) || (c >= 0xC0 && c != 0xD7 && c != 0xF7);
}

// encodings.normalize_encoding over the lowercased name: runs of characters
// other than ASCII letters, digits and '.' become one '_' between kept
// characters; non-ASCII letters and digits are dropped without one.
std::string NormalizeEncoding(std::string_view name) {
  std::string out;
  bool punct = false;
  for (const char ch : name) {
    const auto c = static_cast<uint8_t>(ch);
    const bool ascii_alnum =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (ascii_alnum || c == '.' || (c >= 0x80 && IsLatin1Alnum(c))) {
      if (punct && !out.empty()) out.push_back('_');
      if (c < 0x80) out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c));
      punct = false;
    } else {
      punct = true;
    }
  }
  return out;
}

struct Alias {
  std::string_view name;
  Charset charset;
};

// encodings/aliases.py's names for utf_8, latin_1 and ascii.
constexpr std::array<Alias, 30> kAliases = {{
    {"cp65001", Charset::kUtf8},
    {"u8", Charset::kUtf8},
    {"utf", Charset::kUtf8},
    {"utf8", Charset::kUtf8},
    {"utf8_ucs2", Charset::kUtf8},
    {"utf8_ucs4", Charset::kUtf8},
    {"8859", Charset::kLatin1},
    {"cp819", Charset::kLatin1},
    {"csisolatin1", Charset::kLatin1},
    {"ibm819", Charset::kLatin1},
    {"iso8859", Charset::kLatin1},
    {"iso8859_1", Charset::kLatin1},
    {"iso_8859_1", Charset::kLatin1},
    {"iso_8859_1_1987", Charset::kLatin1},
    {"iso_ir_100", Charset::kLatin1},
    {"l1", Charset::kLatin1},
    {"latin", Charset::kLatin1},
    {"latin1", Charset::kLatin1},
    {"646", Charset::kAscii},
    {"ansi_x3.4_1968", Charset::kAscii},
    {"ansi_x3.4_1986", Charset::kAscii},
    {"ansi_x3_4_1968", Charset::kAscii},
    {"cp367", Charset::kAscii},
    {"csascii", Charset::kAscii},
    {"ibm367", Charset::kAscii},
    {"iso646_us", Charset::kAscii},
    {"iso_646.irv_1991", Charset::kAscii},
    {"iso_ir_6", Charset::kAscii},
    {"us", Charset::kAscii},
    {"us_ascii", Charset::kAscii},
}};

std::optional<Charset> Lookup(std::string_view name) {
  for (const Alias& alias : kAliases) {
    if (alias.name == name) return alias.charset;
  }
  return std::nullopt;
}

constexpr char kCr = '\r';
constexpr char kLf = '\n';
constexpr char kHyphen = '-';

// python-multipart's MultipartParser._internal_write over one chunk, with
// Starlette's MultiPartParser callbacks inline. Names follow the Python.
class MultipartReader {
 public:
  MultipartReader(std::string_view data, std::string_view boundary, Charset charset)
      : data_(data), boundary_("\r\n--" + std::string(boundary)), charset_(charset) {
    for (const char c : boundary_) boundary_chars_[static_cast<uint8_t>(c)] = true;
    lookbehind_.assign(boundary.size() + 8, '\0');
  }

  FormParseResult Run() {
    if (!Parse()) return std::move(error_);
    return FormData(std::move(items_));
  }

 private:
  enum class State {
    kStart,
    kStartBoundary,
    kHeaderFieldStart,
    kHeaderField,
    kHeaderValueStart,
    kHeaderValue,
    kHeaderValueAlmostDone,
    kHeadersAlmostDone,
    kPartDataStart,
    kPartData,
    kEnd,
  };
  static constexpr unsigned kFlagPartBoundary = 1;
  static constexpr unsigned kFlagLastBoundary = 2;

  bool Malformed(std::string message) {
    error_ = FormError{FormError::Kind::kMalformed, std::move(message)};
    return false;
  }
  bool Rejected(std::string message) {
    error_ = FormError{FormError::Kind::kRejected, std::move(message)};
    return false;
  }

  bool Parse() {
    const auto length = static_cast<ptrdiff_t>(data_.size());
    const auto boundary_length = static_cast<ptrdiff_t>(boundary_.size());
    State state = State::kStart;
    ptrdiff_t index = 0;
    unsigned flags = 0;
    ptrdiff_t i = 0;
    // The marks: where the current header name, header value or part data
    // began (-1: none).
    ptrdiff_t header_field_mark = -1;
    ptrdiff_t header_value_mark = -1;
    ptrdiff_t part_data_mark = -1;
    while (i < length) {
      char c = data_[i];
      switch (state) {
        case State::kStart:
          if (c == kCr || c == kLf) {
            ++i;
            continue;
          }
          index = 0;
          state = State::kStartBoundary;
          --i;
          break;
        case State::kStartBoundary:
          if (index == boundary_length - 2) {
            if (c != kCr)
              return Malformed(absl::StrCat("Did not find CR at end of boundary (", i, ")"));
            ++index;
          } else if (index == boundary_length - 1) {
            if (c != kLf)
              return Malformed(absl::StrCat("Did not find LF at end of boundary (", i, ")"));
            index = 0;
            OnPartBegin();
            state = State::kHeaderFieldStart;
          } else {
            if (c != boundary_[index + 2]) {
              return Malformed(absl::StrCat("Did not find boundary character ",
                                            static_cast<uint8_t>(c), " at index ", index + 2));
            }
            ++index;
          }
          break;
        case State::kHeaderFieldStart:
          index = 0;
          header_field_mark = i;
          state = State::kHeaderField;
          --i;
          break;
        case State::kHeaderField:
          if (c == kCr) {
            header_field_mark = -1;
            state = State::kHeadersAlmostDone;
            ++i;
            continue;
          }
          ++index;
          if (c == kHyphen) {
          } else if (c == ':') {
            if (index == 1) return Malformed(absl::StrCat("Found 0-length header at ", i));
            current_header_name_.append(Slice(header_field_mark, i));
            header_field_mark = -1;
            state = State::kHeaderValueStart;
          } else {
            const auto lower = static_cast<uint8_t>(static_cast<uint8_t>(c) | 0x20);
            if (lower < 'a' || lower > 'z') {
              return Malformed(absl::StrCat("Found non-alphanumeric character ",
                                            static_cast<uint8_t>(c), " in header at ", i));
            }
          }
          break;
        case State::kHeaderValueStart:
          if (c == ' ') {
            ++i;
            continue;
          }
          header_value_mark = i;
          state = State::kHeaderValue;
          --i;
          break;
        case State::kHeaderValue:
          if (c == kCr) {
            current_header_value_.append(Slice(header_value_mark, i));
            header_value_mark = -1;
            OnHeaderEnd();
            state = State::kHeaderValueAlmostDone;
          }
          break;
        case State::kHeaderValueAlmostDone:
          if (c != kLf) return Malformed("Did not find LF character at end of header");
          state = State::kHeaderFieldStart;
          break;
        case State::kHeadersAlmostDone:
          if (c != kLf) return Malformed("Did not find LF at end of headers");
          if (!OnHeadersFinished()) return false;
          state = State::kPartDataStart;
          break;
        case State::kPartDataStart:
          part_data_mark = i;
          state = State::kPartData;
          --i;
          break;
        case State::kPartData: {
          ptrdiff_t prev_index = index;
          const ptrdiff_t boundary_end = boundary_length - 1;
          if (index == 0) {
            // Skip ahead while the window's last byte is in no boundary.
            i += boundary_end;
            while (i < length - 1 && !boundary_chars_[static_cast<uint8_t>(data_[i])]) {
              i += boundary_length;
            }
            i -= boundary_end;
            c = data_[i];
          }
          if (index < boundary_length) {
            if (boundary_[index] == c) {
              if (index == 0 && part_data_mark >= 0) {
                if (!OnPartData(Slice(part_data_mark, i))) return false;
                part_data_mark = -1;
              }
              ++index;
            } else {
              index = 0;
            }
          } else if (index == boundary_length) {
            ++index;
            if (c == kCr) {
              flags |= kFlagPartBoundary;
            } else if (c == kHyphen) {
              flags |= kFlagLastBoundary;
            } else {
              index = 0;
            }
          } else if (index == boundary_length + 1) {
            if ((flags & kFlagPartBoundary) != 0) {
              if (c == kLf) {
                flags &= ~kFlagPartBoundary;
                OnPartEnd();
                OnPartBegin();
                index = 0;
                state = State::kHeaderFieldStart;
                ++i;
                continue;
              }
              index = 0;
              flags &= ~kFlagPartBoundary;
            } else if ((flags & kFlagLastBoundary) != 0) {
              if (c == kHyphen) {
                OnPartEnd();
                state = State::kEnd;
              } else {
                index = 0;
              }
            }
          }
          if (index > 0) {
            // `index` may still count a header name's letters (a CR inside
            // a name ends the headers without resetting it): past the
            // lookbehind, Python raises IndexError, FastAPI's generic 400.
            if (static_cast<size_t>(index - 1) >= lookbehind_.size()) {
              return Malformed("IndexError: list assignment index out of range");
            }
            lookbehind_[index - 1] = c;
          } else if (prev_index > 0) {
            // Not a boundary after all: what matched so far is data.
            if (!OnPartData(std::string_view(lookbehind_).substr(0, prev_index))) return false;
            part_data_mark = i;
            --i;
          }
          break;
        }
        case State::kEnd:
          break;  // consumed and ignored
      }
      ++i;
    }
    // The data callbacks for what is still marked at the end of the chunk;
    // the header name and value have no effect without their end.
    if (part_data_mark >= 0 && !OnPartData(Slice(part_data_mark, length))) return false;
    return true;
  }

  std::string_view Slice(ptrdiff_t start, ptrdiff_t end) const {
    return data_.substr(static_cast<size_t>(start), static_cast<size_t>(end - start));
  }

  // Starlette's MultiPartParser callbacks.
  void OnPartBegin() { part_ = Part{}; }

  bool OnPartData(std::string_view bytes) {
    if (bytes.empty()) return true;  // BaseParser.callback skips start == end
    if (!part_.is_file) {
      if (part_.data.size() + bytes.size() > kMaxFormPartBytes) {
        return Rejected(
            absl::StrCat("Part exceeded maximum size of ", kMaxFormPartBytes / 1024, "KB."));
      }
      part_.data.append(bytes);
    } else {
      part_.file.content.append(bytes);
    }
    return true;
  }

  void OnPartEnd() {
    if (!part_.is_file) {
      items_.push_back(FormField{part_.field_name, DecodeWithFallback(part_.data, charset_)});
    } else {
      items_.push_back(FormField{part_.field_name, std::move(part_.file)});
    }
  }

  void OnHeaderEnd() {
    std::string field = current_header_name_;
    for (char& ch : field) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch | 0x20);
    }
    if (field == "content-disposition") part_.content_disposition = current_header_value_;
    // Every part's headers are kept (Starlette's item_headers); only a
    // file exposes them.
    part_.file.headers.push_back(Header{std::move(field), current_header_value_});
    current_header_name_.clear();
    current_header_value_.clear();
  }

  bool OnHeadersFinished() {
    const OptionsHeader disposition =
        ParseOptionsHeader(part_.content_disposition.value_or(std::string()));
    auto name = disposition.params.find("name");
    if (name == disposition.params.end()) {
      return Rejected("The Content-Disposition header field \"name\" must be provided.");
    }
    part_.field_name = DecodeWithFallback(name->second, charset_);
    auto filename = disposition.params.find("filename");
    if (filename != disposition.params.end()) {
      if (++files_ > kMaxFormFiles) {
        return Rejected(
            absl::StrCat("Too many files. Maximum number of files is ", kMaxFormFiles, "."));
      }
      part_.is_file = true;
      part_.file.filename = DecodeWithFallback(filename->second, charset_);
    } else {
      if (++fields_ > kMaxFormFields) {
        return Rejected(
            absl::StrCat("Too many fields. Maximum number of fields is ", kMaxFormFields, "."));
      }
      part_.is_file = false;
    }
    return true;
  }

  struct Part {
    std::optional<std::string> content_disposition;
    std::string field_name;
    std::string data;
    bool is_file = false;
    UploadedFile file;  // its headers are filled for every part
  };

  std::string_view data_;
  std::string boundary_;
  Charset charset_;
  std::array<bool, 256> boundary_chars_{};
  std::string lookbehind_;
  Part part_;
  std::string current_header_name_;
  std::string current_header_value_;
  int fields_ = 0;
  int files_ = 0;
  std::vector<FormField> items_;
  FormError error_;
};

}  // namespace

Charset CharsetNamed(std::string_view name) {
  const std::string norm = NormalizeEncoding(name);
  std::optional<Charset> aliased = Lookup(norm);
  if (!aliased.has_value()) {
    std::string underscored = norm;
    for (char& c : underscored) {
      if (c == '.') c = '_';
    }
    aliased = Lookup(underscored);
  }
  if (aliased.has_value()) return *aliased;
  // Then the module of that name (encodings.utf_8 ...); a name with a '.'
  // is never imported (encodings.search_function).
  if (norm == "utf_8") return Charset::kUtf8;
  if (norm == "latin_1") return Charset::kLatin1;
  if (norm == "ascii") return Charset::kAscii;
  return Charset::kOther;
}

std::string DecodeWithFallback(std::string_view bytes, Charset charset) {
  switch (charset) {
    case Charset::kUtf8:
      if (!FindUtf8Error(bytes).has_value()) return std::string(bytes);
      break;
    case Charset::kAscii: {
      bool ascii = true;
      for (const char c : bytes) ascii = ascii && static_cast<uint8_t>(c) < 0x80;
      if (ascii) return std::string(bytes);
      break;
    }
    case Charset::kLatin1:
    case Charset::kOther:
      break;
  }
  return Latin1ToUtf8(bytes);
}

FormParseResult ParseMultipart(std::string_view body, std::string_view boundary, Charset charset) {
  return MultipartReader(body, boundary, charset).Run();
}

}  // namespace corouter::http
