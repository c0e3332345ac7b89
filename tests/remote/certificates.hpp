// Throwaway certificates for the TLS tests, made with libcrypto when the test runs: a CA, and
// server certificates it signs for an IP address or a host name, written as PEM to a temp dir.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include <csp/remote/tls.hpp>

namespace remote_test {

/// A directory under /tmp, removed with everything in it when this goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "csp-tls-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// A certificate authority whose key and certificate live in `dir` as <name>-ca.pem.
class TestCa {
 public:
  TestCa(const TempDir& dir, std::string name) : dir_(&dir), name_(std::move(name)) {
    key_ = new_key();
    cert_ = certificate(name_ + " CA", key_.get(), nullptr, "critical,CA:TRUE", nullptr);
    write(ca_file(), nullptr, cert_.get());
  }

  /// The CA's certificate, for csp::ConnectTls.
  std::string ca_file() const { return dir_->file(name_ + "-ca.pem"); }

  /// A server certificate signed by this CA for `subject_alt_name` ("IP:127.0.0.1",
  /// "DNS:other.example"), with its key, as files named after `server`.
  csp::ServeTls issue(const std::string& server, const std::string& subject_alt_name) const {
    Key key = new_key();
    Cert cert = certificate(server, key.get(), this, "critical,CA:FALSE", subject_alt_name.c_str());
    csp::ServeTls files{dir_->file(server + "-chain.pem"), dir_->file(server + "-key.pem")};
    write(files.certificate_chain_file, nullptr, cert.get());
    write(files.private_key_file, key.get(), nullptr);
    return files;
  }

 private:
  using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
  using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

  static Key new_key() {
    Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
    if (!key) throw std::runtime_error("EC key generation failed");
    return key;
  }

  static void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
    if (!ext || !X509_add_ext(cert, ext, -1)) throw std::runtime_error("bad certificate extension");
    X509_EXTENSION_free(ext);
  }

  // Self-signed when `issuer` is null.
  Cert certificate(const std::string& common_name, EVP_PKEY* key, const TestCa* issuer, const char* constraints,
                   const char* subject_alt_name) const {
    static long serial = 0;
    Cert cert(X509_new(), X509_free);
    X509* x = cert.get();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
    X509_set_pubkey(x, key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
    X509* signer = issuer ? issuer->cert_.get() : x;
    X509_set_issuer_name(x, X509_get_subject_name(signer));
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, signer, x, nullptr, nullptr, 0);
    add_extension(x, &ctx, NID_basic_constraints, constraints);
    if (subject_alt_name) add_extension(x, &ctx, NID_subject_alt_name, subject_alt_name);
    else add_extension(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    if (!X509_sign(x, issuer ? issuer->key_.get() : key, EVP_sha256()))
      throw std::runtime_error("signing a certificate failed");
    return cert;
  }

  static void write(const std::string& path, EVP_PKEY* key, X509* cert) {
    std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "w"), std::fclose);
    if (!f || (key && !PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) ||
        (cert && !PEM_write_X509(f.get(), cert)))
      throw std::runtime_error("cannot write " + path);
  }

  const TempDir* dir_;
  std::string name_;
  Key key_{nullptr, EVP_PKEY_free};
  Cert cert_{nullptr, X509_free};
};

}  // namespace remote_test
