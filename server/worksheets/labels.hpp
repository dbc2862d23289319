// The words for a sheet's scope and sharing, as the store keeps them, audit
// details name them and clients print them: one vocabulary for all.
#pragma once

#include <optional>
#include <string>

#include "hearth/v1/worksheet.pb.h"

namespace hearth::worksheets {

// "session", "personal", "family" ("unspecified" for anything else).
std::string scope_label(v1::WorksheetScope scope);
std::optional<v1::WorksheetScope> scope_from(const std::string& label);

// "short_text", "long_text", "scale", "checkbox", "date", "choice", "list",
// as template files name them ("unspecified" for anything else).
std::string field_type_label(v1::WorksheetFieldType type);

// "group", "family", "none".
std::string sharing_label(v1::WorksheetSharing sharing);
// An unknown word is "not shared".
v1::WorksheetSharing sharing_from(const std::string& label);

}  // namespace hearth::worksheets
