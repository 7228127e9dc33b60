// Fuzzes Range header parsing (src/http/byte_range.h). Input: 8 bytes of file
// size (little-endian), then the header value. A partial range must lie
// inside the file and be non-empty: file_response sends exactly
// [offset, offset+length) with sendfile.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "http/byte_range.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t file_size;
  std::memcpy(&file_size, data, 8);
  std::string_view header(reinterpret_cast<const char*>(data + 8), size - 8);
  for (uint64_t n : {file_size, file_size % 4096, uint64_t{0}}) {
    auto r = berth::http::ParseByteRange(header, n);
    if (r.kind == berth::http::ByteRange::kPartial) {
      if (r.length == 0 || r.offset >= n || r.length > n - r.offset) std::abort();
    }
  }
  return 0;
}
