// JSON to WorksheetTemplate, strictly: every key must be known and typed.
#include "worksheets/template_json.hpp"

#include <boost/json.hpp>
#include <limits>
#include <map>
#include <set>

#include "worksheets/template_check.hpp"

namespace hearth::worksheets {
namespace {

namespace json = boost::json;

// Parsing stops at the first problem; the reason travels up as a string.
struct reader {
  std::string error;

  bool fail(std::string why) {
    if (error.empty()) {
      error = std::move(why);
    }
    return false;
  }

  bool only_keys(const json::object& o, const std::set<std::string_view>& known,
                 const std::string& where) {
    for (const auto& kv : o) {
      if (known.count(kv.key()) == 0) {
        return fail(where + "unknown key '" + std::string(kv.key()) + "'");
      }
    }
    return true;
  }

  bool text(const json::object& o, std::string_view key, std::string* out,
            const std::string& where) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) {
      return true;
    }
    if (!v->is_string()) {
      return fail(where + "'" + std::string(key) + "' must be a string");
    }
    *out = std::string(v->as_string());
    return true;
  }

  bool integer(const json::object& o, std::string_view key, std::int64_t lo, std::int64_t hi,
               std::int64_t* out, const std::string& where) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) {
      return true;
    }
    if (!v->is_int64() || v->as_int64() < lo || v->as_int64() > hi) {
      return fail(where + "'" + std::string(key) + "' must be a whole number in range");
    }
    *out = v->as_int64();
    return true;
  }

  bool flag(const json::object& o, std::string_view key, bool* out, const std::string& where) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) {
      return true;
    }
    if (!v->is_bool()) {
      return fail(where + "'" + std::string(key) + "' must be true or false");
    }
    *out = v->as_bool();
    return true;
  }

  bool field(const json::value& v, v1::WorksheetField* f, const std::string& prefix);
  bool choices(const json::object& o, v1::WorksheetField* f, const std::string& where);
};

const std::map<std::string_view, v1::WorksheetFieldType>& type_names() {
  static const std::map<std::string_view, v1::WorksheetFieldType> names = {
      {"short_text", v1::WORKSHEET_FIELD_TYPE_SHORT_TEXT},
      {"long_text", v1::WORKSHEET_FIELD_TYPE_LONG_TEXT},
      {"scale", v1::WORKSHEET_FIELD_TYPE_SCALE},
      {"checkbox", v1::WORKSHEET_FIELD_TYPE_CHECKBOX},
      {"date", v1::WORKSHEET_FIELD_TYPE_DATE},
      {"choice", v1::WORKSHEET_FIELD_TYPE_CHOICE},
      {"list", v1::WORKSHEET_FIELD_TYPE_LIST}};
  return names;
}

bool reader::choices(const json::object& o, v1::WorksheetField* f, const std::string& where) {
  const auto* v = o.if_contains("choices");
  if (v == nullptr) {
    return true;
  }
  if (!v->is_array()) {
    return fail(where + "'choices' must be an array");
  }
  for (const auto& c : v->as_array()) {
    if (!c.is_object()) {
      return fail(where + "each choice must be an object");
    }
    const auto& co = c.as_object();
    auto* out = f->add_choices();
    if (!only_keys(co, {"id", "label"}, where + "choice: ") ||
        !text(co, "id", out->mutable_id(), where) ||
        !text(co, "label", out->mutable_label(), where)) {
      return false;
    }
  }
  return true;
}

bool reader::field(const json::value& v, v1::WorksheetField* f, const std::string& prefix) {
  if (!v.is_object()) {
    return fail(prefix + "each field must be an object");
  }
  const auto& o = v.as_object();
  if (!text(o, "id", f->mutable_id(), prefix)) {
    return false;
  }
  const std::string where = prefix + "field '" + f->id() + "': ";
  std::string type;
  std::int64_t max_length = 0;
  std::int64_t min = 0;
  std::int64_t max = 10;
  std::int64_t max_items = 0;
  bool facilitator_only = false;
  bool own_rows = false;
  constexpr std::int64_t big = std::numeric_limits<std::int32_t>::max();
  if (!only_keys(o,
                 {"id", "label", "help", "type", "max_length", "min", "max", "choices",
                  "item_fields", "max_items", "facilitator_only", "own_rows"},
                 where) ||
      !text(o, "label", f->mutable_label(), where) || !text(o, "help", f->mutable_help(), where) ||
      !text(o, "type", &type, where) || !integer(o, "max_length", 0, big, &max_length, where) ||
      !integer(o, "min", -big, big, &min, where) || !integer(o, "max", -big, big, &max, where) ||
      !integer(o, "max_items", 0, big, &max_items, where) ||
      !flag(o, "facilitator_only", &facilitator_only, where) ||
      !flag(o, "own_rows", &own_rows, where) || !choices(o, f, where)) {
    return false;
  }
  const auto known = type_names().find(type);
  if (known == type_names().end()) {
    return fail(where + "unknown type '" + type + "'");
  }
  f->set_type(known->second);
  f->set_max_length(static_cast<std::uint32_t>(max_length));
  f->set_max_items(static_cast<std::uint32_t>(max_items));
  f->set_facilitator_only(facilitator_only);
  f->set_own_rows(own_rows);
  if (f->type() == v1::WORKSHEET_FIELD_TYPE_SCALE) {
    f->set_min(static_cast<std::int32_t>(min));
    f->set_max(static_cast<std::int32_t>(max));
  } else if (o.contains("min") || o.contains("max")) {
    return fail(where + "min and max apply to scale fields only");
  }
  if (const auto* items = o.if_contains("item_fields"); items != nullptr) {
    if (!items->is_array()) {
      return fail(where + "'item_fields' must be an array");
    }
    for (const auto& sub : items->as_array()) {
      if (!field(sub, f->add_item_fields(), where)) {
        return false;
      }
    }
  } else if (f->type() == v1::WORKSHEET_FIELD_TYPE_LIST) {
    auto* sub = f->add_item_fields();
    sub->set_id("text");
    sub->set_label(f->label());
    sub->set_type(v1::WORKSHEET_FIELD_TYPE_SHORT_TEXT);
  }
  return true;
}

const std::map<std::string_view, v1::WorksheetScope>& scope_names() {
  static const std::map<std::string_view, v1::WorksheetScope> names = {
      {"session", v1::WORKSHEET_SCOPE_SESSION},
      {"personal", v1::WORKSHEET_SCOPE_PERSONAL},
      {"family", v1::WORKSHEET_SCOPE_FAMILY}};
  return names;
}

}  // namespace

template_result parse_template(std::string_view text) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec) {
    return {std::nullopt, "not valid JSON: " + ec.message()};
  }
  if (!doc.is_object()) {
    return {std::nullopt, "a template must be a JSON object"};
  }
  const auto& o = doc.as_object();
  reader r;
  v1::WorksheetTemplate t;
  std::int64_t version = 0;
  std::string scope;
  if (!r.only_keys(o, {"id", "version", "title", "purpose", "scope", "fields"}, "") ||
      !r.text(o, "id", t.mutable_id(), "") ||
      !r.integer(o, "version", 1, std::numeric_limits<std::uint32_t>::max(), &version, "") ||
      !r.text(o, "title", t.mutable_title(), "") ||
      !r.text(o, "purpose", t.mutable_purpose(), "") || !r.text(o, "scope", &scope, "")) {
    return {std::nullopt, r.error};
  }
  t.set_version(static_cast<std::uint32_t>(version));
  if (const auto s = scope_names().find(scope); s != scope_names().end()) {
    t.set_default_scope(s->second);
  } else {
    return {std::nullopt, "unknown scope '" + scope + "'"};
  }
  const auto* fields = o.if_contains("fields");
  if (fields == nullptr || !fields->is_array()) {
    return {std::nullopt, "'fields' must be an array"};
  }
  for (const auto& f : fields->as_array()) {
    if (!r.field(f, t.add_fields(), "")) {
      return {std::nullopt, r.error};
    }
  }
  if (auto reason = check_template(t); !reason.empty()) {
    return {std::nullopt, reason};
  }
  return {std::move(t), {}};
}

}  // namespace hearth::worksheets
