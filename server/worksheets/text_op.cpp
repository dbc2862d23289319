// Text operations: canonical building, apply, transform.
#include "worksheets/text_op.hpp"

#include <algorithm>
#include <limits>

namespace hearth::worksheets {
namespace {

using kind = text_component::kind;

// Reads an op one piece at a time. Inserts come out whole: a transform never
// splits inserted text. Past the end, the op reads as an endless retain.
class cursor {
 public:
  explicit cursor(const text_op& op) : op_(op) {}

  bool done() const { return index_ >= op_.parts.size(); }
  bool at_insert() const { return !done() && op_.parts[index_].k == kind::insert; }

  text_component take(std::uint32_t most) {
    if (done()) {
      return {kind::retain, most, {}};
    }
    const auto& part = op_.parts[index_];
    if (part.k == kind::insert) {
      ++index_;
      return part;
    }
    const std::uint32_t n = std::min(most, part.count - offset_);
    offset_ += n;
    if (offset_ == part.count) {
      ++index_;
      offset_ = 0;
    }
    return {part.k, n, {}};
  }

 private:
  const text_op& op_;
  std::size_t index_ = 0;
  std::uint32_t offset_ = 0;
};

void push(text_op& op, const text_component& c) {
  switch (c.k) {
    case kind::retain:
      push_retain(op, c.count);
      break;
    case kind::insert:
      push_insert(op, c.text);
      break;
    case kind::erase:
      push_erase(op, c.count);
      break;
  }
}

constexpr std::uint32_t all = std::numeric_limits<std::uint32_t>::max();

}  // namespace

void push_retain(text_op& op, std::uint32_t count) {
  if (count == 0) {
    return;
  }
  if (!op.parts.empty() && op.parts.back().k == kind::retain) {
    op.parts.back().count += count;
  } else {
    op.parts.push_back({kind::retain, count, {}});
  }
}

void push_insert(text_op& op, std::u32string_view text) {
  if (text.empty()) {
    return;
  }
  auto& parts = op.parts;
  // Deleting then inserting at one position equals inserting then deleting;
  // the canonical form puts the insert first so equal edits compare equal.
  auto at = parts.end();
  if (!parts.empty() && parts.back().k == kind::erase) {
    --at;
  }
  if (at != parts.begin() && std::prev(at)->k == kind::insert) {
    std::prev(at)->text.append(text);
  } else {
    parts.insert(at, {kind::insert, 0, std::u32string(text)});
  }
}

void push_erase(text_op& op, std::uint32_t count) {
  if (count == 0) {
    return;
  }
  if (!op.parts.empty() && op.parts.back().k == kind::erase) {
    op.parts.back().count += count;
  } else {
    op.parts.push_back({kind::erase, count, {}});
  }
}

void trim(text_op& op) {
  if (!op.parts.empty() && op.parts.back().k == kind::retain) {
    op.parts.pop_back();
  }
}

std::uint32_t base_length(const text_op& op) {
  std::uint32_t n = 0;
  for (const auto& p : op.parts) {
    if (p.k != kind::insert) {
      n += p.count;
    }
  }
  return n;
}

std::optional<std::u32string> apply_text(const std::u32string& text, const text_op& op) {
  if (base_length(op) > text.size()) {
    return std::nullopt;
  }
  std::u32string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (const auto& p : op.parts) {
    switch (p.k) {
      case kind::retain:
        out.append(text, pos, p.count);
        pos += p.count;
        break;
      case kind::insert:
        out.append(p.text);
        break;
      case kind::erase:
        pos += p.count;
        break;
    }
  }
  out.append(text, pos, std::u32string::npos);
  return out;
}

text_op transform_text(const text_op& op, const text_op& other, tie t) {
  text_op out;
  cursor c(op);
  for (const auto& o : other.parts) {
    switch (o.k) {
      case kind::retain:
        for (std::uint32_t n = o.count; n > 0;) {
          const auto piece = c.take(n);
          push(out, piece);
          if (piece.k != kind::insert) {
            n -= piece.count;
          }
        }
        break;
      case kind::insert:
        if (t == tie::op_first && c.at_insert()) {
          push(out, c.take(all));
        }
        push_retain(out, static_cast<std::uint32_t>(o.text.size()));
        break;
      case kind::erase:
        // Characters the other side deleted are gone: what `op` retained or
        // deleted there drops out, what it inserted there stays.
        for (std::uint32_t n = o.count; n > 0;) {
          const auto piece = c.take(n);
          if (piece.k == kind::insert) {
            push(out, piece);
          } else {
            n -= piece.count;
          }
        }
        break;
    }
  }
  while (!c.done()) {
    push(out, c.take(all));
  }
  trim(out);
  return out;
}

}  // namespace hearth::worksheets
