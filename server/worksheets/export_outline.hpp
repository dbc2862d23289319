// The format-free outline every worksheet export is written from: labels and
// display values in template order, list items as clients order them with
// removed ones left out, and the few lines about the sheet. Markdown, HTML
// and PDF all write this, so they always say the same thing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hearth/v1/worksheet.pb.h"
#include "worksheets/document.hpp"
#include "worksheets/export.hpp"

namespace hearth::worksheets {

// One value as shown: nothing means the field is empty.
struct shown {
  std::string label;
  std::optional<std::string> value;
};

struct block {
  std::string label;
  bool is_list = false;
  std::optional<std::string> value;       // fields other than lists
  bool plain_items = false;               // a list of one value per item: no labels
  std::vector<std::vector<shown>> items;  // list fields, in display order
};

std::vector<block> outline(const v1::WorksheetTemplate& t, const document& d);
// Which sheet, from which template version, whose, and when it was made.
std::vector<shown> about(const v1::WorksheetTemplate& t, const export_meta& m);
// Text as code points with line breaks made "\n" and other control
// characters (never meaningful in a worksheet) made U+FFFD, so that no
// format meets a character it cannot show.
std::u32string tidy(const std::string& utf8);

}  // namespace hearth::worksheets
