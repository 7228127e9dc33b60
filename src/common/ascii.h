// ASCII case folding for protocol tokens (host names, DNS labels, node
// names): bytes outside A-Z are kept as they are, whatever the locale.
#pragma once

#include <string>
#include <string_view>

namespace berth {

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace berth
