// Strict UTF-8: only shortest forms of Unicode scalar values are accepted.
#include "worksheets/unicode.hpp"

namespace hearth::worksheets {

std::optional<std::u32string> decode_utf8(std::string_view bytes) {
  std::u32string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    std::size_t extra = 0;
    char32_t cp = 0;
    char32_t least = 0;  // smallest value the form may carry (refuses overlong forms)
    if (lead < 0x80) {
      cp = lead;
    } else if ((lead & 0xE0U) == 0xC0) {
      extra = 1;
      cp = lead & 0x1FU;
      least = 0x80;
    } else if ((lead & 0xF0U) == 0xE0) {
      extra = 2;
      cp = lead & 0x0FU;
      least = 0x800;
    } else if ((lead & 0xF8U) == 0xF0) {
      extra = 3;
      cp = lead & 0x07U;
      least = 0x10000;
    } else {
      return std::nullopt;
    }
    if (i + extra >= bytes.size()) {
      return std::nullopt;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(bytes[i + k]);
      if ((next & 0xC0U) != 0x80) {
        return std::nullopt;
      }
      cp = (cp << 6U) | (next & 0x3FU);
    }
    if (cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) {
      return std::nullopt;
    }
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char32_t cp : text) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0U | (cp >> 6U)));
      out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0U | (cp >> 12U)));
      out.push_back(static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU)));
      out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    } else {
      out.push_back(static_cast<char>(0xF0U | (cp >> 18U)));
      out.push_back(static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU)));
      out.push_back(static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU)));
      out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    }
  }
  return out;
}

}  // namespace hearth::worksheets
