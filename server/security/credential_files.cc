#include "server/security/credential_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace corouter::security {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x509) const { X509_free(x509); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Bio MemoryBio(absl::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// OpenSSL's reason for the last error on this thread (and clears the queue).
std::string OpenSslReason() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "no detail";
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : absl::StrCat("error ", code);
}

// A passphrase callback that refuses: an encrypted key is not read.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

absl::StatusOr<std::string> ReadCredentialFile(absl::string_view path) {
  const std::string file(path);
  auto error = [&file](int err) {
    const std::string message = absl::StrCat("cannot read ", file, ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
    return absl::InvalidArgumentError(message);
  };
  std::unique_ptr<std::FILE, FileCloser> in(std::fopen(file.c_str(), "rb"));
  if (in == nullptr) return error(errno);
  struct stat info;
  if (fstat(fileno(in.get()), &info) != 0) return error(errno);
  if (S_ISDIR(info.st_mode)) return error(EISDIR);
  std::string text;
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, in.get())) > 0) {
    text.append(buffer, got);
    if (text.size() > kMaxCredentialFileBytes) {
      return absl::InvalidArgumentError(absl::StrCat("cannot read ", file, ": it is larger than ",
                                                     kMaxCredentialFileBytes, " bytes"));
    }
  }
  if (std::ferror(in.get())) return error(errno != 0 ? errno : EIO);
  return text;
}

absl::Status CheckCertificates(absl::string_view pem, absl::string_view name) {
  ERR_clear_error();
  Bio bio = MemoryBio(pem);
  int count = 0;
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (cert == nullptr) break;
    ++count;
  }
  // The loop ends at the end of the text (PEM_R_NO_START_LINE) or at a
  // block that does not parse.
  const unsigned long last = ERR_peek_last_error();
  const bool clean_end = last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM &&
                                       ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
  if (!clean_end) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": certificate ", count + 1,
                                                   " is not valid PEM (", OpenSslReason(), ")"));
  }
  ERR_clear_error();
  if (count == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " holds no PEM certificate (want \"-----BEGIN CERTIFICATE-----\" blocks)"));
  }
  return absl::OkStatus();
}

absl::Status CheckPrivateKey(absl::string_view pem, absl::string_view name) {
  if (!absl::StrContains(pem, "PRIVATE KEY-----")) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " holds no PEM private key (want a \"-----BEGIN PRIVATE KEY-----\" block)"));
  }
  if (absl::StrContains(pem, "ENCRYPTED")) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " holds an encrypted private key; decrypt it first (openssl pkey -in ",
                     name, " -out KEY.pem)"));
  }
  ERR_clear_error();
  Bio bio = MemoryBio(pem);
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": the private key is not valid PEM (", OpenSslReason(), ")"));
  }
  ERR_clear_error();
  return absl::OkStatus();
}

absl::Status CheckKeyMatchesCertificate(absl::string_view cert_pem, absl::string_view key_pem) {
  ERR_clear_error();
  Bio cert_bio = MemoryBio(cert_pem);
  X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, NoPassphrase, nullptr));
  Bio key_bio = MemoryBio(key_pem);
  Pkey key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, NoPassphrase, nullptr));
  const bool match =
      cert != nullptr && key != nullptr && X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (!match) {
    return absl::InvalidArgumentError(
        "the private key does not match the certificate (the first one of the chain)");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadCertificates(absl::string_view path) {
  absl::StatusOr<std::string> text = ReadCredentialFile(path);
  if (!text.ok()) return text.status();
  if (absl::Status status = CheckCertificates(*text, path); !status.ok()) return status;
  return text;
}

absl::StatusOr<std::string> ReadPrivateKey(absl::string_view path) {
  absl::StatusOr<std::string> text = ReadCredentialFile(path);
  if (!text.ok()) return text.status();
  if (absl::Status status = CheckPrivateKey(*text, path); !status.ok()) return status;
  return text;
}

absl::StatusOr<KeyPair> ReadKeyPair(absl::string_view cert_flag, absl::string_view cert_path,
                                    absl::string_view key_flag, absl::string_view key_path) {
  absl::StatusOr<std::string> cert = ReadCertificates(cert_path);
  if (!cert.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(cert_flag, ": ", cert.status().message()));
  }
  absl::StatusOr<std::string> key = ReadPrivateKey(key_path);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(key_flag, ": ", key.status().message()));
  }
  if (absl::Status match = CheckKeyMatchesCertificate(*cert, *key); !match.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(key_flag, ": ", key_path, ": ", match.message(),
                                                   " of ", cert_flag, " ", cert_path));
  }
  return KeyPair{*std::move(cert), *std::move(key)};
}

absl::Status CheckBearerToken(absl::string_view token, absl::string_view name) {
  if (token.empty()) return absl::InvalidArgumentError(absl::StrCat(name, " is empty"));
  // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  size_t i = 0;
  auto body = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
           c == '~' || c == '+' || c == '/';
  };
  while (i < token.size() && body(token[i])) ++i;
  const size_t body_end = i;
  while (i < token.size() && token[i] == '=') ++i;
  if (i == token.size() && body_end > 0) return absl::OkStatus();
  const size_t bad = body_end == 0 && i == token.size() ? 0 : i;
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": byte ", bad + 1, " of ", token.size(),
                   " is not allowed in a bearer token (RFC 6750 2.1: letters, digits, "
                   "- . _ ~ + / and trailing =)"));
}

absl::StatusOr<std::string> ReadTokenFile(absl::string_view path) {
  absl::StatusOr<std::string> text = ReadCredentialFile(path);
  if (!text.ok()) return text.status();
  std::string token = *std::move(text);
  if (absl::EndsWith(token, "\n")) {
    token.pop_back();
    if (absl::EndsWith(token, "\r")) token.pop_back();
  }
  if (absl::Status status = CheckBearerToken(token, path); !status.ok()) return status;
  return token;
}

}  // namespace corouter::security
