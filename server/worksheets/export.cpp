// Rendering a worksheet for the clinical record as Markdown or HTML, both
// written from the same outline (export_outline.hpp), so that the formats
// always say the same thing.
#include "worksheets/export.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "worksheets/export_outline.hpp"
#include "worksheets/unicode.hpp"

namespace hearth::worksheets {
namespace {

// --- Markdown -------------------------------------------------------------

// Characters that make structure anywhere in a line are always
// backslash-escaped; those that do only at a line's start (list markers,
// headings' underlines, "1." and "1)") only there, so ordinary sentences stay
// readable. Leading blanks become no-break spaces (no indented code block),
// and a line break inside a value is a hard break continued at `indent` (an
// empty line would end the paragraph, so it holds one no-break space).
std::string md_text(const std::string& text, const std::string& indent) {
  static const std::u32string anywhere = U"\\`*_[]<>|~&#";
  static const std::u32string at_start = U"-+=";
  std::string out;
  bool line_start = true;   // nothing but blanks so far
  bool digits_only = true;  // nothing but blanks and digits so far
  bool line_empty = true;
  for (const char32_t c : tidy(text)) {
    if (c == U'\n') {
      out += line_empty ? "\u00a0  \n" + indent : "  \n" + indent;
      line_start = digits_only = line_empty = true;
      continue;
    }
    line_empty = false;
    if (line_start && (c == U' ' || c == U'\t')) {
      out += "\u00a0";
      continue;
    }
    const bool escape = anywhere.find(c) != std::u32string::npos ||
                        (line_start && at_start.find(c) != std::u32string::npos) ||
                        (digits_only && !line_start && (c == U'.' || c == U')'));
    line_start = false;
    digits_only = digits_only && c >= U'0' && c <= U'9';
    if (escape) {
      out += '\\';
    }
    out += encode_utf8(std::u32string(1, c));
  }
  return out;
}

std::string md_value(const std::optional<std::string>& v, const std::string& indent) {
  return v ? md_text(*v, indent) : "*(empty)*";
}

std::string markdown(const v1::WorksheetTemplate& t, const document& d, const export_meta& m) {
  std::string out = "# " + md_text(t.title(), "") + "\n\n";
  if (!t.purpose().empty()) {
    out += md_text(t.purpose(), "") + "\n\n";
  }
  for (const auto& line : about(t, m)) {
    out += "- **" + md_text(line.label, "") + ":** " + md_value(line.value, "  ") + "\n";
  }
  for (const auto& b : outline(t, d)) {
    out += "\n## " + md_text(b.label, "") + "\n\n";
    if (!b.is_list) {
      out += md_value(b.value, "") + "\n";
      continue;
    }
    if (b.items.empty()) {
      out += "*(empty)*\n";
      continue;
    }
    std::size_t n = 0;
    for (const auto& record : b.items) {
      const std::string number = std::to_string(++n) + ". ";
      const std::string indent(number.size(), ' ');
      if (b.plain_items) {
        out += number + md_value(record.front().value, indent) + "\n";
        continue;
      }
      for (std::size_t i = 0; i < record.size(); ++i) {
        out += (i == 0 ? number : indent) + "**" + md_text(record[i].label, "") + ":** " +
               md_value(record[i].value, indent) + (i + 1 < record.size() ? "  \n" : "\n");
      }
    }
  }
  return out;
}

// --- HTML -----------------------------------------------------------------

std::string html_text(const std::string& text) {
  std::string out;
  for (const char32_t c : tidy(text)) {
    switch (c) {
      case U'&':
        out += "&amp;";
        break;
      case U'<':
        out += "&lt;";
        break;
      case U'>':
        out += "&gt;";
        break;
      case U'"':
        out += "&quot;";
        break;
      case U'\'':
        out += "&#39;";
        break;
      default:
        out += encode_utf8(std::u32string(1, c));
    }
  }
  return out;
}

std::string html_value(const std::optional<std::string>& v) {
  return v ? "<span class=\"v\">" + html_text(*v) + "</span>"
           : "<span class=\"empty\">(empty)</span>";
}

// No external request of any kind: no links, images, fonts or scripts, and a
// policy that would refuse them if a viewer added any.
constexpr const char* html_head =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<style>\n"
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1a1a1a}\n"
    "h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #ccc}\n"
    "dl.about{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;color:#444}\n"
    "dl.about dt{font-weight:600}dl.about dd{margin:0}\n"
    ".v{white-space:pre-wrap;overflow-wrap:anywhere}.empty{color:#777;font-style:italic}\n"
    "ol.items>li{margin-bottom:.6rem}ol.items dl{margin:0}ol.items dt{font-weight:600}\n"
    "ol.items dd{margin:0 0 .2rem 0}\n"
    "@media print{body{margin:0;max-width:none}}\n"
    "</style>\n";

std::string html(const v1::WorksheetTemplate& t, const document& d, const export_meta& m) {
  std::string out = html_head;
  out += "<title>" + html_text(t.title()) + "</title>\n</head>\n<body>\n<h1>" +
         html_text(t.title()) + "</h1>\n";
  if (!t.purpose().empty()) {
    out += "<p class=\"purpose\">" + html_text(t.purpose()) + "</p>\n";
  }
  out += "<dl class=\"about\">\n";
  for (const auto& line : about(t, m)) {
    out += "<dt>" + html_text(line.label) + "</dt><dd>" + html_value(line.value) + "</dd>\n";
  }
  out += "</dl>\n";
  for (const auto& b : outline(t, d)) {
    out += "<section>\n<h2>" + html_text(b.label) + "</h2>\n";
    if (!b.is_list) {
      out += "<p>" + html_value(b.value) + "</p>\n</section>\n";
      continue;
    }
    if (b.items.empty()) {
      out += "<p>" + html_value(std::nullopt) + "</p>\n</section>\n";
      continue;
    }
    out += "<ol class=\"items\">\n";
    for (const auto& record : b.items) {
      if (b.plain_items) {
        out += "<li>" + html_value(record.front().value) + "</li>\n";
        continue;
      }
      out += "<li><dl>";
      for (const auto& part : record) {
        out += "<dt>" + html_text(part.label) + "</dt><dd>" + html_value(part.value) + "</dd>";
      }
      out += "</dl></li>\n";
    }
    out += "</ol>\n</section>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace

std::string render_export(const v1::WorksheetTemplate& t, const document& d, const export_meta& m,
                          export_format format) {
  return format == export_format::html ? html(t, d, m) : markdown(t, d, m);
}

std::string export_media_type(export_format format) {
  return format == export_format::html ? "text/html; charset=utf-8"
                                       : "text/markdown; charset=utf-8";
}

std::string export_filename(const v1::WorksheetTemplate& t, const export_meta& m,
                            export_format format) {
  return export_basename(t, m) + (format == export_format::html ? ".html" : ".md");
}

std::string export_basename(const v1::WorksheetTemplate& t, const export_meta& m) {
  std::string name = t.id() + "-" + m.instance_id;
  for (char& c : name) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    if (!safe) {
      c = '_';
    }
  }
  return name;
}

std::string utc_timestamp(std::int64_t ms) {
  // Days to a civil date: Howard Hinnant's days_from_civil, inverted.
  std::int64_t seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const std::int64_t rest = seconds - days * 86400;
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  auto two = [](std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  return std::to_string(year) + "-" + two(month) + "-" + two(day) + "T" + two(rest / 3600) + ":" +
         two(rest % 3600 / 60) + ":" + two(rest % 60) + "Z";
}

}  // namespace hearth::worksheets
