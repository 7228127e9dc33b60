#include "common/random.h"

#include "common/digest.h"

#include <sys/random.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace berth {
namespace {

void Fill(unsigned char* buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = getrandom(buf + done, n - done, 0);
    if (r < 0) std::abort();  // the kernel CSPRNG never fails after boot
    done += static_cast<size_t>(r);
  }
}

}  // namespace

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  Fill(reinterpret_cast<unsigned char*>(raw.data()), bytes);
  return HexEncode(raw);
}

std::string NewUuid() {
  unsigned char b[16];
  Fill(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
                b[11], b[12], b[13], b[14], b[15]);
  return out;
}

bool LooksLikeUuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = s[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace berth
