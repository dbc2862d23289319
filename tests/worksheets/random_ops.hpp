// Random worksheet states and ops for the property tests, over one small
// template with every field type, so that random ops often collide. Text
// draws on multi-byte characters, emoji and combining marks.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <string>

#include "worksheets/document.hpp"
#include "worksheets/ops.hpp"

namespace hearth::worksheets::testing {

// The seed of a randomized test: HEARTH_TEST_SEED if set, else a fresh one.
// Printed either way so that a failure can be replayed.
std::uint64_t test_seed();

// notes (long text), title (short text), level (scale 0..10), done (checkbox),
// when (date), mood (choice a/b/c), items (list of text + score).
const v1::WorksheetTemplate& sample_template();

enum class op_kind : std::uint8_t { text, set, insert, remove, move };
inline constexpr op_kind all_kinds[] = {op_kind::text, op_kind::set, op_kind::insert,
                                        op_kind::remove, op_kind::move};
const char* kind_name(op_kind k);
// Names the kind in test failure messages.
void PrintTo(op_kind k, std::ostream* out);  // NOLINT(readability-identifier-naming): gtest's name
op_kind kind_of(const op& o);

class random_ops {
 public:
  // Item ids start with `prefix` so that several generators never collide.
  random_ops(std::uint64_t seed, std::string prefix);

  std::mt19937_64& rng() { return rng_; }
  std::size_t below(std::size_t n);  // uniform in [0, n)

  std::u32string text(std::size_t most);
  text_op text_edit(std::size_t length);

  // A random op of kind `k` that fits `d`; nothing when none can (no items).
  std::optional<op> make(op_kind k, const document& d);
  std::optional<op> any(const document& d);

  // A document reached by a few random ops from empty.
  document state(std::size_t steps);

 private:
  std::optional<target> pick_item(const document& d);
  target pick_text(const document& d);
  std::string order_key();

  std::mt19937_64 rng_;
  std::string prefix_;
  std::uint64_t next_item_ = 0;
};

}  // namespace hearth::worksheets::testing
