// Fuzzes percent-decoding, path splitting and query parsing (src/http/url.h)
// on arbitrary request-target bytes, and checks their contracts: encoding
// then decoding gives the input back, a decoded segment never contains '/'
// from a literal slash (only from %2F), and splitting accepts exactly what
// decoding accepts.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/url.h"

using berth::http::ParseQuery;
using berth::http::PercentDecode;
using berth::http::PercentEncode;
using berth::http::SplitPathSegments;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  auto plain = PercentDecode(in, false);
  auto plus = PercentDecode(in, true);
  if (plain.has_value() != plus.has_value()) std::abort();
  if (plain && plain->size() > in.size()) std::abort();

  for (bool keep_slash : {false, true}) {
    std::string enc = PercentEncode(in, keep_slash);
    auto back = PercentDecode(enc, false);
    if (!back || *back != in) std::abort();
  }

  auto segments = SplitPathSegments(in);
  if (segments.has_value() != plain.has_value()) std::abort();
  if (segments && in.find('%') == std::string_view::npos) {
    for (const auto& s : *segments) {
      if (s.find('/') != std::string::npos) std::abort();
    }
  }
  (void)ParseQuery(in);
  return 0;
}
