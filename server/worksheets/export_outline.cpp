// The export outline (export_outline.hpp).
#include "worksheets/export_outline.hpp"

#include "worksheets/labels.hpp"
#include "worksheets/unicode.hpp"

namespace hearth::worksheets {
namespace {

std::optional<std::string> display(const v1::WorksheetField& f, const cell& c) {
  switch (f.type()) {
    case v1::WORKSHEET_FIELD_TYPE_SHORT_TEXT:
    case v1::WORKSHEET_FIELD_TYPE_LONG_TEXT:
      if (c.text.empty()) {
        return std::nullopt;
      }
      return encode_utf8(c.text);
    case v1::WORKSHEET_FIELD_TYPE_SCALE:
      if (c.value.k != scalar::kind::scale) {
        return std::nullopt;
      }
      return std::to_string(c.value.number) + " of " + std::to_string(f.min()) + "-" +
             std::to_string(f.max());
    case v1::WORKSHEET_FIELD_TYPE_CHECKBOX:
      // A checkbox is never empty: unset reads as not ticked.
      return std::string(c.value.k == scalar::kind::checkbox && c.value.checked ? "Yes" : "No");
    case v1::WORKSHEET_FIELD_TYPE_DATE:
      if (c.value.k != scalar::kind::date) {
        return std::nullopt;
      }
      return c.value.text;
    case v1::WORKSHEET_FIELD_TYPE_CHOICE: {
      if (c.value.k != scalar::kind::choice) {
        return std::nullopt;
      }
      for (const auto& choice : f.choices()) {
        if (choice.id() == c.value.text) {
          return choice.label();
        }
      }
      return c.value.text;
    }
    case v1::WORKSHEET_FIELD_TYPE_LIST:
    case v1::WORKSHEET_FIELD_TYPE_UNSPECIFIED:
    default:
      return std::nullopt;
  }
}

const cell& cell_of(const std::map<std::string, cell>& cells, const std::string& id) {
  static const cell none;
  auto it = cells.find(id);
  return it == cells.end() ? none : it->second;
}

block list_block(const v1::WorksheetField& f, const field_state* state) {
  block b{f.label(), true, std::nullopt, f.item_fields_size() == 1, {}};
  if (state == nullptr) {
    return b;
  }
  // Shown as every client shows them; removed items are hidden there too.
  for (const auto& [id, it] : items_in_order(*state)) {
    if (it->removed) {
      continue;
    }
    std::vector<shown> record;
    for (const auto& sub : f.item_fields()) {
      record.push_back({sub.label(), display(sub, cell_of(it->cells, sub.id()))});
    }
    b.items.push_back(std::move(record));
  }
  return b;
}

}  // namespace

std::vector<block> outline(const v1::WorksheetTemplate& t, const document& d) {
  std::vector<block> out;
  for (const auto& f : t.fields()) {
    auto it = d.fields.find(f.id());
    const field_state* state = it == d.fields.end() ? nullptr : &it->second;
    if (f.type() == v1::WORKSHEET_FIELD_TYPE_LIST) {
      out.push_back(list_block(f, state));
    } else {
      static const cell none;
      out.push_back(
          {f.label(), false, display(f, state == nullptr ? none : state->own), false, {}});
    }
  }
  return out;
}

std::vector<shown> about(const v1::WorksheetTemplate& t, const export_meta& m) {
  std::vector<shown> out = {
      {"Worksheet", m.instance_id},
      {"Template", t.id() + " version " + std::to_string(t.version())},
      {"Session", m.session_id},
      {"Scope", scope_label(m.scope)},
  };
  if (!m.owner_name.empty()) {
    out.push_back({m.scope == v1::WORKSHEET_SCOPE_FAMILY ? "Family of" : "Owner", m.owner_name});
  }
  out.push_back({"Version", std::to_string(m.version)});
  out.push_back({"Generated", utc_timestamp(m.generated_at_ms)});
  return out;
}

std::u32string tidy(const std::string& utf8) {
  auto decoded = decode_utf8(utf8);
  std::u32string in = decoded ? *decoded : U"\uFFFD";
  std::u32string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char32_t c = in[i];
    if (c == U'\r') {
      out.push_back(U'\n');
      if (i + 1 < in.size() && in[i + 1] == U'\n') {
        ++i;
      }
    } else if (c == U'\n' || c == U'\t' || (c >= 0x20 && c != 0x7f && (c < 0x80 || c > 0x9f))) {
      out.push_back(c);
    } else {
      out.push_back(U'\uFFFD');
    }
  }
  return out;
}

}  // namespace hearth::worksheets
