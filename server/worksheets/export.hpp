// A worksheet as a readable document for the clinical record: Markdown, or a
// standalone HTML5 page (inline CSS, nothing fetched). Pure: the caller gives
// the template version the sheet was made from, its document and a little
// metadata, the generation time included; no clock, no I/O. Every piece of
// text (the user's and the template's) is escaped for the format, so that no
// text can add structure, markup or script to the page.
#pragma once

#include <cstdint>
#include <string>

#include "hearth/v1/worksheet.pb.h"
#include "worksheets/document.hpp"

namespace hearth::worksheets {

enum class export_format : std::uint8_t { markdown, html };

struct export_meta {
  std::string instance_id;
  std::string session_id;
  v1::WorksheetScope scope = v1::WORKSHEET_SCOPE_UNSPECIFIED;
  // The personal sheet's owner or the family sheet's participant, as the
  // caller knows them; empty: not shown.
  std::string owner_name;
  std::uint64_t version = 0;         // commits applied
  std::int64_t generated_at_ms = 0;  // Unix epoch milliseconds, shown in UTC
};

// The whole document in `format`, UTF-8.
std::string render_export(const v1::WorksheetTemplate& t, const document& d, const export_meta& m,
                          export_format format);

// "text/markdown; charset=utf-8" or "text/html; charset=utf-8".
std::string export_media_type(export_format format);
// "<template id>-<instance id>", reduced to [A-Za-z0-9._-]: a file name
// without its extension.
std::string export_basename(const v1::WorksheetTemplate& t, const export_meta& m);
// The base name with ".md" or ".html".
std::string export_filename(const v1::WorksheetTemplate& t, const export_meta& m,
                            export_format format);

// "2026-11-27T05:30:00Z" (whole seconds).
std::string utc_timestamp(std::int64_t ms);

}  // namespace hearth::worksheets
