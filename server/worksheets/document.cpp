// Applying ops to a document: locating the target, checking the value against
// the template, changing the state.
#include "worksheets/document.hpp"

#include <algorithm>
#include <tuple>

#include "worksheets/order_key.hpp"
#include "worksheets/template_check.hpp"

namespace hearth::worksheets {
namespace {

using ftype = v1::WorksheetFieldType;

const v1::WorksheetField* find_field(
    const google::protobuf::RepeatedPtrField<v1::WorksheetField>& fields, const std::string& id) {
  for (const auto& f : fields) {
    if (f.id() == id) {
      return &f;
    }
  }
  return nullptr;
}

bool is_text(ftype t) {
  return t == v1::WORKSHEET_FIELD_TYPE_SHORT_TEXT || t == v1::WORKSHEET_FIELD_TYPE_LONG_TEXT;
}

bool is_list_op(const op& o) {
  return !std::holds_alternative<text_op>(o.what) && !std::holds_alternative<set_op>(o.what);
}

// Where an op lands: the list field's state and item for list ops; the field
// that types the value and its cell for text and set ops.
struct place {
  const v1::WorksheetField* field = nullptr;  // the top-level field
  const v1::WorksheetField* typed = nullptr;  // the field or item field holding the value
  field_state* state = nullptr;
  item* it = nullptr;
  cell* c = nullptr;
};

error locate(document& d, const v1::WorksheetTemplate& t, const op& o, place& p) {
  p.field = find_field(t.fields(), o.where.field);
  const auto state = d.fields.find(o.where.field);
  if (p.field == nullptr || state == d.fields.end()) {
    return error::malformed;
  }
  p.state = &state->second;
  const bool list = p.field->type() == v1::WORKSHEET_FIELD_TYPE_LIST;
  if (is_list_op(o)) {
    if (!list || o.where.item.empty() || !o.where.sub.empty()) {
      return error::malformed;
    }
    const auto it = p.state->items.find(o.where.item);
    p.it = it == p.state->items.end() ? nullptr : &it->second;
    return error::none;
  }
  if (o.where.item.empty()) {
    if (list || !o.where.sub.empty()) {
      return error::malformed;
    }
    p.typed = p.field;
    p.c = &p.state->own;
  } else {
    if (!list) {
      return error::malformed;
    }
    p.typed = find_field(p.field->item_fields(), o.where.sub);
    const auto it = p.state->items.find(o.where.item);
    if (it == p.state->items.end()) {
      return error::unknown_item;
    }
    p.it = &it->second;
    const auto c = p.it->cells.find(o.where.sub);
    if (p.typed == nullptr || c == p.it->cells.end()) {
      return error::malformed;
    }
    p.c = &c->second;
  }
  return is_text(p.typed->type()) == std::holds_alternative<text_op>(o.what) ? error::none
                                                                             : error::malformed;
}

error check_scalar(const v1::WorksheetField& f, const scalar& v) {
  using k = scalar::kind;
  switch (f.type()) {
    case v1::WORKSHEET_FIELD_TYPE_SCALE:
      if (v.k == k::empty) {
        return error::none;
      }
      if (v.k != k::scale) {
        return error::malformed;
      }
      return v.number < f.min() || v.number > f.max() ? error::out_of_range : error::none;
    case v1::WORKSHEET_FIELD_TYPE_CHECKBOX:
      return v.k == k::checkbox ? error::none : error::malformed;
    case v1::WORKSHEET_FIELD_TYPE_DATE:
      if (v.k == k::empty) {
        return error::none;
      }
      if (v.k != k::date) {
        return error::malformed;
      }
      return valid_date(v.text) ? error::none : error::bad_date;
    case v1::WORKSHEET_FIELD_TYPE_CHOICE:
      if (v.k == k::empty) {
        return error::none;
      }
      if (v.k != k::choice) {
        return error::malformed;
      }
      for (const auto& c : f.choices()) {
        if (c.id() == v.text) {
          return error::none;
        }
      }
      return error::bad_choice;
    default:
      return error::malformed;
  }
}

// A checkbox starts unchecked; every other value starts empty.
cell empty_cell(const v1::WorksheetField& f) {
  cell c;
  if (f.type() == v1::WORKSHEET_FIELD_TYPE_CHECKBOX) {
    c.value.k = scalar::kind::checkbox;
  }
  return c;
}

item new_item(const v1::WorksheetField& list, std::string order_key, std::uint32_t author) {
  item it;
  it.order_key = std::move(order_key);
  it.author = author;
  for (const auto& f : list.item_fields()) {
    it.cells[f.id()] = empty_cell(f);
  }
  return it;
}

// One body for both entry points: `checked` adds the template's limits.
error apply_op(document& d, const v1::WorksheetTemplate& t, const op& o, std::uint32_t author,
               bool checked) {
  place p;
  if (const auto e = locate(d, t, o, p); e != error::none) {
    return e;
  }
  if (const auto* text = std::get_if<text_op>(&o.what)) {
    auto next = apply_text(p.c->text, *text);
    if (!next) {
      return error::malformed;
    }
    if (checked && next->size() > text_limit(*p.typed)) {
      return error::too_long;
    }
    p.c->text = std::move(*next);
    return error::none;
  }
  if (const auto* set = std::get_if<set_op>(&o.what)) {
    if (checked) {
      if (const auto e = check_scalar(*p.typed, set->value); e != error::none) {
        return e;
      }
    }
    p.c->value = set->value;
    return error::none;
  }
  if (const auto* ins = std::get_if<insert_op>(&o.what)) {
    if (checked) {
      if (!valid_item_id(o.where.item)) {
        return error::malformed;
      }
      if (!valid_order_key(ins->order_key)) {
        return error::bad_order_key;
      }
      if (p.state->items.size() >= item_limit(*p.field)) {
        return error::too_many_items;
      }
    }
    if (p.it != nullptr) {
      return error::item_exists;
    }
    p.state->items.emplace(o.where.item, new_item(*p.field, ins->order_key, author));
    return error::none;
  }
  if (p.it == nullptr) {
    return error::unknown_item;
  }
  if (const auto* mv = std::get_if<move_op>(&o.what)) {
    if (checked && !valid_order_key(mv->order_key)) {
      return error::bad_order_key;
    }
    p.it->order_key = mv->order_key;
    return error::none;
  }
  p.it->removed = true;
  return error::none;
}

}  // namespace

document empty_document(const v1::WorksheetTemplate& t) {
  document d;
  for (const auto& f : t.fields()) {
    d.fields[f.id()].own = empty_cell(f);
  }
  return d;
}

error may_write(const v1::WorksheetTemplate& t, const sheet& s, const document& d, const writer& w,
                const op& o) {
  const bool staff = w.role == v1::ROLE_FACILITATOR || w.role == v1::ROLE_CO_FACILITATOR;
  if (w.role == v1::ROLE_OBSERVER || w.role == v1::ROLE_UNSPECIFIED) {
    return error::not_allowed;
  }
  if (!staff && s.scope == v1::WORKSHEET_SCOPE_PERSONAL && w.member != s.owner_member) {
    return error::not_allowed;
  }
  if (!staff && s.scope == v1::WORKSHEET_SCOPE_FAMILY &&
      (s.owner_family.empty() || w.family != s.owner_family)) {
    return error::not_allowed;
  }
  const auto* f = find_field(t.fields(), o.where.field);
  if (f == nullptr) {
    return error::malformed;
  }
  if (f->facilitator_only() && !staff) {
    return error::not_allowed;
  }
  if (f->own_rows() && !staff && s.scope != v1::WORKSHEET_SCOPE_PERSONAL &&
      !std::holds_alternative<insert_op>(o.what)) {
    const auto state = d.fields.find(o.where.field);
    if (state != d.fields.end()) {
      const auto it = state->second.items.find(o.where.item);
      if (it != state->second.items.end() && it->second.author != w.member) {
        return error::not_allowed;
      }
    }
  }
  return error::none;
}

error apply_checked(document& d, const v1::WorksheetTemplate& t, const op& o,
                    std::uint32_t author) {
  return apply_op(d, t, o, author, true);
}

bool apply_committed(document& d, const v1::WorksheetTemplate& t, const op& o,
                     std::uint32_t author) {
  return apply_op(d, t, o, author, false) == error::none;
}

bool valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
    return false;
  }
  constexpr std::size_t digit_at[] = {0, 1, 2, 3, 5, 6, 8, 9};
  for (const std::size_t i : digit_at) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  const int year = std::stoi(s.substr(0, 4));
  const int month = std::stoi(s.substr(5, 2));
  const int day = std::stoi(s.substr(8, 2));
  constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= days[static_cast<std::size_t>(month - 1)] + (month == 2 && leap ? 1 : 0);
}

bool valid_item_id(const std::string& id) {
  if (id.empty() || id.size() > 64) {
    return false;
  }
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::vector<std::pair<const std::string*, const item*>> items_in_order(const field_state& f) {
  std::vector<std::pair<const std::string*, const item*>> out;
  out.reserve(f.items.size());
  for (const auto& [id, entry] : f.items) {
    out.emplace_back(&id, &entry);
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return std::tie(x.second->order_key, *x.first) < std::tie(y.second->order_key, *y.first);
  });
  return out;
}

std::vector<std::string> filled_fields(const v1::WorksheetTemplate& t, const document& d) {
  std::vector<std::string> out;
  for (const auto& field : t.fields()) {
    auto it = d.fields.find(field.id());
    if (it == d.fields.end()) {
      continue;
    }
    const field_state& f = it->second;
    if (!f.own.text.empty() || f.own.value.k != scalar::kind::empty ||
        std::any_of(f.items.begin(), f.items.end(),
                    [](const auto& entry) { return !entry.second.removed; })) {
      out.push_back(field.id());
    }
  }
  return out;
}

}  // namespace hearth::worksheets
