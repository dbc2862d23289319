// The export renderer through its public interface: every field type shown
// readably, list items in order with removed ones left out, empty fields
// marked, and no text (the user's or the template's) able to add markup to
// the HTML or structure to the Markdown.
#include <gtest/gtest.h>

#include "worksheets/export.hpp"
#include "worksheets/template_json.hpp"

namespace hearth::worksheets {
namespace {

const v1::WorksheetTemplate& form() {
  static const v1::WorksheetTemplate t =
      *parse_template(
           R"({"id":"every","version":3,"title":"Every <kind> & field","purpose":"For tests.",
        "scope":"personal","fields":[
        {"id":"short","type":"short_text","label":"Short"},
        {"id":"long","type":"long_text","label":"Long"},
        {"id":"level","type":"scale","label":"Level","min":1,"max":5},
        {"id":"done","type":"checkbox","label":"Done"},
        {"id":"when","type":"date","label":"When"},
        {"id":"mood","type":"choice","label":"Mood","choices":[{"id":"ok","label":"Doing OK"},{"id":"low","label":"Low"}]},
        {"id":"signs","type":"list","label":"Signs"},
        {"id":"people","type":"list","label":"People","item_fields":[
          {"id":"name","type":"short_text","label":"Name"},
          {"id":"phone","type":"short_text","label":"Phone"}]}]})")
           .value;
  return t;
}

const export_meta meta{"ws-7", "iop-tue", v1::WORKSHEET_SCOPE_PERSONAL, "Ann", 12, 1795532461207};

cell text(const std::u32string& s) { return {s, {}}; }
cell value(scalar::kind k, std::int32_t n = 0, bool checked = false, std::string s = {}) {
  return {{}, {k, n, checked, std::move(s)}};
}

item entry(std::string key, std::map<std::string, cell> cells, bool removed = false) {
  return {std::move(key), removed, 1, std::move(cells)};
}

document filled() {
  document d = empty_document(form());
  d.fields["short"].own = text(U"Sleep early");
  d.fields["long"].own = text(U"First line\nsecond line");
  d.fields["level"].own = value(scalar::kind::scale, 4);
  d.fields["done"].own = value(scalar::kind::checkbox, 0, true);
  d.fields["when"].own = value(scalar::kind::date, 0, false, "2026-11-27");
  d.fields["mood"].own = value(scalar::kind::choice, 0, false, "low");
  // Keys decide the order, not ids or insertion; "b" is removed.
  d.fields["signs"].items["a"] = entry("m", {{"text", text(U"bravo")}});
  d.fields["signs"].items["b"] = entry("h", {{"text", text(U"gone")}}, true);
  d.fields["signs"].items["c"] = entry("c", {{"text", text(U"alpha")}});
  d.fields["signs"].items["d"] = entry("m", {{"text", text(U"charlie")}});  // tie: by id
  d.fields["people"].items["p1"] =
      entry("k", {{"name", text(U"Sam")}, {"phone", text(U"555-0100")}});
  d.fields["people"].items["p2"] = entry("b", {{"name", text(U"Kim")}});
  return d;
}

std::string md(const document& d) {
  return render_export(form(), d, meta, export_format::markdown);
}
std::string html(const document& d) { return render_export(form(), d, meta, export_format::html); }

std::size_t at(const std::string& haystack, const std::string& needle) {
  const auto pos = haystack.find(needle);
  EXPECT_NE(pos, std::string::npos) << "missing: " << needle << "\nin:\n" << haystack;
  return pos;
}

TEST(Export, MarkdownShowsEveryFieldType) {
  const auto out = md(filled());
  at(out, "# Every \\<kind\\> \\& field\n");
  at(out, "## Short\n\nSleep early\n");
  at(out, "## Long\n\nFirst line  \nsecond line\n");
  at(out, "## Level\n\n4 of 1-5\n");
  at(out, "## Done\n\nYes\n");
  at(out, "## When\n\n2026-11-27\n");
  at(out, "## Mood\n\nLow\n");
  at(out,
     "1. **Name:** Kim  \n   **Phone:** *(empty)*\n2. **Name:** Sam  \n   **Phone:** 555-0100\n");
  at(out, "- **Worksheet:** ws-7\n");
  at(out, "- **Owner:** Ann\n");
  at(out, "- **Version:** 12\n");
  at(out, "- **Generated:** 2026-11-24T15:01:01Z\n");
}

TEST(Export, HtmlShowsEveryFieldType) {
  const auto out = html(filled());
  EXPECT_EQ(out.rfind("<!DOCTYPE html>\n", 0), 0U);
  at(out, "<title>Every &lt;kind&gt; &amp; field</title>");
  at(out, "<h2>Level</h2>\n<p><span class=\"v\">4 of 1-5</span></p>");
  at(out, "<h2>Done</h2>\n<p><span class=\"v\">Yes</span></p>");
  at(out, "<h2>When</h2>\n<p><span class=\"v\">2026-11-27</span></p>");
  at(out, "<h2>Mood</h2>\n<p><span class=\"v\">Low</span></p>");
  at(out, "<span class=\"v\">First line\nsecond line</span>");
  at(out, "<dt>Phone</dt><dd><span class=\"empty\">(empty)</span></dd>");
  at(out, "<dt>Owner</dt><dd><span class=\"v\">Ann</span></dd>");
  EXPECT_TRUE(out.size() > 7 && out.substr(out.size() - 8) == "</html>\n");
}

TEST(Export, ListItemsFollowOrderKeysWithoutRemovedOnes) {
  for (const auto& out : {md(filled()), html(filled())}) {
    const auto first = at(out, "alpha");
    const auto second = at(out, "bravo");
    const auto third = at(out, "charlie");
    EXPECT_LT(first, second);
    EXPECT_LT(second, third);
    EXPECT_EQ(out.find("gone"), std::string::npos);
    EXPECT_LT(at(out, "Kim"), at(out, "Sam"));
  }
}

TEST(Export, EmptyFieldsAreShownAsEmpty) {
  const auto d = empty_document(form());
  const auto out = md(d);
  at(out, "## Short\n\n*(empty)*\n");
  at(out, "## Level\n\n*(empty)*\n");
  at(out, "## Done\n\nNo\n");  // a checkbox is never empty
  at(out, "## When\n\n*(empty)*\n");
  at(out, "## Mood\n\n*(empty)*\n");
  at(out, "## Signs\n\n*(empty)*\n");
  at(out, "## People\n\n*(empty)*\n");
  const auto page = html(d);
  at(page, "<h2>Signs</h2>\n<p><span class=\"empty\">(empty)</span></p>");
  // A list whose items are all removed is empty too.
  auto removed = d;
  removed.fields["signs"].items["x"] = entry("a", {{"text", text(U"hidden")}}, true);
  at(md(removed), "## Signs\n\n*(empty)*\n");
}

TEST(Export, HtmlEscapesEveryPieceOfText) {
  auto d = filled();
  d.fields["short"].own = text(U"<script>alert('x')</script> & \"q\"");
  d.fields["people"].items["p1"].cells["name"] = text(U"<img src=x onerror=alert(1)>");
  export_meta m = meta;
  m.owner_name = "<b>Ann</b>";
  const auto out = render_export(form(), d, m, export_format::html);
  EXPECT_EQ(out.find("<script"), std::string::npos);
  EXPECT_EQ(out.find("<img"), std::string::npos);
  EXPECT_EQ(out.find("<b>"), std::string::npos);
  at(out, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  at(out, "&lt;img src=x onerror=alert(1)&gt;");
  at(out, "&lt;b&gt;Ann&lt;/b&gt;");
  // Nothing is fetched: no link, source or URL of any kind.
  EXPECT_EQ(out.find("http:"), std::string::npos);
  EXPECT_EQ(out.find("https:"), std::string::npos);
  EXPECT_EQ(out.find("url("), std::string::npos);
  EXPECT_EQ(out.find("src="), out.find("src=x"));
  EXPECT_EQ(out.find("<link"), std::string::npos);
}

TEST(Export, MarkdownTextCannotMakeStructure) {
  auto d = filled();
  d.fields["long"].own = text(
      U"# heading\n- item\n1. numbered\n> quote\n    code\n\n[link](http://x) ![img](y) "
      U"*em* _u_ `tick` | table | <b>raw</b> &amp; ~~s~~\n===\n+ plus");
  const auto out = md(d);
  at(out,
     "\\# heading  \n\\- item  \n1\\. numbered  \n\\> quote  \n\u00a0\u00a0\u00a0\u00a0code  \n"
     "\u00a0  \n\\[link\\](http://x) !\\[img\\](y) \\*em\\* \\_u\\_ \\`tick\\` \\| table \\| "
     "\\<b\\>raw\\</b\\> \\&amp; \\~\\~s\\~\\~  \n\\===  \n\\+ plus\n");
  // Ordinary punctuation inside a sentence stays as written.
  d.fields["short"].own = text(U"Yes, I will (maybe). Call 988.");
  at(md(d), "## Short\n\nYes, I will (maybe). Call 988.\n");
}

TEST(Export, MultiByteAndEmojiTextSurvives) {
  auto d = filled();
  d.fields["short"].own = text(U"caf\u00e9 \u65e5\u672c \U0001F600 e\u0301");
  const std::string utf8 = "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 e\xcc\x81";
  at(md(d), "## Short\n\n" + utf8 + "\n");
  at(html(d), "<span class=\"v\">" + utf8 + "</span>");
}

TEST(Export, ControlCharactersAreReplaced) {
  auto d = filled();
  d.fields["short"].own = text(U"a\u0007b\rc\r\nd");
  at(md(d),
     "## Short\n\na\xef\xbf\xbd"
     "b  \nc  \nd\n");
}

TEST(Export, MediaTypesAndFilenames) {
  EXPECT_EQ(export_media_type(export_format::markdown), "text/markdown; charset=utf-8");
  EXPECT_EQ(export_media_type(export_format::html), "text/html; charset=utf-8");
  EXPECT_EQ(export_filename(form(), meta, export_format::markdown), "every-ws-7.md");
  export_meta odd = meta;
  odd.instance_id = "ws/../7 x";
  EXPECT_EQ(export_filename(form(), odd, export_format::html), "every-ws_.._7_x.html");
}

TEST(Export, TimestampsAreUtc) {
  EXPECT_EQ(utc_timestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(utc_timestamp(1795532461207), "2026-11-24T15:01:01Z");
  EXPECT_EQ(utc_timestamp(951782400000), "2000-02-29T00:00:00Z");
  EXPECT_EQ(utc_timestamp(-1000), "1969-12-31T23:59:59Z");
}

TEST(Export, FamilySheetsNameTheFamily) {
  export_meta m = meta;
  m.scope = v1::WORKSHEET_SCOPE_FAMILY;
  const auto out = render_export(form(), filled(), m, export_format::markdown);
  at(out, "- **Family of:** Ann\n");
  at(out, "- **Scope:** family\n");
  m.owner_name.clear();
  EXPECT_EQ(render_export(form(), filled(), m, export_format::markdown).find("Family of"),
            std::string::npos);
}

}  // namespace
}  // namespace hearth::worksheets
