// Worksheet operations as plain values: what the transform and the document
// work on. The wire form is WorksheetOp (codec.hpp converts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "worksheets/text_op.hpp"

namespace hearth::worksheets {

// A field (item and sub empty), a list item (sub empty), or one value of an
// item.
struct target {
  std::string field;
  std::string item;
  std::string sub;
  bool operator==(const target&) const = default;
};

// The value of a scale, checkbox, date or choice.
struct scalar {
  enum class kind : std::uint8_t { empty, scale, checkbox, date, choice };
  kind k = kind::empty;
  std::int32_t number = 0;  // scale
  bool checked = false;     // checkbox
  std::string text;         // date (YYYY-MM-DD) or choice option id
  bool operator==(const scalar&) const = default;
};

struct set_op {
  scalar value;
  bool operator==(const set_op&) const = default;
};
struct insert_op {
  std::string order_key;
  bool operator==(const insert_op&) const = default;
};
struct remove_op {
  bool operator==(const remove_op&) const = default;
};
struct move_op {
  std::string order_key;
  bool operator==(const move_op&) const = default;
};

struct op {
  target where;
  std::variant<text_op, set_op, insert_op, remove_op, move_op> what;
  bool operator==(const op&) const = default;
};

using ops = std::vector<op>;

// Transforms two ops written against one state. `left` is the one ordered
// later (on the server the incoming op, on a client its own pending op);
// returns {left rewritten to apply after right, right rewritten to apply
// after left}; nothing where the rewritten op has no effect left.
std::pair<std::optional<op>, std::optional<op>> transform(const op& left, const op& right);

// The same for sequences: each op of `right` meets each op of `left` in order.
std::pair<ops, ops> transform(ops left, const ops& right);

}  // namespace hearth::worksheets
