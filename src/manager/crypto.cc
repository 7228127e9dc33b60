#include "manager/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <cstdlib>

#include "common/random.h"

namespace berth::manager {

std::string NewTokenSecret() { return "berth_" + RandomHex(32); }

static void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();
}

std::string HashPassword(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    std::abort();  // out of memory
  }
  return out;
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  EnsureSodium();
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace berth::manager
