// Template schema: identifiers, types, ranges, choices, list records, limits.
#include "worksheets/template_check.hpp"

#include <set>

namespace hearth::worksheets {
namespace {

constexpr std::size_t max_id = 64;
constexpr std::size_t max_label_bytes = 300;
constexpr std::size_t max_help_bytes = 1000;
constexpr std::size_t max_purpose_bytes = 2000;
constexpr int max_fields = 60;
constexpr int max_choices = 30;

bool is_text(v1::WorksheetFieldType t) {
  return t == v1::WORKSHEET_FIELD_TYPE_SHORT_TEXT || t == v1::WORKSHEET_FIELD_TYPE_LONG_TEXT;
}

std::string named(const std::string& prefix, const v1::WorksheetField& f) {
  return prefix + "field '" + f.id() + "': ";
}

std::string check_choices(const v1::WorksheetField& f, const std::string& where) {
  if (f.choices_size() < 2 || f.choices_size() > max_choices) {
    return where + "a choice needs 2 to 30 options";
  }
  std::set<std::string> ids;
  for (const auto& c : f.choices()) {
    if (!valid_id(c.id())) {
      return where + "option id '" + c.id() + "' is not 1-64 of [a-z0-9_]";
    }
    if (!ids.insert(c.id()).second) {
      return where + "option id '" + c.id() + "' appears twice";
    }
    if (c.label().empty() || c.label().size() > max_label_bytes) {
      return where + "option '" + c.id() + "' needs a label of 1-300 bytes";
    }
  }
  return {};
}

// Attributes that belong to another type are refused so that a typo in a
// template cannot silently mean nothing.
std::string check_attributes(const v1::WorksheetField& f, const std::string& where) {
  const auto t = f.type();
  if (f.max_length() != 0 && !is_text(t)) {
    return where + "max_length applies to text fields only";
  }
  if ((f.min() != 0 || f.max() != 0) && t != v1::WORKSHEET_FIELD_TYPE_SCALE) {
    return where + "min and max apply to scale fields only";
  }
  if (f.choices_size() != 0 && t != v1::WORKSHEET_FIELD_TYPE_CHOICE) {
    return where + "choices apply to choice fields only";
  }
  if ((f.item_fields_size() != 0 || f.max_items() != 0 || f.own_rows()) &&
      t != v1::WORKSHEET_FIELD_TYPE_LIST) {
    return where + "item_fields, max_items and own_rows apply to list fields only";
  }
  return {};
}

std::string check_field(const v1::WorksheetField& f, const std::string& prefix, bool in_item);

std::string check_fields(const google::protobuf::RepeatedPtrField<v1::WorksheetField>& fields,
                         const std::string& prefix, bool in_item) {
  std::set<std::string> ids;
  for (const auto& f : fields) {
    if (!valid_id(f.id())) {
      return prefix + "field id '" + f.id() + "' is not 1-64 of [a-z0-9_]";
    }
    if (!ids.insert(f.id()).second) {
      return prefix + "field id '" + f.id() + "' appears twice";
    }
    if (auto reason = check_field(f, prefix, in_item); !reason.empty()) {
      return reason;
    }
  }
  return {};
}

std::string check_field(const v1::WorksheetField& f, const std::string& prefix, bool in_item) {
  const std::string where = named(prefix, f);
  if (f.label().empty() || f.label().size() > max_label_bytes) {
    return where + "needs a label of 1-300 bytes";
  }
  if (f.help().size() > max_help_bytes) {
    return where + "help is longer than 1000 bytes";
  }
  if (auto reason = check_attributes(f, where); !reason.empty()) {
    return reason;
  }
  switch (f.type()) {
    case v1::WORKSHEET_FIELD_TYPE_SHORT_TEXT:
      return f.max_length() > max_short_text ? where + "max_length above 1000" : std::string{};
    case v1::WORKSHEET_FIELD_TYPE_LONG_TEXT:
      return f.max_length() > max_long_text ? where + "max_length above 50000" : std::string{};
    case v1::WORKSHEET_FIELD_TYPE_SCALE:
      if (f.min() >= f.max()) {
        return where + "min must be below max";
      }
      if (f.min() < -scale_bound || f.max() > scale_bound) {
        return where + "min and max must lie within -1000..1000";
      }
      return {};
    case v1::WORKSHEET_FIELD_TYPE_CHECKBOX:
    case v1::WORKSHEET_FIELD_TYPE_DATE:
      return {};
    case v1::WORKSHEET_FIELD_TYPE_CHOICE:
      return check_choices(f, where);
    case v1::WORKSHEET_FIELD_TYPE_LIST:
      if (in_item) {
        return where + "a list cannot hold a list";
      }
      if (f.item_fields_size() == 0) {
        return where + "a list needs at least one item field";
      }
      if (f.max_items() > max_max_items) {
        return where + "max_items above 500";
      }
      for (const auto& sub : f.item_fields()) {
        if (sub.facilitator_only()) {
          return where + "facilitator_only applies to whole fields, not item fields";
        }
      }
      return check_fields(f.item_fields(), where, true);
    case v1::WORKSHEET_FIELD_TYPE_UNSPECIFIED:
    default:
      return where + "has no type";
  }
}

}  // namespace

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > max_id) {
    return false;
  }
  for (const char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

std::uint32_t text_limit(const v1::WorksheetField& f) {
  if (f.max_length() != 0) {
    return f.max_length();
  }
  return f.type() == v1::WORKSHEET_FIELD_TYPE_LONG_TEXT ? default_long_text : default_short_text;
}

std::uint32_t item_limit(const v1::WorksheetField& f) {
  return f.max_items() != 0 ? f.max_items() : default_max_items;
}

std::string check_template(const v1::WorksheetTemplate& t) {
  if (!valid_id(t.id())) {
    return "template id '" + t.id() + "' is not 1-64 of [a-z0-9_]";
  }
  if (t.version() == 0) {
    return "template version must be 1 or more";
  }
  if (t.title().empty() || t.title().size() > max_label_bytes) {
    return "template needs a title of 1-300 bytes";
  }
  if (t.purpose().size() > max_purpose_bytes) {
    return "template purpose is longer than 2000 bytes";
  }
  if (t.default_scope() == v1::WORKSHEET_SCOPE_UNSPECIFIED) {
    return "template needs a scope (session, personal or family)";
  }
  if (t.fields_size() == 0 || t.fields_size() > max_fields) {
    return "template needs 1 to 60 fields";
  }
  return check_fields(t.fields(), "", false);
}

}  // namespace hearth::worksheets
