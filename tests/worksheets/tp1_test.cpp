// TP1 for every pair of op kinds: from one state, right-then-transformed-left
// and left-then-transformed-right reach the same document, and that document
// is the one the rules of docs/worksheets.md predict, computed here without
// the transform (text by tracking each original character and each insert's
// gap; sets and moves by server order; the rest by applying both ops).
// The seed is printed; HEARTH_TEST_SEED=N replays one run.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "random_ops.hpp"
#include "worksheets/unicode.hpp"

namespace hearth::worksheets::testing {
namespace {

// Where an op's inserts land and which original characters it deletes.
struct text_effect {
  std::map<std::size_t, std::u32string> inserts;  // by gap: 0 is before the first character
  std::set<std::size_t> deleted;
};

text_effect effect_of(const text_op& t) {
  text_effect e;
  std::size_t pos = 0;
  for (const auto& p : t.parts) {
    switch (p.k) {
      case text_component::kind::retain:
        pos += p.count;
        break;
      case text_component::kind::insert:
        e.inserts[pos] += p.text;
        break;
      case text_component::kind::erase:
        for (std::uint32_t i = 0; i < p.count; ++i) {
          e.deleted.insert(pos++);
        }
        break;
    }
  }
  return e;
}

// Both sides' inserts survive in gap order, the earlier-committed side's
// (right) first within a gap; a character survives unless either deleted it.
std::u32string expected_text(const std::u32string& base, const text_op& left,
                             const text_op& right) {
  const auto l = effect_of(left);
  const auto r = effect_of(right);
  std::u32string out;
  for (std::size_t gap = 0; gap <= base.size(); ++gap) {
    if (const auto it = r.inserts.find(gap); it != r.inserts.end()) {
      out += it->second;
    }
    if (const auto it = l.inserts.find(gap); it != l.inserts.end()) {
      out += it->second;
    }
    if (gap < base.size() && l.deleted.count(gap) == 0 && r.deleted.count(gap) == 0) {
      out.push_back(base[gap]);
    }
  }
  return out;
}

cell& cell_at(document& d, const target& t) {
  auto& state = d.fields.at(t.field);
  return t.item.empty() ? state.own : state.items.at(t.item).cells.at(t.sub);
}

document apply_all(document d, std::initializer_list<const op*> steps) {
  for (const op* o : steps) {
    if (o != nullptr) {
      EXPECT_TRUE(apply_committed(d, sample_template(), *o, 1));
    }
  }
  return d;
}

document expected_state(const document& s, const op& left, const op& right) {
  const auto lk = kind_of(left);
  const auto rk = kind_of(right);
  const bool same_item =
      left.where.field == right.where.field && left.where.item == right.where.item;
  if (lk == op_kind::text && rk == op_kind::text && left.where == right.where) {
    document d = s;
    auto& c = cell_at(d, left.where);
    c.text = expected_text(c.text, std::get<text_op>(left.what), std::get<text_op>(right.what));
    return d;
  }
  if ((lk == op_kind::set && rk == op_kind::set && left.where == right.where) ||
      (lk == op_kind::move && rk == op_kind::move && same_item)) {
    return apply_all(s, {&right, &left});  // the later in server order wins
  }
  if (lk == op_kind::remove && rk == op_kind::remove && same_item) {
    return apply_all(s, {&left});
  }
  return apply_all(s, {&left, &right});  // independent: both effects
}

class tp1 : public ::testing::TestWithParam<std::pair<op_kind, op_kind>> {};

TEST_P(tp1, BothOrdersReachTheExpectedDocument) {
  const auto [lk, rk] = GetParam();
  random_ops gen(test_seed(), "x");
  int collisions = 0;
  for (int round = 0; round < 1500; ++round) {
    const document s = gen.state(gen.below(12));
    auto left = gen.make(lk, s);
    auto right = gen.make(rk, s);
    if (!left || !right) {
      continue;
    }
    const auto [left2, right2] = transform(*left, *right);
    const document via_right = apply_all(s, {&*right, left2 ? &*left2 : nullptr});
    const document via_left = apply_all(s, {&*left, right2 ? &*right2 : nullptr});
    const document expected = expected_state(s, *left, *right);
    ASSERT_EQ(via_right, via_left) << "round " << round;
    ASSERT_EQ(via_right, expected) << "round " << round;
    collisions += left->where.field == right->where.field ? 1 : 0;
  }
  EXPECT_GT(collisions, 0) << "the generator should make ops meet on one field";
}

std::vector<std::pair<op_kind, op_kind>> every_pair() {
  std::vector<std::pair<op_kind, op_kind>> out;
  for (const auto a : all_kinds) {
    for (const auto b : all_kinds) {
      out.emplace_back(a, b);
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(EveryPair, tp1, ::testing::ValuesIn(every_pair()),
                         [](const auto& param_info) {
                           return std::string(kind_name(param_info.param.first)) + "_vs_" +
                                  kind_name(param_info.param.second);
                         });

// Sequences: the grid of single-op transforms keeps TP1 for batches.
TEST(Tp1Batches, BatchesConverge) {
  random_ops gen(test_seed(), "y");
  for (int round = 0; round < 2000; ++round) {
    const document s = gen.state(gen.below(10));
    ops left;
    ops right;
    document after_left = s;
    document after_right = s;
    for (std::size_t i = gen.below(4); i > 0; --i) {
      if (auto o = gen.any(after_left)) {
        ASSERT_TRUE(apply_committed(after_left, sample_template(), *o, 1));
        left.push_back(*o);
      }
      if (auto o = gen.any(after_right)) {
        ASSERT_TRUE(apply_committed(after_right, sample_template(), *o, 1));
        right.push_back(*o);
      }
    }
    const auto [left2, right2] = transform(left, right);
    for (const auto& o : left2) {
      ASSERT_TRUE(apply_committed(after_right, sample_template(), o, 1));
    }
    for (const auto& o : right2) {
      ASSERT_TRUE(apply_committed(after_left, sample_template(), o, 1));
    }
    ASSERT_EQ(after_left, after_right) << "round " << round;
  }
}

}  // namespace
}  // namespace hearth::worksheets::testing
