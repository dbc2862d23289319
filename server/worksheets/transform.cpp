// The transform rules of docs/worksheets.md: ops on different targets are
// independent; text against text keeps both sides' intentions; for a set or a
// move of one target, the later in server order wins; inserts commute; a
// remove keeps its item removed whatever else happens to it.
#include <cassert>

#include "worksheets/ops.hpp"

namespace hearth::worksheets {
namespace {

bool same_item(const target& a, const target& b) { return a.field == b.field && a.item == b.item; }

std::optional<op> unless_empty(const target& where, text_op t) {
  if (t.empty()) {
    return std::nullopt;
  }
  return op{where, std::move(t)};
}

}  // namespace

std::pair<std::optional<op>, std::optional<op>> transform(const op& left, const op& right) {
  const auto* lt = std::get_if<text_op>(&left.what);
  const auto* rt = std::get_if<text_op>(&right.what);
  if (lt != nullptr && rt != nullptr && left.where == right.where) {
    // Equal-position inserts: the one committed first (right) lands first.
    return {unless_empty(left.where, transform_text(*lt, *rt, tie::other_first)),
            unless_empty(right.where, transform_text(*rt, *lt, tie::op_first))};
  }
  const bool both_set =
      std::holds_alternative<set_op>(left.what) && std::holds_alternative<set_op>(right.what);
  if (both_set && left.where == right.where) {
    return {left, std::nullopt};
  }
  const bool both_move =
      std::holds_alternative<move_op>(left.what) && std::holds_alternative<move_op>(right.what);
  if (both_move && same_item(left.where, right.where)) {
    return {left, std::nullopt};
  }
  const bool both_remove =
      std::holds_alternative<remove_op>(left.what) && std::holds_alternative<remove_op>(right.what);
  if (both_remove && same_item(left.where, right.where)) {
    return {std::nullopt, std::nullopt};
  }
  // Everything else commutes: different targets; inserts (item ids are
  // unique); a remove against an edit or move of its item (the item stays
  // removed, and the edit or move still lands on the hidden item so that
  // every replica holds the same content if a facilitator restores it).
  return {left, right};
}

std::pair<ops, ops> transform(ops left, const ops& right) {
  ops right_out;
  for (const auto& r : right) {
    std::optional<op> current = r;
    ops next_left;
    next_left.reserve(left.size());
    for (auto& l : left) {
      if (!current) {
        next_left.push_back(std::move(l));
        continue;
      }
      auto [l2, r2] = transform(l, *current);
      if (l2) {
        next_left.push_back(std::move(*l2));
      }
      current = std::move(r2);
    }
    left = std::move(next_left);
    if (current) {
      right_out.push_back(std::move(*current));
    }
  }
  return {std::move(left), std::move(right_out)};
}

}  // namespace hearth::worksheets
