// A fresh RSA key for tests that sign GitHub App JWTs: the private key as PEM
// (what --app-key-file reads) and the key itself (to verify signatures).
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

namespace bindscan::testing {

struct KeyPair {
  std::string private_pem;
  std::shared_ptr<EVP_PKEY> key;
};

inline KeyPair generate_rsa_key() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  KeyPair pair{std::string(data, static_cast<size_t>(size)), std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free)};
  BIO_free(bio);
  return pair;
}

}  // namespace bindscan::testing
