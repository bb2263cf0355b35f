// Reading and checking credential files (server/security/credential_files.h)
// with certificates that tests/lib/make_test_certs.sh makes at test time.
#include "server/security/credential_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::security {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CredentialFilesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/corouter-security-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = new std::string(pattern);
    const std::string command =
        absl::StrCat(COROUTER_MAKE_TEST_CERTS, " ", *dir_, "/certs >/dev/null");
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::string Path(const std::string& name) { return *dir_ + "/certs/" + name; }
  static std::string Write(const std::string& name, const std::string& text) {
    const std::string path = *dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  static std::string Read(const std::string& name) { return *ReadCredentialFile(Path(name)); }

  static std::string* dir_;
};
std::string* CredentialFilesTest::dir_ = nullptr;

TEST_F(CredentialFilesTest, ReadsCertificatesAndKeysThatBelongTogether) {
  absl::StatusOr<std::string> cert = ReadCertificates(Path("server.pem"));
  ASSERT_TRUE(cert.ok()) << cert.status();
  absl::StatusOr<std::string> key = ReadPrivateKey(Path("server.key"));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_TRUE(CheckKeyMatchesCertificate(*cert, *key).ok());
  // A bundle of two CAs is fine too.
  EXPECT_TRUE(CheckCertificates(Read("ca.pem") + Read("other-ca.pem"), "bundle").ok());
}

TEST_F(CredentialFilesTest, SaysWhyAFileCannotBeRead) {
  absl::StatusOr<std::string> missing = ReadCertificates(*dir_ + "/nope.pem");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            absl::StrCat("cannot read ", *dir_, "/nope.pem: No such file or directory"));
  absl::StatusOr<std::string> directory = ReadTokenFile(*dir_);
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(directory.status().message(), HasSubstr("Is a directory"));
  const std::string big = Write("big", std::string(kMaxCredentialFileBytes + 1, 'a'));
  EXPECT_THAT(ReadTokenFile(big).status().message(), HasSubstr("larger than"));
}

TEST_F(CredentialFilesTest, RefusesWhatIsNotACertificate) {
  const absl::Status key_as_cert = CheckCertificates(Read("server.key"), "server.key");
  EXPECT_EQ(key_as_cert.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(key_as_cert.message(), HasSubstr("server.key holds no PEM certificate"));
  EXPECT_FALSE(CheckCertificates("", "empty").ok());
  std::string broken = Read("ca.pem");
  broken.insert(broken.find('\n') + 5, "!!!!");
  EXPECT_THAT(CheckCertificates(Read("other-ca.pem") + broken, "two").message(),
              HasSubstr("two: certificate 2 is not valid PEM"));
}

TEST_F(CredentialFilesTest, RefusesWhatIsNotAnUnencryptedKeyWithoutQuotingIt) {
  EXPECT_THAT(CheckPrivateKey(Read("server.pem"), "server.pem").message(),
              HasSubstr("server.pem holds no PEM private key"));
  const std::string encrypted = Path("server.key") + ".enc";
  ASSERT_EQ(std::system(absl::StrCat("openssl pkey -in ", Path("server.key"),
                                     " -aes256 -passout pass:pw -out ", encrypted)
                            .c_str()),
            0);
  EXPECT_THAT(ReadPrivateKey(encrypted).status().message(),
              HasSubstr("holds an encrypted private key; decrypt it first"));
  std::string broken = Read("server.key");
  const std::string body = broken.substr(broken.find('\n') + 1, 20);
  broken.replace(broken.find('\n') + 1, 20, std::string(20, 'A'));
  const absl::Status status = CheckPrivateKey(broken, "k");
  EXPECT_THAT(status.message(), HasSubstr("k: the private key is not valid PEM"));
  EXPECT_THAT(status.message(), Not(HasSubstr(body)));
}

TEST_F(CredentialFilesTest, RefusesAKeyOfAnotherCertificate) {
  const absl::Status status = CheckKeyMatchesCertificate(Read("server.pem"), Read("client.key"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("does not match the certificate"));
}

TEST_F(CredentialFilesTest, ReadsATokenLessOneTrailingNewline) {
  EXPECT_EQ(*ReadTokenFile(Write("t1", "abc-123\n")), "abc-123");
  EXPECT_EQ(*ReadTokenFile(Write("t2", "abc-123\r\n")), "abc-123");
  EXPECT_EQ(*ReadTokenFile(Write("t3", "abc/+~_.=")), "abc/+~_.=");
  // Only one newline goes: the second one is part of the token, and refused.
  EXPECT_THAT(ReadTokenFile(Write("t4", "abc\n\n")).status().message(),
              HasSubstr("byte 4 of 4 is not allowed in a bearer token"));
}

TEST_F(CredentialFilesTest, RefusesAnEmptyTokenOrOneThatCannotBeSent) {
  const std::string empty = Write("empty", "\n");
  EXPECT_EQ(ReadTokenFile(empty).status().message(), empty + " is empty");
  EXPECT_EQ(ReadTokenFile(Write("zero", "")).status().code(), absl::StatusCode::kInvalidArgument);
  for (const char* bad : {"has space", "tab\there", "a=b", "=abc", "caf\xc3\xa9", "x\"y"}) {
    const absl::Status status = CheckBearerToken(bad, "TOKEN");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(status.message(), HasSubstr("RFC 6750 2.1")) << bad;
    EXPECT_THAT(status.message(), Not(HasSubstr(bad))) << bad;
  }
  EXPECT_TRUE(CheckBearerToken("abc==", "TOKEN").ok());
}

}  // namespace
}  // namespace corouter::security
