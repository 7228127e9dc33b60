// Secrets: API token generation and hashing, password hashing. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/digest.h"

namespace berth::manager {

// A new API token secret: "berth_" + 64 hex characters (256 random bits).
std::string NewTokenSecret();
// Tokens are stored only as their hex SHA-256 (common/digest.h).
using ::berth::Sha256Hex;
// argon2id (libsodium crypto_pwhash_str, interactive limits).
std::string HashPassword(std::string_view password);
bool VerifyPassword(const std::string& hash, std::string_view password);
// Constant-time comparison of two strings.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace berth::manager
