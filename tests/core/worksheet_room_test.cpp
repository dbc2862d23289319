// Worksheets in the room with literal times: pushes of each scope, who
// receives every event and what every snapshot shows (from each role),
// facilitator-only fields, answers held until the store commits, a failed
// commit that changes nothing, batches queued behind a commit, sharing,
// presence and a room rebuilt from what the store kept.
#include <algorithm>

#include "worksheet_fixture.hpp"

namespace hearth::core::testing {
namespace {

using ids = std::vector<member_id>;

class worksheet_room_test : public worksheet_fixture {
 protected:
  // The instance ids in `viewer`'s snapshot.
  std::vector<std::string> visible(member_id viewer) const {
    std::vector<std::string> out;
    const auto snap = room_.snapshot(viewer, 0);
    for (const auto& s : snap.worksheets()) {
      out.push_back(s.document().instance_id());
    }
    return out;
  }

  // After the whole test: nobody received anything about a sheet that is
  // not in their snapshot (every sheet here stays where it was pushed,
  // unless a test shares it and checks that itself).
  void expect_contained() {
    for (const auto& [m, events] : received_) {
      const auto mine = visible(m);
      for (const auto& e : events) {
        for (const auto& id : {std::string("ws-1"), std::string("ws-2"), std::string("ws-3")}) {
          if (names(e, id)) {
            EXPECT_NE(std::find(mine.begin(), mine.end(), id), mine.end())
                << "member " << m << " received " << e.ShortDebugString();
          }
        }
      }
    }
  }
};

TEST_F(worksheet_room_test, a_session_sheet_exists_only_once_stored_then_everyone_reads_it) {
  auto fx = run(f, push(v1::WORKSHEET_SCOPE_SESSION), 10);
  EXPECT_FALSE(fx.reply);
  EXPECT_TRUE(fx.events.empty());
  ASSERT_EQ(fx.worksheet_writes.size(), 1U);
  ASSERT_EQ(fx.worksheet_writes[0].created.size(), 1U);
  EXPECT_EQ(fx.worksheet_writes[0].created[0].created_by, "f");
  EXPECT_TRUE(visible(f).empty());

  auto done = store(fx);
  ASSERT_EQ(done.replies.size(), 1U);
  EXPECT_EQ(done.replies[0].connection, conn_of_.at(f));
  EXPECT_EQ(done.replies[0].request_id, 7U);
  ASSERT_EQ(done.events.size(), 1U);
  EXPECT_EQ(done.events[0].to.kind, audience_kind::room_stream);
  EXPECT_EQ(done.events[0].event.worksheet_opened().sheet().form().version(), 1U);
  ASSERT_EQ(done.audit.size(), 1U);
  EXPECT_EQ(done.audit[0].action, "worksheet_pushed");
  EXPECT_EQ(done.audit[0].detail, "template=practice version=1 scope=session sheets=1");
  for (member_id m : {f, pa, pb, fm, o}) {
    EXPECT_EQ(visible(m), std::vector<std::string>{"ws-1"}) << m;
  }
}

TEST_F(worksheet_room_test, personal_sheets_reach_their_owner_and_the_facilitators_only) {
  auto fx = store(run(f, push(v1::WORKSHEET_SCOPE_PERSONAL), 0));
  ASSERT_EQ(fx.replies.at(0).reply.worksheet().instance_ids_size(), 2);
  EXPECT_EQ(recipients(fx, "ws-1"), (ids{f, pa}));
  EXPECT_EQ(recipients(fx, "ws-2"), (ids{f, pb}));
  EXPECT_EQ(visible(f), (std::vector<std::string>{"ws-1", "ws-2"}));
  EXPECT_EQ(visible(pa), std::vector<std::string>{"ws-1"});
  EXPECT_EQ(visible(pb), std::vector<std::string>{"ws-2"});
  EXPECT_TRUE(visible(fm).empty());
  EXPECT_TRUE(visible(o).empty());

  // The owner's edit: commit and progress, nowhere else.
  auto sent = run(pa, write("ws-1", "notes", "calm", 1), 5);
  EXPECT_FALSE(sent.reply);
  EXPECT_TRUE(sent.events.empty());
  auto done = store(sent);
  EXPECT_EQ(recipients(done, "ws-1"), (ids{f, pa}));
  ASSERT_EQ(done.replies.size(), 1U);
  EXPECT_EQ(done.replies[0].reply.worksheet().ack().version(), 1U);
  const auto progress = std::count_if(done.events.begin(), done.events.end(), [](const auto& e) {
    return e.event.has_worksheet_progress() && e.to.member == f;
  });
  EXPECT_EQ(progress, 1);
  for (const auto& e : done.events) {
    if (e.event.has_worksheet_progress()) {
      EXPECT_EQ(e.event.worksheet_progress().filled_fields_size(), 1);
    }
  }

  // Another participant, the family member and the observer cannot even find it.
  for (member_id m : {pb, fm, o}) {
    auto refused = run(m, write("ws-1", "notes", "x", 1), 6);
    ASSERT_TRUE(refused.reply && refused.reply->has_error()) << m;
    EXPECT_EQ(refused.reply->error().code(), v1::ERROR_CODE_NOT_FOUND);
    EXPECT_TRUE(refused.worksheet_writes.empty());
  }
  expect_contained();
}

TEST_F(worksheet_room_test, a_family_sheet_reaches_its_family_and_the_facilitators) {
  auto fx = store(run(f, push(v1::WORKSHEET_SCOPE_FAMILY), 0));
  ASSERT_EQ(fx.replies.at(0).reply.worksheet().instance_ids_size(), 1);
  EXPECT_EQ(recipients(fx, "ws-1"), (ids{f, pa, fm}));
  EXPECT_TRUE(visible(pb).empty());
  EXPECT_TRUE(visible(o).empty());
  auto done = store(run(fm, write("ws-1", "notes", "we", 1), 1));
  EXPECT_EQ(recipients(done, "ws-1"), (ids{f, pa, fm}));
  EXPECT_EQ(done.replies.at(0).reply.worksheet().ack().version(), 1U);
  expect_contained();
}

TEST_F(worksheet_room_test, observers_read_session_sheets_and_never_write) {
  pushed(v1::WORKSHEET_SCOPE_SESSION);
  auto refused = run(o, write("ws-1", "notes", "x", 1), 1);
  ASSERT_TRUE(refused.reply && refused.reply->has_error());
  EXPECT_EQ(refused.reply->error().code(), v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_TRUE(refused.worksheet_writes.empty());
  EXPECT_EQ(room_.snapshot(o, 0).worksheets(0).document().version(), 0U);
}

TEST_F(worksheet_room_test, facilitator_only_fields_refuse_everyone_else) {
  pushed(v1::WORKSHEET_SCOPE_SESSION);
  auto fx = run(pa, write("ws-1", "coach", "x", 1), 1);
  ASSERT_EQ(fx.replies.size(), 1U);
  EXPECT_EQ(fx.replies[0].reply.worksheet().ack().error(), v1::WORKSHEET_ERROR_NOT_ALLOWED);
  EXPECT_TRUE(fx.worksheet_writes.empty());
  auto done = store(run(f, write("ws-1", "coach", "ok", 1), 2));
  EXPECT_EQ(done.replies.at(0).reply.worksheet().ack().version(), 1U);
}

TEST_F(worksheet_room_test, a_failed_commit_answers_an_error_and_changes_nothing) {
  pushed(v1::WORKSHEET_SCOPE_SESSION);
  const auto batch = write("ws-1", "notes", "kept?", 1);
  auto failed = store(run(pa, batch, 1), false);
  ASSERT_EQ(failed.replies.size(), 1U);
  EXPECT_EQ(failed.replies[0].reply.error().code(), v1::ERROR_CODE_INTERNAL);
  EXPECT_TRUE(failed.replies[0].reply.error().temporary());
  EXPECT_TRUE(failed.events.empty());
  EXPECT_EQ(room_.snapshot(pa, 1).worksheets(0).document().version(), 0U);
  // The same batch again is new to the server: it was never applied.
  auto again = store(run(pa, batch, 2));
  EXPECT_EQ(again.replies.at(0).reply.worksheet().ack().version(), 1U);
  EXPECT_EQ(recipients(again, "ws-1").size(), 5U);
}

TEST_F(worksheet_room_test, batches_wait_behind_a_commit_and_are_transformed_after_it) {
  pushed(v1::WORKSHEET_SCOPE_SESSION);
  auto first = run(pa, write("ws-1", "notes", "aa", 1, 0, "ca"), 1);
  auto second = run(pb, write("ws-1", "notes", "bb", 1, 0, "cb"), 1);
  ASSERT_EQ(first.worksheet_writes.size(), 1U);
  EXPECT_TRUE(second.worksheet_writes.empty());
  EXPECT_FALSE(second.reply);
  auto done = store(first);
  ASSERT_EQ(done.worksheet_writes.size(), 1U);  // the second, proposed now
  EXPECT_EQ(done.worksheet_writes[0].commit->version(), 2U);
  EXPECT_EQ(done.worksheet_writes[0].author_subject, "pb");
  store(done);
  const auto doc = room_.snapshot(f, 2).worksheets(0).document();
  EXPECT_EQ(doc.version(), 2U);
  for (const auto& field : doc.fields()) {
    if (field.field_id() == "notes") {
      EXPECT_EQ(field.value().text(), "aabb");  // the earlier commit's insert first
    }
  }
}

TEST_F(worksheet_room_test, a_resubmission_is_answered_with_its_version_and_not_stored_again) {
  pushed(v1::WORKSHEET_SCOPE_SESSION);
  store(run(pa, set_risk("ws-1", 3, 1), 1));
  auto again = run(pa, set_risk("ws-1", 3, 1), 2);
  EXPECT_TRUE(again.worksheet_writes.empty());
  ASSERT_EQ(again.replies.size(), 1U);
  EXPECT_EQ(again.replies[0].reply.worksheet().ack().version(), 1U);
}

TEST_F(worksheet_room_test, sharing_with_the_group_opens_the_sheet_to_everyone_but_observers) {
  auto created = store(run(
      pa,
      [] {
        v1::WorksheetCommand c;
        c.mutable_open()->set_template_id("practice");
        return wrap(c);
      }(),
      0));
  ASSERT_EQ(created.replies.at(0).reply.worksheet().instance_ids(0), "ws-1");
  EXPECT_EQ(created.audit.at(0).action, "worksheet_opened");
  EXPECT_EQ(recipients(created, "ws-1"), (ids{f, pa}));

  auto refused = run(pb, share("ws-1", v1::WORKSHEET_SHARING_GROUP), 1);
  EXPECT_EQ(refused.reply->error().code(), v1::ERROR_CODE_NOT_FOUND);
  auto by_staff = run(f, share("ws-1", v1::WORKSHEET_SHARING_GROUP), 1);
  EXPECT_EQ(by_staff.reply->error().code(), v1::ERROR_CODE_PERMISSION_DENIED);

  auto shared = run(pa, share("ws-1", v1::WORKSHEET_SHARING_GROUP), 2);
  ASSERT_TRUE(shared.reply && shared.reply->has_worksheet());
  EXPECT_EQ(recipients(shared, "ws-1"), (ids{f, pa, pb, fm}));
  EXPECT_EQ(shared.audit.at(0).action, "worksheet_shared");
  EXPECT_EQ(shared.audit.at(0).detail, "instance=ws-1 sharing=group");
  ASSERT_EQ(shared.worksheet_sharing.size(), 1U);
  EXPECT_TRUE(visible(o).empty());
  EXPECT_EQ(visible(pb), std::vector<std::string>{"ws-1"});

  auto family = run(pa, share("ws-1", v1::WORKSHEET_SHARING_FAMILY), 3);
  EXPECT_EQ(recipients(family, "ws-1"), (ids{f, pa, pb, fm}));  // pb learns it lost it
  EXPECT_TRUE(visible(pb).empty());
  EXPECT_EQ(visible(fm), std::vector<std::string>{"ws-1"});

  auto unshared = run(pa, share("ws-1", v1::WORKSHEET_SHARING_UNSPECIFIED), 4);
  EXPECT_EQ(unshared.audit.at(0).action, "worksheet_unshared");
  auto edit = store(run(pa, write("ws-1", "notes", "mine", 1), 5));
  EXPECT_EQ(recipients(edit, "ws-1"), (ids{f, pa}));
}

TEST_F(worksheet_room_test, presence_goes_to_readers_and_clears_when_the_connection_drops) {
  pushed(v1::WORKSHEET_SCOPE_PERSONAL);
  auto here = run(pa, presence("ws-1", "notes"), 1);
  ASSERT_TRUE(here.reply && here.reply->has_worksheet());
  ASSERT_EQ(here.events.size(), 1U);
  EXPECT_EQ(here.events[0].to.kind, audience_kind::direct_ephemeral);
  EXPECT_EQ(here.events[0].to.member, f);
  EXPECT_EQ(here.events[0].event.worksheet_presence().member_id(), pa);
  EXPECT_EQ(here.events[0].event.seq(), 0U);
  EXPECT_EQ(here.events[0].event.direct_seq(), 0U);

  auto dropped = room_.disconnect(conn_of_.at(pa), 2);
  const auto cleared = std::find_if(dropped.events.begin(), dropped.events.end(),
                                    [](const auto& e) { return e.event.has_worksheet_presence(); });
  ASSERT_NE(cleared, dropped.events.end());
  EXPECT_EQ(cleared->to.member, f);
  EXPECT_TRUE(cleared->event.worksheet_presence().field_id().empty());

  auto nosy = run(pb, presence("ws-1", "notes"), 3);
  EXPECT_EQ(nosy.reply->error().code(), v1::ERROR_CODE_NOT_FOUND);
  EXPECT_TRUE(nosy.events.empty());
}

TEST_F(worksheet_room_test, a_room_rebuilt_from_the_store_shows_the_same_sheets) {
  pushed(v1::WORKSHEET_SCOPE_PERSONAL);
  pushed(v1::WORKSHEET_SCOPE_FAMILY);
  store(run(pa, write("ws-1", "notes", "plan", 1), 1));
  store(run(fm, write("ws-3", "notes", "us", 1), 1));
  run(pa, share("ws-1", v1::WORKSHEET_SHARING_FAMILY), 2);

  room again("r1", room_limits{});
  again.use_templates(catalog());
  session_plan plan;
  plan.accompanies["fm"] = "pa";
  again.configure(plan);
  std::map<std::string, stored_worksheet> kept;
  for (const auto& w : stored_) {
    for (const auto& c : w.created) {
      kept[c.instance_id].created = c;
    }
    if (w.commit) {
      kept[w.commit->instance_id()].log.emplace_back(w.author_subject, *w.commit);
    }
  }
  kept["ws-1"].sharing = v1::WORKSHEET_SHARING_FAMILY;
  for (const auto& [id, s] : kept) {
    EXPECT_TRUE(again.restore_worksheet(s)) << id;
  }
  // The same people join in another order: member ids differ, owners do not.
  std::map<std::string, connection_id> conns;
  for (const auto& [subject, role] :
       std::vector<std::pair<std::string, v1::Role>>{{"fm", v1::ROLE_FAMILY_MEMBER},
                                                     {"pb", v1::ROLE_PARTICIPANT},
                                                     {"f", v1::ROLE_FACILITATOR},
                                                     {"pa", v1::ROLE_PARTICIPANT}}) {
    conns[subject] = next_conn_++;
    auto fx = again.join(conns[subject], identity{subject, subject, "r1", role}, 0);
    ASSERT_TRUE(fx.reply && fx.reply->has_join());
    const auto id = fx.reply->join().member_id();
    auto before = room_.snapshot(room_.people().find_by_subject(subject)->id, 0).worksheets();
    auto after = again.snapshot(id, 0).worksheets();
    ASSERT_EQ(before.size(), after.size()) << subject;
    for (int i = 0; i < before.size(); ++i) {
      EXPECT_EQ(before[i].document().fields(0).ShortDebugString(),
                after[i].document().fields(0).ShortDebugString());
      EXPECT_EQ(before[i].document().version(), after[i].document().version());
      EXPECT_EQ(before[i].sharing(), after[i].sharing());
    }
  }
  // New sheets do not reuse a stored id.
  auto fx = again.handle(conns["f"], push(v1::WORKSHEET_SCOPE_SESSION), 5);
  ASSERT_EQ(fx.worksheet_writes.size(), 1U);
  EXPECT_EQ(fx.worksheet_writes[0].created[0].instance_id, "ws-4");
  EXPECT_EQ(again.check_invariants(), "");
}

TEST_F(worksheet_room_test, templates_are_listed_to_every_member) {
  v1::WorksheetCommand c;
  c.mutable_list_templates();
  for (member_id m : {f, pa, o}) {
    auto fx = run(m, wrap(c), 0);
    ASSERT_TRUE(fx.reply && fx.reply->has_worksheet());
    ASSERT_EQ(fx.reply->worksheet().templates_size(), 1);
    EXPECT_EQ(fx.reply->worksheet().templates(0).id(), "practice");
  }
  auto unknown = run(f, push(v1::WORKSHEET_SCOPE_SESSION, "nope"), 0);
  EXPECT_EQ(unknown.reply->error().code(), v1::ERROR_CODE_NOT_FOUND);
  auto not_staff = run(pa, push(v1::WORKSHEET_SCOPE_SESSION), 0);
  EXPECT_EQ(not_staff.reply->error().code(), v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_EQ(not_staff.audit.at(0).outcome, "denied");
}

}  // namespace
}  // namespace hearth::core::testing
