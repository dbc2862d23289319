// Text operations on code-point strings: retain / insert / delete, kept
// canonical, applied and transformed (see docs/worksheets.md, "Text").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hearth::worksheets {

struct text_component {
  enum class kind : std::uint8_t { retain, insert, erase };
  kind k = kind::retain;
  std::uint32_t count = 0;  // retain and erase
  std::u32string text;      // insert
  bool operator==(const text_component&) const = default;
};

// Canonical: no empty components, no two neighbours of one kind, an insert
// before a delete at one position, no trailing retain. Build one only through
// the push functions, which keep it so.
struct text_op {
  std::vector<text_component> parts;
  bool operator==(const text_op&) const = default;
  bool empty() const { return parts.empty(); }
};

void push_retain(text_op& op, std::uint32_t count);
void push_insert(text_op& op, std::u32string_view text);
void push_erase(text_op& op, std::uint32_t count);
// Drops a trailing retain.
void trim(text_op& op);

// How many code points the op reads: it applies to any text at least this long.
std::uint32_t base_length(const text_op& op);

// The text after `op`, or nothing when the op reads past its end.
std::optional<std::u32string> apply_text(const std::u32string& text, const text_op& op);

// Which of two inserts at one position lands first.
enum class tie : std::uint8_t { op_first, other_first };

// `op` rewritten to apply after `other` (both written against one text):
// every insert of both survives, each character deleted by either is deleted
// once, and equal-position inserts are ordered by `t`.
text_op transform_text(const text_op& op, const text_op& other, tie t);

}  // namespace hearth::worksheets
