// UTF-8 to code points and back. Worksheet text positions count code points on
// every side (a JavaScript client converts from UTF-16 indices).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hearth::worksheets {

// Refuses what is not well-formed UTF-8: stray or missing continuation bytes,
// overlong forms, surrogates, values above U+10FFFF, and U+0000.
std::optional<std::u32string> decode_utf8(std::string_view bytes);

std::string encode_utf8(std::u32string_view text);

}  // namespace hearth::worksheets
