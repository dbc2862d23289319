// Exporting a sheet from every role and scope: exactly the sheet's readers
// get the document, everyone else is told it does not exist; successes and
// refusals are audited with ids and codes, never content or names; a bad
// format and an export over the reply limit get typed errors.
#include "worksheet_fixture.hpp"
#include "worksheets/unicode.hpp"

namespace hearth::core::testing {
namespace {

class worksheet_export_test : public worksheet_fixture {
 protected:
  explicit worksheet_export_test(room_limits limits = {}) : worksheet_fixture(limits) {}

  static v1::ClientMessage export_of(
      const std::string& instance,
      v1::WorksheetExportFormat format = v1::WORKSHEET_EXPORT_FORMAT_MARKDOWN) {
    v1::WorksheetCommand c;
    c.mutable_export_()->set_instance_id(instance);
    c.mutable_export_()->set_format(format);
    return wrap(c);
  }

  // pa's own personal sheet, "ws-1", holding some text.
  void open_personal() {
    v1::WorksheetCommand c;
    c.mutable_open()->set_template_id("practice");
    auto made = store(run(pa, wrap(c), 0));
    ASSERT_EQ(made.replies.at(0).reply.worksheet().instance_ids(0), "ws-1");
    store(run(pa, write("ws-1", "notes", "private <words>", 1), 1));
  }

  // Which of the five members may export `instance`; every refusal is the
  // same 104 as for a sheet that does not exist.
  std::vector<member_id> exporters(const std::string& instance) {
    std::vector<member_id> out;
    for (member_id m : {f, pa, pb, fm, o}) {
      auto fx = run(m, export_of(instance), 50);
      EXPECT_TRUE(fx.events.empty());
      EXPECT_TRUE(fx.worksheet_writes.empty());
      if (fx.reply && fx.reply->has_worksheet()) {
        EXPECT_EQ(fx.reply->worksheet().export_().instance_id(), instance);
        out.push_back(m);
      } else {
        EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_NOT_FOUND) << m;
      }
    }
    return out;
  }
};

using ids = std::vector<member_id>;

TEST_F(worksheet_export_test, a_session_sheet_is_exported_by_everyone_observers_included) {
  const auto sheets = pushed(v1::WORKSHEET_SCOPE_SESSION);
  EXPECT_EQ(exporters(sheets.at(0)), (ids{f, pa, pb, fm, o}));
}

TEST_F(worksheet_export_test, a_personal_sheet_is_exported_by_its_owner_and_the_facilitators) {
  open_personal();
  EXPECT_EQ(exporters("ws-1"), (ids{f, pa}));
}

TEST_F(worksheet_export_test, sharing_widens_and_narrows_who_exports_a_personal_sheet) {
  open_personal();
  run(pa, share("ws-1", v1::WORKSHEET_SHARING_GROUP), 2);
  EXPECT_EQ(exporters("ws-1"), (ids{f, pa, pb, fm}));
  run(pa, share("ws-1", v1::WORKSHEET_SHARING_FAMILY), 3);
  EXPECT_EQ(exporters("ws-1"), (ids{f, pa, fm}));
  run(pa, share("ws-1", v1::WORKSHEET_SHARING_UNSPECIFIED), 4);
  EXPECT_EQ(exporters("ws-1"), (ids{f, pa}));
}

TEST_F(worksheet_export_test, a_family_sheet_is_exported_by_its_family_and_the_facilitators) {
  const auto sheets = pushed(v1::WORKSHEET_SCOPE_FAMILY);
  ASSERT_EQ(sheets.size(), 1U);
  EXPECT_EQ(exporters(sheets[0]), (ids{f, pa, fm}));
}

TEST_F(worksheet_export_test, the_export_is_the_durable_document_rendered) {
  open_personal();
  // A batch waiting for its commit is not in the export yet.
  auto pending = run(pa, write("ws-1", "notes", "later ", 2, 1), 5);
  ASSERT_EQ(pending.worksheet_writes.size(), 1U);
  auto md = run(f, export_of("ws-1"), 1795532461207);
  const auto& e = md.reply->worksheet().export_();
  EXPECT_EQ(e.format(), v1::WORKSHEET_EXPORT_FORMAT_MARKDOWN);
  EXPECT_EQ(e.media_type(), "text/markdown; charset=utf-8");
  EXPECT_EQ(e.filename(), "practice-ws-1.md");
  EXPECT_NE(e.body().find("## Notes\n\nprivate \\<words\\>\n"), std::string::npos) << e.body();
  EXPECT_NE(e.body().find("- **Owner:** pa\n"), std::string::npos);
  EXPECT_NE(e.body().find("- **Session:** r1\n"), std::string::npos);
  EXPECT_NE(e.body().find("- **Version:** 1\n"), std::string::npos);
  EXPECT_NE(e.body().find("- **Generated:** 2026-11-24T15:01:01Z\n"), std::string::npos);
  EXPECT_EQ(e.body().find("later"), std::string::npos);

  auto page = run(pa, export_of("ws-1", v1::WORKSHEET_EXPORT_FORMAT_HTML), 6);
  const auto& h = page.reply->worksheet().export_();
  EXPECT_EQ(h.media_type(), "text/html; charset=utf-8");
  EXPECT_EQ(h.filename(), "practice-ws-1.html");
  EXPECT_NE(h.body().find("private &lt;words&gt;"), std::string::npos);
  EXPECT_EQ(h.body().find("<words>"), std::string::npos);
}

TEST_F(worksheet_export_test, exports_and_refusals_are_audited_without_content) {
  open_personal();
  auto ok = run(f, export_of("ws-1", v1::WORKSHEET_EXPORT_FORMAT_HTML), 7);
  ASSERT_EQ(ok.audit.size(), 1U);
  EXPECT_EQ(ok.audit[0].actor, "f");
  EXPECT_EQ(ok.audit[0].action, "export");
  EXPECT_EQ(ok.audit[0].outcome, "ok");
  EXPECT_EQ(ok.audit[0].detail, "instance=ws-1 format=html");
  EXPECT_EQ(ok.audit[0].at, 7);

  auto denied = run(pb, export_of("ws-1"), 8);
  EXPECT_EQ(denied.reply->error().code(), v1::ERROR_CODE_NOT_FOUND);
  ASSERT_EQ(denied.audit.size(), 1U);
  EXPECT_EQ(denied.audit[0].actor, "pb");
  EXPECT_EQ(denied.audit[0].action, "export");
  EXPECT_EQ(denied.audit[0].outcome, "denied");
  EXPECT_EQ(denied.audit[0].detail, "instance=ws-1 format=markdown not_allowed");

  // A sheet that does not exist is only missing.
  auto missing = run(pb, export_of("ws-99"), 9);
  EXPECT_EQ(missing.reply->error().code(), v1::ERROR_CODE_NOT_FOUND);
  EXPECT_TRUE(missing.audit.empty());
  for (const auto& note : {ok.audit[0], denied.audit[0]}) {
    EXPECT_EQ(note.detail.find("private"), std::string::npos);
    EXPECT_EQ(note.target, "");
  }
}

// A PDF is laid out by the shell: the core hands over the durable sheet and
// who asked, answers nothing itself and leaves the audit record (with its
// outcome) to the shell; a non-reader is refused here, as for every format.
TEST_F(worksheet_export_test, a_pdf_is_handed_to_the_shell_with_the_durable_sheet) {
  open_personal();
  auto fx = run(pa, export_of("ws-1", v1::WORKSHEET_EXPORT_FORMAT_PDF), 11);
  EXPECT_FALSE(fx.reply);
  EXPECT_TRUE(fx.audit.empty());
  ASSERT_TRUE(fx.pdf);
  EXPECT_EQ(fx.pdf->form.id(), "practice");
  EXPECT_EQ(worksheets::encode_utf8(fx.pdf->document.fields.at("notes").own.text),
            "private <words>");
  EXPECT_EQ(fx.pdf->meta.instance_id, "ws-1");
  EXPECT_EQ(fx.pdf->meta.session_id, "r1");
  EXPECT_EQ(fx.pdf->meta.scope, v1::WORKSHEET_SCOPE_PERSONAL);
  EXPECT_EQ(fx.pdf->meta.owner_name, "pa");
  EXPECT_EQ(fx.pdf->meta.version, 1U);
  EXPECT_EQ(fx.pdf->meta.generated_at_ms, 11);
  EXPECT_EQ(fx.pdf->filename, "practice-ws-1.pdf");
  EXPECT_EQ(fx.pdf->audit.actor, "pa");
  EXPECT_EQ(fx.pdf->audit.action, "export");
  EXPECT_EQ(fx.pdf->audit.detail, "instance=ws-1 format=pdf");

  auto denied = run(pb, export_of("ws-1", v1::WORKSHEET_EXPORT_FORMAT_PDF), 12);
  EXPECT_FALSE(denied.pdf);
  EXPECT_EQ(denied.reply->error().code(), v1::ERROR_CODE_NOT_FOUND);
  ASSERT_EQ(denied.audit.size(), 1U);
  EXPECT_EQ(denied.audit[0].detail, "instance=ws-1 format=pdf not_allowed");
}

TEST_F(worksheet_export_test, an_export_without_a_format_is_a_bad_request) {
  open_personal();
  auto fx = run(pa, export_of("ws-1", v1::WORKSHEET_EXPORT_FORMAT_UNSPECIFIED), 3);
  EXPECT_EQ(fx.reply->error().code(), v1::ERROR_CODE_BAD_REQUEST);
  auto odd = run(pa, export_of("ws-1", static_cast<v1::WorksheetExportFormat>(9)), 3);
  EXPECT_EQ(odd.reply->error().code(), v1::ERROR_CODE_BAD_REQUEST);
  EXPECT_TRUE(fx.audit.empty());
}

class worksheet_export_limit_test : public worksheet_export_test {
 protected:
  worksheet_export_limit_test() : worksheet_export_test(limits()) {}
  static room_limits limits() {
    room_limits l;
    l.max_export_bytes = 1200;
    return l;
  }
};

TEST_F(worksheet_export_limit_test, an_export_over_the_reply_limit_is_refused_with_a_typed_error) {
  open_personal();
  auto fits = run(pa, export_of("ws-1"), 3);
  ASSERT_TRUE(fits.reply->has_worksheet()) << fits.reply->ShortDebugString();
  store(run(pa, write("ws-1", "notes", std::string(50, 'x'), 2, 1), 4));
  auto big = run(pa, export_of("ws-1", v1::WORKSHEET_EXPORT_FORMAT_HTML), 5);
  EXPECT_EQ(big.reply->error().code(), v1::ERROR_CODE_LIMIT_EXCEEDED);
  ASSERT_EQ(big.audit.size(), 1U);
  EXPECT_EQ(big.audit[0].outcome, "failed");
  EXPECT_EQ(big.audit[0].detail, "instance=ws-1 format=html too_large");
}

}  // namespace
}  // namespace hearth::core::testing
