// A worksheet as a PDF document (A4) for the clinical record: the same
// outline as the Markdown and HTML exports (worksheets/export_outline.hpp),
// laid out by Pango, so any script a font on the machine covers is shaped
// and wrapped properly. Text is set as plain text, never markup. Characters
// no installed font covers show as boxes (fonts-dejavu-core covers Latin,
// Greek and Cyrillic; a clinic may install more fonts).
#pragma once

#include <optional>
#include <string>

#include "hearth/v1/worksheet.pb.h"
#include "worksheets/document.hpp"
#include "worksheets/export.hpp"

namespace hearth::pdf {

// The PDF file's bytes; nothing if cairo could not write it.
std::optional<std::string> render_worksheet(const v1::WorksheetTemplate& t,
                                            const worksheets::document& d,
                                            const worksheets::export_meta& m);

inline constexpr const char* pdf_media_type = "application/pdf";

}  // namespace hearth::pdf
