// Random states and ops for the worksheet property tests.
#include "random_ops.hpp"

#include <cstdlib>
#include <iostream>

#include "worksheets/order_key.hpp"
#include "worksheets/template_json.hpp"

namespace hearth::worksheets::testing {

std::uint64_t test_seed() {
  std::uint64_t seed = 0;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any test thread exists
  if (const char* env = std::getenv("HEARTH_TEST_SEED"); env != nullptr) {
    seed = std::strtoull(env, nullptr, 10);
  } else {
    seed = std::random_device{}();
  }
  std::cout << "seed " << seed << " (HEARTH_TEST_SEED=" << seed << " replays it)\n";
  return seed;
}

const v1::WorksheetTemplate& sample_template() {
  static const v1::WorksheetTemplate t = [] {
    auto r = parse_template(R"({"id":"sample","version":1,"title":"Sample","scope":"session",
      "fields":[{"id":"notes","type":"long_text","label":"Notes"},
                {"id":"title","type":"short_text","label":"Title"},
                {"id":"level","type":"scale","label":"Level"},
                {"id":"done","type":"checkbox","label":"Done"},
                {"id":"when","type":"date","label":"When"},
                {"id":"mood","type":"choice","label":"Mood","choices":[
                  {"id":"a","label":"A"},{"id":"b","label":"B"},{"id":"c","label":"C"}]},
                {"id":"items","type":"list","label":"Items","max_items":500,"item_fields":[
                  {"id":"text","type":"short_text","label":"Text","max_length":1000},
                  {"id":"score","type":"scale","label":"Score"}]}]})");
    if (!r.value) {
      std::cerr << r.error << "\n";
      std::abort();
    }
    return *r.value;
  }();
  return t;
}

const char* kind_name(op_kind k) {
  constexpr const char* names[] = {"text", "set", "insert", "remove", "move"};
  return names[static_cast<std::size_t>(k)];
}

void PrintTo(op_kind k, std::ostream* out) { *out << kind_name(k); }

op_kind kind_of(const op& o) { return static_cast<op_kind>(o.what.index()); }

random_ops::random_ops(std::uint64_t seed, std::string prefix)
    : rng_(seed), prefix_(std::move(prefix)) {}

std::size_t random_ops::below(std::size_t n) {
  return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
}

std::u32string random_ops::text(std::size_t most) {
  // ASCII, Latin with a 2-byte form, a 3-byte symbol, emoji (4 bytes, one
  // code point), a combining acute accent, and a CJK character.
  static const std::u32string pool = U"abcxyz \u00e9\u20ac\U0001F600\U0001F9E1\u0301\u4e2d";
  std::u32string out;
  const std::size_t n = 1 + below(most);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(pool[below(pool.size())]);
  }
  return out;
}

text_op random_ops::text_edit(std::size_t length) {
  text_op t;
  std::size_t pos = 0;
  const std::size_t steps = 1 + below(4);
  for (std::size_t s = 0; s < steps; ++s) {
    const std::size_t left = length - pos;
    switch (below(3)) {
      case 0:
        if (left > 0) {
          const auto n = 1 + below(left);
          push_retain(t, static_cast<std::uint32_t>(n));
          pos += n;
        }
        break;
      case 1:
        push_insert(t, text(3));
        break;
      default:
        if (left > 0) {
          const auto n = 1 + below(std::min<std::size_t>(left, 4));
          push_erase(t, static_cast<std::uint32_t>(n));
          pos += n;
        }
        break;
    }
  }
  trim(t);
  if (t.empty()) {
    push_insert(t, text(2));
  }
  return t;
}

std::string random_ops::order_key() {
  std::string lo = below(2) == 0 ? "" : std::string(1, "123456789abc"[below(12)]);
  return key_between(lo, below(3) == 0 ? "" : "d");
}

std::optional<target> random_ops::pick_item(const document& d) {
  const auto& items = d.fields.at("items").items;
  if (items.empty()) {
    return std::nullopt;
  }
  auto it = items.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(below(items.size())));
  return target{"items", it->first, {}};
}

target random_ops::pick_text(const document& d) {
  if (auto it = pick_item(d); it && below(2) == 0) {
    it->sub = "text";
    return *it;
  }
  return {below(3) == 0 ? "title" : "notes", {}, {}};
}

std::optional<op> random_ops::make(op_kind k, const document& d) {
  switch (k) {
    case op_kind::text: {
      const auto where = pick_text(d);
      const auto& state = d.fields.at(where.field);
      const auto& cell =
          where.item.empty() ? state.own : state.items.at(where.item).cells.at(where.sub);
      return op{where, text_edit(cell.text.size())};
    }
    case op_kind::set: {
      scalar v;
      target where{"level", {}, {}};
      switch (below(5)) {
        case 0:
          v.k = scalar::kind::scale;
          v.number = static_cast<std::int32_t>(below(11));
          break;
        case 1:
          where.field = "done";
          v.k = scalar::kind::checkbox;
          v.checked = below(2) == 0;
          break;
        case 2:
          where.field = "when";
          v.k = scalar::kind::date;
          v.text = "2026-0" + std::to_string(1 + below(9)) + "-1" + std::to_string(below(10));
          break;
        case 3:
          where.field = "mood";
          v.k = below(4) == 0 ? scalar::kind::empty : scalar::kind::choice;
          v.text = v.k == scalar::kind::empty ? "" : std::string(1, "abc"[below(3)]);
          break;
        default:
          if (auto it = pick_item(d)) {
            where = {it->field, it->item, "score"};
          }
          v.k = scalar::kind::scale;
          v.number = static_cast<std::int32_t>(below(11));
          break;
      }
      return op{where, set_op{v}};
    }
    case op_kind::insert:
      return op{{"items", prefix_ + std::to_string(next_item_++), {}}, insert_op{order_key()}};
    case op_kind::remove:
      if (auto it = pick_item(d)) {
        return op{*it, remove_op{}};
      }
      return std::nullopt;
    case op_kind::move:
      if (auto it = pick_item(d)) {
        return op{*it, move_op{order_key()}};
      }
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<op> random_ops::any(const document& d) {
  // Text edits dominate, as in real use.
  constexpr op_kind weighted[] = {op_kind::text, op_kind::text,   op_kind::text,   op_kind::set,
                                  op_kind::set,  op_kind::insert, op_kind::remove, op_kind::move};
  return make(weighted[below(std::size(weighted))], d);
}

document random_ops::state(std::size_t steps) {
  document d = empty_document(sample_template());
  for (std::size_t i = 0; i < steps; ++i) {
    if (auto o = any(d)) {
      apply_committed(d, sample_template(), *o, 1);
    }
  }
  return d;
}

}  // namespace hearth::worksheets::testing
