// Quoting for POSIX sh: the one quoter for text Berth writes into shell
// scripts (image recipe hooks, a session's profile drop-in). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace berth {

// `s` in single quotes, each ' written as '\''. Any byte (NUL aside) comes
// back unchanged when sh reads the result as one word.
std::string ShQuote(std::string_view s);

}  // namespace berth
