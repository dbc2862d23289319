// The schema every worksheet template must satisfy, whether shipped in the
// repository or written by a facilitator. Pure; runs on any thread.
#pragma once

#include <string>

#include "hearth/v1/worksheet.pb.h"

namespace hearth::worksheets {

// Largest values a template may declare; the defaults apply when a field
// leaves max_length or max_items at 0.
inline constexpr std::uint32_t default_short_text = 200;
inline constexpr std::uint32_t default_long_text = 5000;
inline constexpr std::uint32_t max_short_text = 1000;
inline constexpr std::uint32_t max_long_text = 50000;
inline constexpr std::uint32_t default_max_items = 50;
inline constexpr std::uint32_t max_max_items = 500;
inline constexpr int scale_bound = 1000;

// Returns an empty string when `t` is a valid template, else the first reason
// it is not ("field 'risk': min must be below max"). Reasons name template ids,
// never user content.
std::string check_template(const v1::WorksheetTemplate& t);

// Whether `id` is a well-formed identifier: 1 to 64 of [a-z0-9_].
bool valid_id(const std::string& id);

// The text limit in code points of a short or long text field.
std::uint32_t text_limit(const v1::WorksheetField& f);

// The item limit of a list field.
std::uint32_t item_limit(const v1::WorksheetField& f);

}  // namespace hearth::worksheets
