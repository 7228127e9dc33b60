#include "http/tls_context.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace berth::http {
namespace {

namespace fs = std::filesystem;

// A self-signed certificate and its key, written as PEM into a temp dir.
class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("berth-tls-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    cert_ = (dir_ / "cert.pem").string();
    key_ = (dir_ / "key.pem").string();
    WritePair(cert_, key_);
    ::chmod(key_.c_str(), 0600);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void WritePair(const std::string& cert_path, const std::string& key_path) {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    ASSERT_NE(key, nullptr);
    X509* x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    ASSERT_GT(X509_sign(x, key, EVP_sha256()), 0);
    FILE* f = std::fopen(cert_path.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
    f = std::fopen(key_path.c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(x);
    EVP_PKEY_free(key);
  }

  fs::path dir_;
  std::string cert_, key_;
};

TEST_F(TlsContextTest, LoadsAMatchingPair) {
  auto ctx = MakeServerTlsContext(cert_, key_);
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
}

TEST_F(TlsContextTest, RefusesAKeyOthersCanRead) {
  ::chmod(key_.c_str(), 0644);
  auto ctx = MakeServerTlsContext(cert_, key_);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find("mode 0644"), std::string::npos) << ctx.status().message();
  EXPECT_NE(ctx.status().message().find("chmod 600"), std::string::npos);
  ::chmod(key_.c_str(), 0640);  // group-readable (e.g. ssl-cert) is fine
  EXPECT_TRUE(MakeServerTlsContext(cert_, key_).ok());
}

TEST_F(TlsContextTest, ErrorsNameTheFile) {
  auto missing = MakeServerTlsContext((dir_ / "nope.pem").string(), key_);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope.pem"), std::string::npos);

  auto no_key = MakeServerTlsContext(cert_, (dir_ / "nokey.pem").string());
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.status().message().find("nokey.pem"), std::string::npos);

  const std::string junk = (dir_ / "junk.pem").string();
  std::ofstream(junk) << "not a certificate\n";
  ::chmod(junk.c_str(), 0600);
  EXPECT_FALSE(MakeServerTlsContext(junk, key_).ok());
  EXPECT_FALSE(MakeServerTlsContext(cert_, junk).ok());

  EXPECT_FALSE(MakeServerTlsContext(cert_, "").ok());
  EXPECT_FALSE(MakeServerTlsContext("", key_).ok());
}

TEST_F(TlsContextTest, RefusesAKeyOfAnotherCertificate) {
  const std::string cert2 = (dir_ / "cert2.pem").string();
  const std::string key2 = (dir_ / "key2.pem").string();
  WritePair(cert2, key2);
  ::chmod(key2.c_str(), 0600);
  auto ctx = MakeServerTlsContext(cert_, key2);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find("key2.pem"), std::string::npos)
      << ctx.status().message();
}

}  // namespace
}  // namespace berth::http
