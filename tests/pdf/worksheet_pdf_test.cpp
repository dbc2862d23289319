// The worksheet PDF, read back the way a records system would: the text
// poppler extracts from it (pdftotext) and its page count (pdfinfo).
#include "pdf/worksheet_pdf.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "worksheets/template_json.hpp"
#include "worksheets/unicode.hpp"

namespace hearth::pdf {
namespace {

namespace ws = hearth::worksheets;

const char* const form_json = R"({"id":"plan","version":3,"title":"Relapse prevention plan",
  "purpose":"What helps, and who to call.","scope":"personal",
  "fields":[{"id":"notes","type":"long_text","label":"Warning signs"},
            {"id":"mood","type":"choice","label":"Mood","choices":[
              {"id":"a","label":"Calm"},{"id":"b","label":"Restless"}]},
            {"id":"level","type":"scale","label":"Craving"},
            {"id":"empty","type":"short_text","label":"Sponsor"},
            {"id":"people","type":"list","label":"People to call","max_items":50,"item_fields":[
              {"id":"name","type":"short_text","label":"Name"},
              {"id":"when","type":"short_text","label":"When"}]}]})";

v1::WorksheetTemplate form() { return *ws::parse_template(form_json).value; }

ws::item person(const std::string& key, const std::u32string& name, const std::u32string& when) {
  ws::item it;
  it.order_key = key;
  it.author = 1;
  it.cells["name"].text = name;
  it.cells["when"].text = when;
  return it;
}

ws::export_meta meta() {
  ws::export_meta m;
  m.instance_id = "ws-7";
  m.session_id = "iop-tue";
  m.scope = v1::WORKSHEET_SCOPE_PERSONAL;
  m.owner_name = "Sam R.";
  m.version = 12;
  m.generated_at_ms = 1'795'716'675'000;
  return m;
}

struct read_back {
  std::string text;
  int pages = 0;
};

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");  // NOLINT(cert-env33-c): a fixed tool on a temp file
  if (pipe == nullptr) {
    return out;
  }
  std::array<char, 4096> buffer{};
  for (std::size_t n = 0; (n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    out.append(buffer.data(), n);
  }
  pclose(pipe);
  return out;
}

read_back read(const std::string& pdf) {
  const auto path =
      std::filesystem::temp_directory_path() / ("hearth-pdf-" + std::to_string(getpid()) + ".pdf");
  std::ofstream(path, std::ios::binary) << pdf;
  read_back r;
  r.text = run("pdftotext -enc UTF-8 " + path.string() + " - 2>&1");
  const std::string info = run("pdfinfo " + path.string() + " 2>&1");
  if (auto at = info.find("Pages:"); at != std::string::npos) {
    r.pages = std::stoi(info.substr(at + 6));
  }
  std::filesystem::remove(path);
  return r;
}

ws::document filled() {
  ws::document d = ws::empty_document(form());
  d.fields["notes"].own.text =
      U"Skipping meetings. Café – naïve, Καλημέρα, Привет.\n<b>not bold</b> & %PDF-1.0";
  d.fields["mood"].own.value = {ws::scalar::kind::choice, 0, false, "b"};
  d.fields["level"].own.value = {ws::scalar::kind::scale, 7, false, {}};
  d.fields["people"].items["i2"] = person("b", U"Jordan", U"Evenings");
  d.fields["people"].items["i1"] = person("a", U"Alex", U"Any time");
  auto gone = person("c", U"Removed person", U"Never");
  gone.removed = true;
  d.fields["people"].items["i3"] = gone;
  return d;
}

TEST(worksheet_pdf, holds_every_field_the_other_formats_hold) {
  const auto pdf = render_worksheet(form(), filled(), meta());
  ASSERT_TRUE(pdf);
  ASSERT_EQ(pdf->rfind("%PDF-", 0), 0U);
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any test thread exists
  if (const char* keep = std::getenv("HEARTH_PDF_OUT"); keep != nullptr) {
    std::ofstream(keep, std::ios::binary) << *pdf;  // to look at it
  }
  const auto back = read(*pdf);
  EXPECT_EQ(back.pages, 1) << back.text;
  for (const char* expected : {"Relapse prevention plan",
                               "What helps, and who to call.",
                               "Worksheet: ws-7",
                               "Template: plan version 3",
                               "Session: iop-tue",
                               "Owner: Sam R.",
                               "Version: 12",
                               "Generated: 2026-11-26T",
                               "Warning signs",
                               "Skipping meetings.",
                               "Café – naïve",
                               "Καλημέρα",
                               "Привет",
                               "Mood",
                               "Restless",
                               "Craving",
                               "7 of 0-10",
                               "Sponsor",
                               "(empty)",
                               "People to call",
                               "Name: Alex",
                               "When: Any time",
                               "Name: Jordan",
                               "When: Evenings",
                               "page 1"}) {
    EXPECT_NE(back.text.find(expected), std::string::npos) << expected << "\n" << back.text;
  }
  // Items in the clients' order; removed ones left out.
  EXPECT_LT(back.text.find("Alex"), back.text.find("Jordan"));
  EXPECT_EQ(back.text.find("Removed person"), std::string::npos);
  // Text is never markup.
  EXPECT_NE(back.text.find("<b>not bold</b> & %PDF-1.0"), std::string::npos) << back.text;
}

TEST(worksheet_pdf, a_long_answer_breaks_across_pages_between_lines) {
  ws::document d = ws::empty_document(form());
  std::u32string text;
  for (int i = 1; i <= 150; ++i) {
    text += U"line " + ws::decode_utf8(std::to_string(i)).value() + U" of the answer\n";
  }
  text += U"last-line-of-the-answer";
  d.fields["notes"].own.text = text;
  const auto pdf = render_worksheet(form(), d, meta());
  ASSERT_TRUE(pdf);
  const auto back = read(*pdf);
  EXPECT_GE(back.pages, 3);
  for (int i = 1; i <= 150; ++i) {
    EXPECT_NE(back.text.find("line " + std::to_string(i) + " of the answer"), std::string::npos)
        << i;
  }
  EXPECT_NE(back.text.find("last-line-of-the-answer"), std::string::npos);
  EXPECT_NE(back.text.find("page 3"), std::string::npos);
  EXPECT_NE(back.text.find("People to call"), std::string::npos) << "what follows is still there";
}

TEST(worksheet_pdf, the_same_sheet_at_the_same_time_gives_the_same_file) {
  EXPECT_EQ(render_worksheet(form(), filled(), meta()), render_worksheet(form(), filled(), meta()));
}

}  // namespace
}  // namespace hearth::pdf
