// WorksheetTemplate to the JSON file format: what parse_template reads back
// to the same template (defaults written out: a list always with its
// item_fields, zero limits left out). Pure.
#include <boost/json.hpp>

#include "worksheets/labels.hpp"
#include "worksheets/template_json.hpp"

namespace hearth::worksheets {
namespace {

namespace json = boost::json;

json::object field_json(const v1::WorksheetField& f) {
  json::object o{{"id", f.id()}, {"type", field_type_label(f.type())}, {"label", f.label()}};
  if (!f.help().empty()) {
    o["help"] = f.help();
  }
  if (f.max_length() != 0) {
    o["max_length"] = f.max_length();
  }
  if (f.type() == v1::WORKSHEET_FIELD_TYPE_SCALE) {
    o["min"] = f.min();
    o["max"] = f.max();
  }
  if (f.choices_size() > 0) {
    json::array choices;
    for (const auto& c : f.choices()) {
      choices.push_back(json::object{{"id", c.id()}, {"label", c.label()}});
    }
    o["choices"] = std::move(choices);
  }
  if (f.item_fields_size() > 0) {
    json::array items;
    for (const auto& sub : f.item_fields()) {
      items.push_back(field_json(sub));
    }
    o["item_fields"] = std::move(items);
  }
  if (f.max_items() != 0) {
    o["max_items"] = f.max_items();
  }
  if (f.facilitator_only()) {
    o["facilitator_only"] = true;
  }
  if (f.own_rows()) {
    o["own_rows"] = true;
  }
  return o;
}

}  // namespace

std::string template_to_json(const v1::WorksheetTemplate& t) {
  json::array fields;
  for (const auto& f : t.fields()) {
    fields.push_back(field_json(f));
  }
  return json::serialize(json::object{{"id", t.id()},
                                      {"version", t.version()},
                                      {"title", t.title()},
                                      {"purpose", t.purpose()},
                                      {"scope", scope_label(t.default_scope())},
                                      {"fields", std::move(fields)}});
}

}  // namespace hearth::worksheets
