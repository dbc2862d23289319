// The server's sequencer through its public interface: versions, transforms
// of stale batches, resubmissions, atomic refusals, the template's checks and
// who may write what.
#include <gtest/gtest.h>

#include "worksheets/codec.hpp"
#include "worksheets/template_json.hpp"
#include "worksheets/unicode.hpp"
#include "worksheets/worksheet.hpp"

namespace hearth::worksheets {
namespace {

const v1::WorksheetTemplate& form() {
  static const v1::WorksheetTemplate t =
      *parse_template(
           R"({"id":"f","version":1,"title":"F","scope":"session","fields":[
        {"id":"notes","type":"short_text","label":"Notes","max_length":10},
        {"id":"level","type":"scale","label":"Level","min":1,"max":5},
        {"id":"when","type":"date","label":"When"},
        {"id":"mood","type":"choice","label":"Mood","choices":[{"id":"ok","label":"OK"},{"id":"low","label":"Low"}]},
        {"id":"coach","type":"long_text","label":"Coach","facilitator_only":true},
        {"id":"rows","type":"list","label":"Rows","own_rows":true,"max_items":2}]})")
           .value;
  return t;
}

const writer ann{1, v1::ROLE_PARTICIPANT, "fam1"};
const writer bob{2, v1::ROLE_PARTICIPANT, "fam2"};
const writer fay{3, v1::ROLE_FACILITATOR, {}};
const writer obs{4, v1::ROLE_OBSERVER, {}};

op text(const std::string& field, std::uint32_t at, const std::u32string& ins) {
  text_op t;
  push_retain(t, at);
  push_insert(t, ins);
  return {{field, {}, {}}, t};
}

op set(const std::string& field, scalar v) { return {{field, {}, {}}, set_op{std::move(v)}}; }
scalar scale(std::int32_t n) { return {scalar::kind::scale, n, false, {}}; }
scalar date(std::string d) { return {scalar::kind::date, 0, false, std::move(d)}; }
scalar choice(std::string c) { return {scalar::kind::choice, 0, false, std::move(c)}; }
op insert(const std::string& item, const std::string& key = "m") {
  return {{"rows", item, {}}, insert_op{key}};
}

v1::WorksheetBatch batch(const std::string& client, std::uint64_t seq, std::uint64_t base,
                         const ops& o) {
  v1::WorksheetBatch b;
  b.set_instance_id("ws1");
  b.set_client_id(client);
  b.set_client_seq(seq);
  b.set_base_version(base);
  ops_to_wire(o, b.mutable_ops());
  return b;
}

worksheet session_sheet() { return {"ws1", form(), {v1::WORKSHEET_SCOPE_SESSION, 0, {}}}; }

std::string notes(const worksheet& w) { return encode_utf8(w.state().fields.at("notes").own.text); }

TEST(Worksheet, CommitsGetContiguousVersionsAndStaleBatchesAreTransformed) {
  auto w = session_sheet();
  auto r1 = w.submit(batch("a", 1, 0, {text("notes", 0, U"hi")}), ann);
  ASSERT_TRUE(r1.commit.has_value());
  EXPECT_EQ(r1.ack.version(), 1U);
  EXPECT_EQ(r1.commit->version(), 1U);
  // Bob wrote at the start of the empty field without having seen "hi".
  auto r2 = w.submit(batch("b", 1, 0, {text("notes", 0, U"\U0001F600")}), bob);
  ASSERT_TRUE(r2.commit.has_value());
  EXPECT_EQ(r2.ack.version(), 2U);
  EXPECT_EQ(notes(w), "hi\xF0\x9F\x98\x80");  // the earlier commit's insert first
  EXPECT_EQ(w.commits_since(0).size(), 2U);
  EXPECT_EQ(w.commits_since(1).front().client_id(), "b");
}

TEST(Worksheet, ResubmissionsAreAnsweredWithTheOriginalVersionAndNotApplied) {
  auto w = session_sheet();
  w.submit(batch("a", 1, 0, {text("notes", 0, U"x")}), ann);
  w.submit(batch("b", 1, 0, {text("notes", 0, U"y")}), bob);
  const auto again = w.submit(batch("a", 1, 0, {text("notes", 0, U"x")}), ann);
  EXPECT_FALSE(again.commit.has_value());
  EXPECT_EQ(again.ack.error(), v1::WORKSHEET_ERROR_NONE);
  EXPECT_EQ(again.ack.version(), 1U);
  EXPECT_EQ(w.version(), 2U);
  EXPECT_EQ(notes(w), "xy");
  // The same client id from another member is another client.
  EXPECT_TRUE(w.submit(batch("a", 1, 2, {text("notes", 0, U"z")}), bob).commit.has_value());
}

TEST(Worksheet, ForgetsOldSequencesButNeverReappliesThem) {
  worksheet w("ws1", form(), {v1::WORKSHEET_SCOPE_SESSION, 0, {}}, {200, 2});
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    w.submit(batch("a", seq, w.version(), {set("level", scale(2))}), ann);
  }
  EXPECT_EQ(w.submit(batch("a", 1, 0, {set("level", scale(3))}), ann).ack.error(),
            v1::WORKSHEET_ERROR_TOO_OLD);
  EXPECT_EQ(w.version(), 3U);
}

TEST(Worksheet, ARefusedBatchChangesNothing) {
  auto w = session_sheet();
  const auto r = w.submit(batch("a", 1, 0, {text("notes", 0, U"ok"), set("level", scale(9))}), ann);
  EXPECT_FALSE(r.commit.has_value());
  EXPECT_EQ(r.ack.error(), v1::WORKSHEET_ERROR_OUT_OF_RANGE);
  EXPECT_EQ(w.version(), 0U);
  EXPECT_EQ(notes(w), "");
  // The same sequence may come again corrected: it was never committed.
  EXPECT_TRUE(w.submit(batch("a", 1, 0, {set("level", scale(5))}), ann).commit.has_value());
}

struct refusal {
  const char* name;
  ops batch;
  writer who;
  v1::WorksheetError expected;
};

TEST(Worksheet, ChecksValuesAndWriters) {
  const scalar checked{scalar::kind::checkbox, 0, true, {}};
  const std::vector<refusal> cases = {
      {"text over its limit",
       {text("notes", 0, U"0123456789a")},
       ann,
       v1::WORKSHEET_ERROR_TOO_LONG},
      {"text past the end", {text("notes", 3, U"a")}, ann, v1::WORKSHEET_ERROR_MALFORMED},
      {"scale below min", {set("level", scale(0))}, ann, v1::WORKSHEET_ERROR_OUT_OF_RANGE},
      {"wrong value type", {set("level", checked)}, ann, v1::WORKSHEET_ERROR_MALFORMED},
      {"no such day", {set("when", date("2026-02-29"))}, ann, v1::WORKSHEET_ERROR_BAD_DATE},
      {"not a date", {set("when", date("29/02/2028"))}, ann, v1::WORKSHEET_ERROR_BAD_DATE},
      {"unknown option", {set("mood", choice("great"))}, ann, v1::WORKSHEET_ERROR_BAD_CHOICE},
      {"unknown field", {set("colour", scale(1))}, ann, v1::WORKSHEET_ERROR_MALFORMED},
      {"text op on a scale", {text("level", 0, U"1")}, ann, v1::WORKSHEET_ERROR_MALFORMED},
      {"facilitator-only field", {text("coach", 0, U"note")}, ann, v1::WORKSHEET_ERROR_NOT_ALLOWED},
      {"observers never write", {set("level", scale(1))}, obs, v1::WORKSHEET_ERROR_NOT_ALLOWED},
      {"bad order key", {insert("r1", "a0")}, ann, v1::WORKSHEET_ERROR_BAD_ORDER_KEY},
      {"bad item id", {insert("r 1")}, ann, v1::WORKSHEET_ERROR_MALFORMED},
      {"item twice", {insert("r1"), insert("r1")}, ann, v1::WORKSHEET_ERROR_ITEM_EXISTS},
      {"too many items",
       {insert("r1"), insert("r2"), insert("r3")},
       ann,
       v1::WORKSHEET_ERROR_TOO_MANY_ITEMS},
      {"edit of no item",
       {{{"rows", "zz", "text"}, set_op{}}},
       ann,
       v1::WORKSHEET_ERROR_UNKNOWN_ITEM},
  };
  for (const auto& c : cases) {
    auto w = session_sheet();
    EXPECT_EQ(w.submit(batch("a", 1, 0, c.batch), c.who).ack.error(), c.expected) << c.name;
    EXPECT_EQ(w.version(), 0U) << c.name;
  }
  auto w = session_sheet();
  EXPECT_TRUE(w.submit(batch("f", 1, 0, {text("coach", 0, U"note")}), fay).commit.has_value());
  EXPECT_EQ(w.submit(batch("a", 1, 5, {}), ann).ack.error(), v1::WORKSHEET_ERROR_BAD_VERSION);
}

TEST(Worksheet, RowsOfSharedSheetsBelongToWhoeverAddedThem) {
  auto w = session_sheet();
  ASSERT_TRUE(w.submit(batch("a", 1, 0, {insert("r1")}), ann).commit.has_value());
  const op edit{{"rows", "r1", "text"}, text_op{{{text_component::kind::insert, 0, U"mine"}}}};
  EXPECT_EQ(w.submit(batch("b", 1, 1, {edit}), bob).ack.error(), v1::WORKSHEET_ERROR_NOT_ALLOWED);
  EXPECT_EQ(w.submit(batch("b", 2, 1, {{{"rows", "r1", {}}, remove_op{}}}), bob).ack.error(),
            v1::WORKSHEET_ERROR_NOT_ALLOWED);
  EXPECT_TRUE(w.submit(batch("a", 2, 1, {edit}), ann).commit.has_value());
  EXPECT_TRUE(w.submit(batch("f", 1, 2, {{{"rows", "r1", {}}, move_op{"n"}}}), fay).commit);
}

TEST(Worksheet, ScopesDecideWhoWrites) {
  worksheet mine("ws1", form(), {v1::WORKSHEET_SCOPE_PERSONAL, 1, {}});
  EXPECT_EQ(mine.submit(batch("b", 1, 0, {set("level", scale(1))}), bob).ack.error(),
            v1::WORKSHEET_ERROR_NOT_ALLOWED);
  EXPECT_TRUE(mine.submit(batch("a", 1, 0, {set("level", scale(1))}), ann).commit);
  EXPECT_TRUE(mine.submit(batch("f", 1, 1, {set("level", scale(2))}), fay).commit);
  worksheet family("ws1", form(), {v1::WORKSHEET_SCOPE_FAMILY, 0, "fam1"});
  EXPECT_EQ(family.submit(batch("b", 1, 0, {set("level", scale(1))}), bob).ack.error(),
            v1::WORKSHEET_ERROR_NOT_ALLOWED);
  EXPECT_TRUE(family.submit(batch("a", 1, 0, {set("level", scale(1))}), ann).commit);
}

TEST(Worksheet, ReplayRebuildsTheSameDocument) {
  auto w = session_sheet();
  w.submit(batch("a", 1, 0, {text("notes", 0, U"caf\u00e9"), insert("r1")}), ann);
  w.submit(batch("b", 1, 0, {set("mood", choice("low")), text("notes", 0, U"\u0301")}), bob);
  const auto again =
      worksheet::replay("ws1", form(), {v1::WORKSHEET_SCOPE_SESSION, 0, {}}, w.commits_since(0));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->state(), w.state());
  EXPECT_EQ(again->snapshot().SerializeAsString(), w.snapshot().SerializeAsString());
  auto bad = w.commits_since(0);
  bad.erase(bad.begin());
  EXPECT_FALSE(worksheet::replay("ws1", form(), {}, bad).has_value());
}

}  // namespace
}  // namespace hearth::worksheets
