// Reads a worksheet template from its JSON file format (worksheets/templates/
// in the repository; see docs/worksheets.md) and checks it against the schema.
// Takes the file's contents: the caller does the reading. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hearth/v1/worksheet.pb.h"

namespace hearth::worksheets {

struct template_result {
  std::optional<v1::WorksheetTemplate> value;  // set when valid
  std::string error;                           // why not, otherwise
};

// Unknown keys are refused. A scale without min and max is 0..10; a list
// without item_fields holds one short text per item, item field "text".
template_result parse_template(std::string_view json);

// The template in the same format (template_json_write.cpp); parse_template
// reads it back to an equal template.
std::string template_to_json(const v1::WorksheetTemplate& t);

}  // namespace hearth::worksheets
