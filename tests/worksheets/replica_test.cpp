// The client replica in the situations the simulation reaches only by
// chance: a batch refused after transformation, an answer that arrives
// without its commit, and a resend after the commit was lost.
#include <gtest/gtest.h>

#include "worksheets/replica.hpp"
#include "worksheets/template_json.hpp"
#include "worksheets/unicode.hpp"
#include "worksheets/worksheet.hpp"

namespace hearth::worksheets {
namespace {

const v1::WorksheetTemplate& form() {
  static const v1::WorksheetTemplate t =
      *parse_template(R"({"id":"f","version":1,"title":"F","scope":"session","fields":[
        {"id":"notes","type":"short_text","label":"Notes","max_length":10}]})")
           .value;
  return t;
}

op typed(std::uint32_t at, const std::u32string& s) {
  text_op t;
  push_retain(t, at);
  push_insert(t, s);
  return {{"notes", {}, {}}, t};
}

struct fixture {
  worksheet server{"ws1", form(), {v1::WORKSHEET_SCOPE_SESSION, 0, {}}};
  replica ann = *replica::open("a", 1, form(), server.snapshot());
  replica bob = *replica::open("b", 2, form(), server.snapshot());
  writer ann_w{1, v1::ROLE_PARTICIPANT, {}};
  writer bob_w{2, v1::ROLE_PARTICIPANT, {}};
};

std::string text_of(const document& d) { return encode_utf8(d.fields.at("notes").own.text); }

TEST(Replica, ARefusedBatchFallsBackToTheServersState) {
  fixture f;
  ASSERT_EQ(f.ann.edit(typed(0, U"12345678")), error::none);
  ASSERT_EQ(f.bob.edit(typed(0, U"abcd")), error::none);
  const auto a = f.server.submit(*f.ann.next_batch(), f.ann_w);
  const auto b = f.server.submit(*f.bob.next_batch(), f.bob_w);
  EXPECT_EQ(b.ack.error(), v1::WORKSHEET_ERROR_TOO_LONG);  // 12 code points together
  ASSERT_EQ(f.bob.edit(typed(4, U"!")), error::none);      // queued behind the refused batch
  EXPECT_EQ(f.bob.receive(*a.commit), replica::outcome::applied);
  EXPECT_EQ(f.bob.receive(b.ack), replica::outcome::rejected);
  EXPECT_TRUE(f.bob.idle());
  EXPECT_EQ(f.bob.view(), f.server.state());
  EXPECT_EQ(text_of(f.bob.view()), "12345678");
  EXPECT_EQ(f.ann.receive(*a.commit), replica::outcome::own);
  EXPECT_EQ(f.ann.receive(a.ack), replica::outcome::stale);
}

TEST(Replica, AnAnswerWithoutItsCommitSettlesTheBatch) {
  fixture f;
  ASSERT_EQ(f.ann.edit(typed(0, U"\U0001F600")), error::none);
  const auto a = f.server.submit(*f.ann.next_batch(), f.ann_w);
  EXPECT_EQ(f.ann.receive(a.ack), replica::outcome::own);
  EXPECT_TRUE(f.ann.idle());
  EXPECT_EQ(f.ann.version(), 1U);
  EXPECT_EQ(f.ann.confirmed(), f.server.state());
  EXPECT_EQ(f.ann.receive(*a.commit), replica::outcome::stale);
}

TEST(Replica, AfterALostCommitTheResendIsAnsweredNotReapplied) {
  fixture f;
  ASSERT_EQ(f.ann.edit(typed(0, U"hi")), error::none);
  const auto first = f.server.submit(*f.ann.next_batch(), f.ann_w);  // then the line drops
  ASSERT_EQ(f.bob.edit(typed(0, U"yo")), error::none);
  f.server.submit(*f.bob.next_batch(), f.bob_w);
  // Reconnect: resume from the last version seen, then resend at once.
  const auto resent = f.ann.resend();
  ASSERT_TRUE(resent.has_value());
  EXPECT_EQ(resent->client_seq(), first.ack.client_seq());
  for (const auto& c : f.server.commits_since(f.ann.version())) {
    f.ann.receive(c);
  }
  const auto again = f.server.submit(*resent, f.ann_w);
  EXPECT_FALSE(again.commit.has_value());
  EXPECT_EQ(again.ack.version(), 1U);
  EXPECT_EQ(f.ann.receive(again.ack), replica::outcome::stale);
  EXPECT_EQ(f.server.version(), 2U);
  EXPECT_EQ(f.ann.view(), f.server.state());
  EXPECT_EQ(text_of(f.server.state()), "hiyo");
}

// After a resume by snapshot: a newer document replaces the replica's and
// drops what was not committed, and the next batch takes the next client_seq
// (a rebuilt replica starting again at 1 would be answered with an earlier
// batch's version and never applied).
TEST(Replica, ANewerSnapshotReplacesTheDocumentAndClientSeqGoesOn) {
  fixture f;
  ASSERT_EQ(f.ann.edit(typed(0, U"hi")), error::none);
  const auto first = f.server.submit(*f.ann.next_batch(), f.ann_w);  // then the line drops
  ASSERT_TRUE(first.commit.has_value());
  ASSERT_EQ(f.bob.edit(typed(0, U"yo")), error::none);
  f.server.submit(*f.bob.next_batch(), f.bob_w);
  ASSERT_EQ(f.ann.edit(typed(0, U"unsent")), error::none);

  EXPECT_EQ(f.ann.reset(f.server.snapshot()), replica::reset_result::dropped_edits);
  EXPECT_TRUE(f.ann.idle());
  EXPECT_EQ(f.ann.version(), 2U);
  EXPECT_EQ(f.ann.view(), f.server.state());
  EXPECT_EQ(f.ann.reset(f.server.snapshot()), replica::reset_result::unchanged);

  ASSERT_EQ(f.ann.edit(typed(0, U"new ")), error::none);
  const auto next = f.ann.next_batch();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->client_seq(), first.ack.client_seq() + 1);
  const auto answer = f.server.submit(*next, f.ann_w);
  ASSERT_TRUE(answer.commit.has_value()) << "applied, not taken for the first batch";
  EXPECT_EQ(f.ann.receive(*answer.commit), replica::outcome::own);
  EXPECT_EQ(f.ann.view(), f.server.state());
}

TEST(Replica, MissedVersionsAreReportedAsAGap) {
  fixture f;
  ASSERT_EQ(f.ann.edit(typed(0, U"a")), error::none);
  f.server.submit(*f.ann.next_batch(), f.ann_w);
  ASSERT_EQ(f.ann.edit(typed(1, U"b")), error::none);
  EXPECT_FALSE(f.ann.next_batch().has_value());  // one batch in flight at a time
  ASSERT_EQ(f.bob.edit(typed(0, U"c")), error::none);
  f.server.submit(*f.bob.next_batch(), f.bob_w);
  EXPECT_EQ(f.ann.receive(f.server.commits_since(1).front()), replica::outcome::gap);
}

}  // namespace
}  // namespace hearth::worksheets
