// Conversions between plain worksheet values and hearth.v1 messages.
#include "worksheets/codec.hpp"

#include "worksheets/unicode.hpp"

namespace hearth::worksheets {
namespace {

std::optional<scalar> scalar_from_wire(const v1::WorksheetValue& v) {
  scalar s;
  switch (v.value_case()) {
    case v1::WorksheetValue::kScale:
      s.k = scalar::kind::scale;
      s.number = v.scale();
      return s;
    case v1::WorksheetValue::kCheckbox:
      s.k = scalar::kind::checkbox;
      s.checked = v.checkbox();
      return s;
    case v1::WorksheetValue::kDate:
      s.k = scalar::kind::date;
      s.text = v.date();
      return s;
    case v1::WorksheetValue::kChoice:
      s.k = scalar::kind::choice;
      s.text = v.choice();
      return s;
    case v1::WorksheetValue::VALUE_NOT_SET:
      return s;
    case v1::WorksheetValue::kText:
    default:
      return std::nullopt;
  }
}

void scalar_to_wire(const scalar& s, v1::WorksheetValue* out) {
  switch (s.k) {
    case scalar::kind::empty:
      break;
    case scalar::kind::scale:
      out->set_scale(s.number);
      break;
    case scalar::kind::checkbox:
      out->set_checkbox(s.checked);
      break;
    case scalar::kind::date:
      out->set_date(s.text);
      break;
    case scalar::kind::choice:
      out->set_choice(s.text);
      break;
  }
}

std::optional<text_op> text_from_wire(const v1::TextEdit& w) {
  text_op t;
  for (const auto& c : w.components()) {
    switch (c.kind_case()) {
      case v1::TextComponent::kRetain:
        push_retain(t, c.retain());
        break;
      case v1::TextComponent::kInsert: {
        auto text = decode_utf8(c.insert());
        if (!text) {
          return std::nullopt;
        }
        push_insert(t, *text);
        break;
      }
      case v1::TextComponent::kDelete:
        push_erase(t, c.delete_());
        break;
      case v1::TextComponent::KIND_NOT_SET:
      default:
        return std::nullopt;
    }
  }
  trim(t);
  return t;
}

void cell_to_wire(const cell& c, v1::WorksheetValue* out) {
  if (!c.text.empty()) {
    out->set_text(encode_utf8(c.text));
  } else {
    scalar_to_wire(c.value, out);
  }
}

std::optional<cell> cell_from_wire(const v1::WorksheetValue& w) {
  cell c;
  if (w.value_case() == v1::WorksheetValue::kText) {
    auto text = decode_utf8(w.text());
    if (!text) {
      return std::nullopt;
    }
    c.text = std::move(*text);
    return c;
  }
  auto s = scalar_from_wire(w);
  if (!s) {
    return std::nullopt;
  }
  c.value = std::move(*s);
  return c;
}

}  // namespace

std::optional<op> op_from_wire(const v1::WorksheetOp& w) {
  op o;
  o.where = {w.target().field_id(), w.target().item_id(), w.target().sub_field()};
  if (o.where.field.empty()) {
    return std::nullopt;
  }
  switch (w.kind_case()) {
    case v1::WorksheetOp::kText: {
      auto t = text_from_wire(w.text());
      if (!t) {
        return std::nullopt;
      }
      o.what = std::move(*t);
      return o;
    }
    case v1::WorksheetOp::kSet: {
      auto s = scalar_from_wire(w.set());
      if (!s) {
        return std::nullopt;
      }
      o.what = set_op{std::move(*s)};
      return o;
    }
    case v1::WorksheetOp::kInsert:
      o.what = insert_op{w.insert().order_key()};
      return o;
    case v1::WorksheetOp::kRemove:
      o.what = remove_op{};
      return o;
    case v1::WorksheetOp::kMove:
      o.what = move_op{w.move().order_key()};
      return o;
    case v1::WorksheetOp::KIND_NOT_SET:
    default:
      return std::nullopt;
  }
}

v1::WorksheetOp op_to_wire(const op& o) {
  v1::WorksheetOp w;
  w.mutable_target()->set_field_id(o.where.field);
  w.mutable_target()->set_item_id(o.where.item);
  w.mutable_target()->set_sub_field(o.where.sub);
  if (const auto* t = std::get_if<text_op>(&o.what)) {
    auto* edit = w.mutable_text();
    for (const auto& p : t->parts) {
      auto* c = edit->add_components();
      switch (p.k) {
        case text_component::kind::retain:
          c->set_retain(p.count);
          break;
        case text_component::kind::insert:
          c->set_insert(encode_utf8(p.text));
          break;
        case text_component::kind::erase:
          c->set_delete_(p.count);
          break;
      }
    }
  } else if (const auto* s = std::get_if<set_op>(&o.what)) {
    scalar_to_wire(s->value, w.mutable_set());
  } else if (const auto* ins = std::get_if<insert_op>(&o.what)) {
    w.mutable_insert()->set_order_key(ins->order_key);
  } else if (const auto* mv = std::get_if<move_op>(&o.what)) {
    w.mutable_move()->set_order_key(mv->order_key);
  } else {
    w.mutable_remove();
  }
  return w;
}

std::optional<ops> ops_from_wire(const google::protobuf::RepeatedPtrField<v1::WorksheetOp>& w) {
  ops out;
  out.reserve(static_cast<std::size_t>(w.size()));
  for (const auto& one : w) {
    auto o = op_from_wire(one);
    if (!o) {
      return std::nullopt;
    }
    out.push_back(std::move(*o));
  }
  return out;
}

void ops_to_wire(const ops& o, google::protobuf::RepeatedPtrField<v1::WorksheetOp>* out) {
  for (const auto& one : o) {
    *out->Add() = op_to_wire(one);
  }
}

void document_to_wire(const document& d, v1::WorksheetDocument* out) {
  for (const auto& [id, state] : d.fields) {
    auto* f = out->add_fields();
    f->set_field_id(id);
    cell_to_wire(state.own, f->mutable_value());
    for (const auto& [item_id, it] : state.items) {
      auto* wi = f->add_items();
      wi->set_item_id(item_id);
      wi->set_order_key(it.order_key);
      wi->set_removed(it.removed);
      wi->set_author(it.author);
      for (const auto& [sub, c] : it.cells) {
        cell_to_wire(c, &(*wi->mutable_values())[sub]);
      }
    }
  }
}

std::optional<document> document_from_wire(const v1::WorksheetDocument& w) {
  document d;
  for (const auto& f : w.fields()) {
    auto& state = d.fields[f.field_id()];
    auto own = cell_from_wire(f.value());
    if (!own) {
      return std::nullopt;
    }
    state.own = std::move(*own);
    for (const auto& wi : f.items()) {
      auto& it = state.items[wi.item_id()];
      it.order_key = wi.order_key();
      it.removed = wi.removed();
      it.author = wi.author();
      for (const auto& [sub, v] : wi.values()) {
        auto c = cell_from_wire(v);
        if (!c) {
          return std::nullopt;
        }
        it.cells[sub] = std::move(*c);
      }
    }
  }
  return d;
}

}  // namespace hearth::worksheets
