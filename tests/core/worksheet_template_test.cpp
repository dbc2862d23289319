// Facilitators' own templates in the room core, the shell played by the test:
// who may save and retire, refusals with their reasons (and audit), versions
// assigned by the server, nothing answered or visible before the store
// commits, a retired template that makes no new sheet while its sheets keep
// working, and a sheet of version 1 that keeps its version after version 2.
#include "worksheet_fixture.hpp"
#include "worksheets/template_check.hpp"

namespace hearth::core::testing {
namespace {

constexpr const char* custom_template = R"({
  "id": "c_weekly", "version": 1, "title": "Weekly goals", "purpose": "Plan the week.",
  "scope": "personal",
  "fields": [
    {"id": "goal", "type": "short_text", "label": "Goal"},
    {"id": "effort", "type": "scale", "label": "Effort"}
  ]
})";

class worksheet_template_test : public worksheet_fixture {
 protected:
  explicit worksheet_template_test(room_limits limits = {})
      : worksheet_fixture(limits), templates_(*catalog()) {
    room_.use_templates(std::make_shared<const worksheet_templates>(templates_));
    join("cf", v1::ROLE_CO_FACILITATOR);
  }

  static constexpr member_id cf = 6;

  static v1::WorksheetTemplate weekly() {
    return *worksheets::parse_template(custom_template).value;
  }
  static v1::ClientMessage save(const v1::WorksheetTemplate& t) {
    v1::WorksheetCommand c;
    *c.mutable_save_template()->mutable_template_() = t;
    return wrap(c);
  }
  static v1::ClientMessage retire(const std::string& id) {
    v1::WorksheetCommand c;
    c.mutable_retire_template()->set_template_id(id);
    return wrap(c);
  }
  static v1::ClientMessage list(bool include_retired) {
    v1::WorksheetCommand c;
    c.mutable_list_templates()->set_include_retired(include_retired);
    return wrap(c);
  }

  // The shell: stores each template write (or fails it), puts what was
  // stored in the catalog, hands the room the new catalog, reports back.
  effects store_templates(const effects& fx, bool committed = true) {
    effects all;
    for (const auto& w : fx.template_writes) {
      if (committed && w.saved) {
        templates_.add(*w.saved);
      } else if (committed) {
        templates_.retire(w.retired);
      }
      // A new copy, as the shell's catalog hands out.
      room_.use_templates(std::make_shared<const worksheet_templates>(templates_));
      auto done = room_.worksheet_stored(w.ticket, committed, 0);
      all.replies.insert(all.replies.end(), done.replies.begin(), done.replies.end());
      all.audit.insert(all.audit.end(), done.audit.begin(), done.audit.end());
    }
    EXPECT_EQ(room_.check_invariants(), "");
    return all;
  }

  // Saves and stores; the version the server gave.
  std::uint32_t saved(const v1::WorksheetTemplate& t, member_id by = f) {
    auto done = store_templates(run(by, save(t), 0));
    EXPECT_EQ(done.replies.size(), 1U);
    return done.replies.empty() ? 0 : done.replies[0].reply.worksheet().saved_template().version();
  }

  std::vector<std::string> listed(bool include_retired) {
    const auto fx = run(f, list(include_retired), 0);
    std::vector<std::string> out;
    for (const auto& t : fx.reply->worksheet().templates()) {
      out.push_back(t.id() + "@" + std::to_string(t.version()));
    }
    return out;
  }

  static v1::ErrorCode code_of(const effects& fx) {
    return fx.reply && fx.reply->has_error() ? fx.reply->error().code()
                                             : v1::ERROR_CODE_UNSPECIFIED;
  }

  worksheet_templates templates_;  // what the shell's catalog holds
};

TEST_F(worksheet_template_test, a_saved_template_exists_once_stored_with_the_servers_version) {
  auto t = weekly();
  t.set_version(42);  // the client's version is ignored
  auto fx = run(f, save(t), 5);
  EXPECT_FALSE(fx.reply);
  ASSERT_EQ(fx.template_writes.size(), 1U);
  ASSERT_TRUE(fx.template_writes[0].saved);
  EXPECT_EQ(fx.template_writes[0].saved->version(), 1U);
  EXPECT_EQ(fx.template_writes[0].by_subject, "f");
  EXPECT_EQ(listed(false), std::vector<std::string>{"practice@1"});  // not before the commit

  auto done = store_templates(fx);
  ASSERT_EQ(done.replies.size(), 1U);
  EXPECT_EQ(done.replies[0].connection, conn_of_.at(f));
  EXPECT_EQ(done.replies[0].reply.worksheet().saved_template().id(), "c_weekly");
  EXPECT_EQ(done.replies[0].reply.worksheet().saved_template().version(), 1U);
  ASSERT_EQ(done.audit.size(), 1U);
  EXPECT_EQ(done.audit[0].action, "template_saved");
  EXPECT_EQ(done.audit[0].outcome, "ok");
  EXPECT_EQ(done.audit[0].detail, "template=c_weekly version=1");
  EXPECT_EQ(listed(false), (std::vector<std::string>{"c_weekly@1", "practice@1"}));

  EXPECT_EQ(saved(weekly(), cf), 2U);  // co-facilitators too; the next version
  EXPECT_EQ(saved(weekly()), 3U);
  EXPECT_EQ(listed(false), (std::vector<std::string>{"c_weekly@3", "practice@1"}));
}

// The audit record of a held action names the actor as they were when they
// asked: a co-facilitator demoted before the store answered is still recorded
// as the co-facilitator who saved the template.
TEST_F(worksheet_template_test, the_audit_names_the_actor_as_they_were_when_they_asked) {
  v1::ClientMessage role;
  role.mutable_moderation()->mutable_set_role()->set_member_id(pa);
  role.mutable_moderation()->mutable_set_role()->set_role(v1::ROLE_CO_FACILITATOR);
  ASSERT_FALSE(run(f, role, 0).reply->has_error());
  auto saving = run(pa, save(weekly()), 0);
  auto pushing = run(pa, push(v1::WORKSHEET_SCOPE_SESSION), 0);
  role.mutable_moderation()->mutable_set_role()->set_role(v1::ROLE_UNSPECIFIED);  // back
  ASSERT_FALSE(run(f, role, 1).reply->has_error());

  auto saved = store_templates(saving);
  ASSERT_EQ(saved.audit.size(), 1U);
  EXPECT_EQ(saved.audit[0].action, "template_saved");
  EXPECT_EQ(saved.audit[0].actor, "pa");
  EXPECT_EQ(saved.audit[0].actor_role, v1::ROLE_CO_FACILITATOR);
  auto pushed = store(pushing);
  ASSERT_EQ(pushed.audit.size(), 1U);
  EXPECT_EQ(pushed.audit[0].action, "worksheet_pushed");
  EXPECT_EQ(pushed.audit[0].actor, "pa");
  EXPECT_EQ(pushed.audit[0].actor_role, v1::ROLE_CO_FACILITATOR);
}

TEST_F(worksheet_template_test, only_facilitators_save_or_retire_and_refusals_are_audited) {
  for (member_id m : {pa, fm, o}) {
    auto fx = run(m, save(weekly()), 0);
    EXPECT_EQ(code_of(fx), v1::ERROR_CODE_PERMISSION_DENIED) << m;
    EXPECT_TRUE(fx.template_writes.empty());
    ASSERT_EQ(fx.audit.size(), 1U);
    EXPECT_EQ(fx.audit[0].action, "template_saved");
    EXPECT_EQ(fx.audit[0].outcome, "denied");
    EXPECT_EQ(fx.audit[0].detail, "not_staff template=c_weekly");
  }
  saved(weekly());
  auto fx = run(pa, retire("c_weekly"), 0);
  EXPECT_EQ(code_of(fx), v1::ERROR_CODE_PERMISSION_DENIED);
  ASSERT_EQ(fx.audit.size(), 1U);
  EXPECT_EQ(fx.audit[0].action, "template_retired");
  EXPECT_EQ(fx.audit[0].detail, "not_staff template=c_weekly");
  EXPECT_EQ(listed(false), (std::vector<std::string>{"c_weekly@1", "practice@1"}));
}

TEST_F(worksheet_template_test, bad_templates_are_refused_with_their_reason) {
  auto builtin = weekly();
  builtin.set_id("practice");
  auto fx = run(f, save(builtin), 0);
  EXPECT_EQ(code_of(fx), v1::ERROR_CODE_BAD_REQUEST);
  EXPECT_NE(fx.reply->error().message().find("c_"), std::string::npos);

  auto bad_scale = weekly();
  bad_scale.mutable_fields(1)->set_min(5);
  bad_scale.mutable_fields(1)->set_max(1);
  fx = run(f, save(bad_scale), 0);
  EXPECT_EQ(code_of(fx), v1::ERROR_CODE_BAD_REQUEST);
  EXPECT_EQ(fx.reply->error().message(), "invalid template: " + worksheets::check_template([&] {
                                           auto t = bad_scale;
                                           t.set_version(1);
                                           return t;
                                         }()));
  EXPECT_NE(fx.reply->error().message().find("effort"), std::string::npos);
  ASSERT_EQ(fx.audit.size(), 1U);
  EXPECT_EQ(fx.audit[0].detail, "invalid template=c_weekly");

  auto twice = weekly();
  *twice.add_fields() = twice.fields(0);
  EXPECT_EQ(code_of(run(f, save(twice), 0)), v1::ERROR_CODE_BAD_REQUEST);
  auto no_fields = weekly();
  no_fields.clear_fields();
  EXPECT_EQ(code_of(run(f, save(no_fields), 0)), v1::ERROR_CODE_BAD_REQUEST);
  // A client's id never reaches the audit unless it is a well-formed id.
  auto odd_id = weekly();
  odd_id.set_id("c_Hello there");
  fx = run(f, save(odd_id), 0);
  EXPECT_EQ(code_of(fx), v1::ERROR_CODE_BAD_REQUEST);
  EXPECT_EQ(fx.audit.at(0).detail, "invalid template=?");
  EXPECT_EQ(listed(true), std::vector<std::string>{"practice@1"});
}

TEST_F(worksheet_template_test,
       a_save_waits_for_the_previous_one_and_a_failed_one_changes_nothing) {
  auto first = run(f, save(weekly()), 0);
  auto busy = run(cf, save(weekly()), 0);
  EXPECT_EQ(code_of(busy), v1::ERROR_CODE_TOO_MANY_REQUESTS);
  EXPECT_TRUE(busy.reply->error().temporary());
  auto failed = store_templates(first, false);
  ASSERT_EQ(failed.replies.size(), 1U);
  EXPECT_EQ(failed.replies[0].reply.error().code(), v1::ERROR_CODE_INTERNAL);
  EXPECT_EQ(failed.audit.at(0).outcome, "failed");
  EXPECT_EQ(listed(true), std::vector<std::string>{"practice@1"});
  EXPECT_EQ(saved(weekly()), 1U);  // the retry gets version 1
}

TEST_F(worksheet_template_test, a_retired_template_makes_no_sheet_but_its_sheets_keep_working) {
  saved(weekly());
  auto sheet = store(run(f, push(v1::WORKSHEET_SCOPE_SESSION, "c_weekly"), 0));
  ASSERT_EQ(sheet.replies.size(), 1U);
  const std::string id = sheet.replies[0].reply.worksheet().instance_ids(0);

  auto fx = run(f, retire("c_weekly"), 1);
  EXPECT_FALSE(fx.reply);
  ASSERT_EQ(fx.template_writes.size(), 1U);
  EXPECT_EQ(fx.template_writes[0].retired, "c_weekly");
  auto done = store_templates(fx);
  ASSERT_EQ(done.replies.size(), 1U);
  EXPECT_FALSE(done.replies[0].reply.has_error());
  EXPECT_EQ(done.audit.at(0).action, "template_retired");
  EXPECT_EQ(done.audit.at(0).detail, "template=c_weekly");

  EXPECT_EQ(code_of(run(f, push(v1::WORKSHEET_SCOPE_SESSION, "c_weekly"), 2)),
            v1::ERROR_CODE_FAILED_PRECONDITION);
  v1::WorksheetCommand open;
  open.mutable_open()->set_template_id("c_weekly");
  EXPECT_EQ(code_of(run(pa, wrap(open), 2)), v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(code_of(run(f, save(weekly()), 2)), v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(code_of(run(f, retire("c_weekly"), 2)), v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(listed(false), std::vector<std::string>{"practice@1"});
  EXPECT_EQ(listed(true), (std::vector<std::string>{"c_weekly@1", "practice@1"}));

  auto edit = store(run(pa, write(id, "goal", "walk daily", 1), 3));
  ASSERT_EQ(edit.replies.size(), 1U);
  EXPECT_EQ(edit.replies[0].reply.worksheet().ack().version(), 1U);
}

TEST_F(worksheet_template_test, built_in_and_unknown_templates_are_not_retired) {
  auto fx = run(f, retire("practice"), 0);
  EXPECT_EQ(code_of(fx), v1::ERROR_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(fx.audit.at(0).detail, "built_in template=practice");
  EXPECT_EQ(code_of(run(f, retire("c_nothing"), 0)), v1::ERROR_CODE_NOT_FOUND);
  EXPECT_TRUE(run(f, retire("c_nothing"), 0).template_writes.empty());
}

TEST_F(worksheet_template_test, a_sheet_of_version_1_keeps_it_after_version_2) {
  saved(weekly());
  const auto old_id = store(run(f, push(v1::WORKSHEET_SCOPE_SESSION, "c_weekly"), 0))
                          .replies.at(0)
                          .reply.worksheet()
                          .instance_ids(0);
  auto v2 = weekly();
  v2.mutable_fields(0)->set_label("Main goal");
  auto* extra = v2.add_fields();
  extra->set_id("why");
  extra->set_label("Why");
  extra->set_type(v1::WORKSHEET_FIELD_TYPE_LONG_TEXT);
  EXPECT_EQ(saved(v2), 2U);
  const auto new_id = store(run(f, push(v1::WORKSHEET_SCOPE_SESSION, "c_weekly"), 1))
                          .replies.at(0)
                          .reply.worksheet()
                          .instance_ids(0);

  std::map<std::string, std::uint32_t> version_of;
  const auto snap = room_.snapshot(f, 2);
  for (const auto& s : snap.worksheets()) {
    version_of[s.document().instance_id()] = s.form().version();
  }
  EXPECT_EQ(version_of.at(old_id), 1U);
  EXPECT_EQ(version_of.at(new_id), 2U);
  // The old sheet has no "why"; the new one does.
  auto refused = run(pa, write(old_id, "why", "x", 1), 3);
  ASSERT_EQ(refused.replies.size(), 1U);
  EXPECT_EQ(refused.replies[0].reply.worksheet().ack().error(), v1::WORKSHEET_ERROR_MALFORMED);
  auto fresh = store(run(pa, write(new_id, "why", "x", 1), 3));
  EXPECT_EQ(fresh.replies.at(0).reply.worksheet().ack().version(), 1U);
  auto old = store(run(pa, write(old_id, "goal", "y", 2), 4));
  EXPECT_EQ(old.replies.at(0).reply.worksheet().ack().version(), 1U);
}

class worksheet_template_limits_test : public worksheet_template_test {
 protected:
  static room_limits small() {
    room_limits l;
    l.max_custom_templates = 1;
    l.max_template_versions = 2;
    l.max_template_bytes = 300;
    return l;
  }
  worksheet_template_limits_test() : worksheet_template_test(small()) {}
};

TEST_F(worksheet_template_limits_test, every_template_limit_is_enforced) {
  EXPECT_EQ(saved(weekly()), 1U);
  EXPECT_EQ(saved(weekly()), 2U);
  EXPECT_EQ(code_of(run(f, save(weekly()), 0)), v1::ERROR_CODE_LIMIT_EXCEEDED);
  auto other = weekly();
  other.set_id("c_other");
  EXPECT_EQ(code_of(run(f, save(other), 0)), v1::ERROR_CODE_LIMIT_EXCEEDED);
  auto big = weekly();
  big.set_purpose(std::string(400, 'x'));
  auto fx = run(f, save(big), 0);
  EXPECT_EQ(code_of(fx), v1::ERROR_CODE_LIMIT_EXCEEDED);
  EXPECT_EQ(fx.audit.at(0).detail, "too_large template=c_weekly");
}

}  // namespace
}  // namespace hearth::core::testing
