"""Worksheets out of the server, over real sockets: a planned session's
sheets (session, personal and family) filled in the room, then read back
through the admin API (the list, one sheet as JSON, Markdown, HTML and PDF, each
rebuilt from the store) and exported through the protocol. `subject=` limits
the admin API to what that person could read; everything else answers 404.
Every read and export is audited, never with content or names."""

import subprocess
import tempfile
import unittest

from hearth_testcase import errors
from hearth.v1 import worksheet_pb2 as wpb  # noqa: E402  (on the path via hearth_client)
from session_testcase import *  # noqa: F401,F403 - the shared fixture and helpers

SESSION = "iop-tue-am"
SHEETS = SESSIONS + "/" + SESSION + "/worksheets"
# Distinctive, so that a match in the audit trail or the log is no accident.
SECRET = "Pv19-Sheet-Canary <script>alert('x')</script> & *stars* \U0001F600"
LIST_FIELDS = {"instance_id", "template_id", "template_version", "title", "scope",
               "owner_subject", "family", "sharing", "created_at_ms", "version",
               "filled_fields"}



def pdf_text(data):
    """The text poppler's pdftotext reads from a PDF file's bytes."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], check=True,
                              capture_output=True, text=True).stdout

class WorksheetsCase(SessionCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        await self.create(valid_body(admit_before_facilitator=True))
        tokens = {t["subject"]: t for t in (await self.tokens(SESSION))["tokens"]}
        self.people = {}
        for subject in ("staff-17", "client-1042", "client-2210", "fam-2210-a"):
            client = await self.connect(subject)
            await client.hello(tokens[subject]["token"])
            await client.join()
            self.assertGreater(client.member_id, 0)
            self.people[subject] = client
        staff = self.people["staff-17"]
        self.session_sheet = (await self.push(staff, wpb.WORKSHEET_SCOPE_SESSION))[0]
        self.personal = await self.push(staff, wpb.WORKSHEET_SCOPE_PERSONAL)
        self.family_sheet = (await self.push(staff, wpb.WORKSHEET_SCOPE_FAMILY))[0]
        listed = {w["instance_id"]: w for w in (await self.get_json(SHEETS))["worksheets"]}
        self.jordan_sheet = next(i for i in self.personal
                                 if listed[i]["owner_subject"] == "client-1042")
        self.sam_sheet = next(i for i in self.personal
                              if listed[i]["owner_subject"] == "client-2210")

    async def worksheet(self, client, **command):
        rid = await client.command(worksheet=wpb.WorksheetCommand(**command))
        reply, _ = await client.wait_reply(rid)
        return reply

    async def push(self, client, scope):
        reply = await self.worksheet(client, push=wpb.PushWorksheet(
            template_id="decisional_balance", scope=scope))
        self.assertEqual(reply.WhichOneof("outcome"), "worksheet", reply)
        return list(reply.worksheet.instance_ids)

    async def write(self, client, instance, text, seq=1, importance=None):
        ops = [wpb.WorksheetOp(target=wpb.WorksheetTarget(field_id="behavior"),
                               text=wpb.TextEdit(components=[wpb.TextComponent(insert=text)]))]
        if importance is not None:
            ops.append(wpb.WorksheetOp(target=wpb.WorksheetTarget(field_id="importance"),
                                       set=wpb.WorksheetValue(scale=importance)))
        ops.append(wpb.WorksheetOp(target=wpb.WorksheetTarget(field_id="using_bad",
                                                              item_id="c1-1"),
                                   insert=wpb.ListInsert(order_key="m")))
        reply = await self.worksheet(client, submit=wpb.WorksheetBatch(
            instance_id=instance, base_version=0, client_id="c1", client_seq=seq, ops=ops))
        self.assertEqual(reply.worksheet.ack.error, wpb.WORKSHEET_ERROR_NONE, reply)
        return reply.worksheet.ack.version

    def audit_rows(self, action):
        return self.db_rows("SELECT actor, actor_role, target, session, outcome, detail FROM audit "
                            "WHERE action = ? ORDER BY seq", action)

    def assert_no_content_in_audit(self):
        for row in self.db_rows("SELECT * FROM audit"):
            text = " ".join(str(v) for v in row)
            self.assertNotIn("Canary", text, row)
        self.assert_no_names_in_audit()


class AdminWorksheets(WorksheetsCase):
    async def test_the_list_holds_metadata_only(self):
        await self.write(self.people["client-1042"], self.jordan_sheet, SECRET, importance=7)
        body = await self.get_json(SHEETS)
        self.assertEqual(body["session"], SESSION)
        sheets = body["worksheets"]
        self.assertEqual([w["scope"] for w in sheets], ["session", "personal", "personal", "family"])
        for w in sheets:
            self.assertEqual(set(w), LIST_FIELDS)
            self.assertEqual((w["template_id"], w["template_version"]), ("decisional_balance", 1))
            self.assertEqual(w["title"], "Weighing a change")
        jordan = next(w for w in sheets if w["instance_id"] == self.jordan_sheet)
        self.assertEqual(jordan["version"], 1)
        self.assertEqual(jordan["filled_fields"], ["behavior", "using_bad", "importance"])
        self.assertEqual(next(w for w in sheets if w["scope"] == "family")["family"],
                         "client-2210")
        self.assertNotIn("Canary", json.dumps(body))
        self.assertEqual(self.audit_rows("record_viewed")[-1],
                         ("admin", "admin", "worksheets", SESSION, "ok", "sheets=4"))

    async def test_one_sheet_as_json_markdown_and_html(self):
        await self.write(self.people["client-1042"], self.jordan_sheet, SECRET, importance=7)
        target = SHEETS + "/" + self.jordan_sheet
        doc = await self.get_json(target)
        self.assertEqual(doc["version"], 1)
        fields = {f["id"]: f for f in doc["fields"]}
        self.assertEqual(fields["behavior"], {"id": "behavior", "type": "short_text",
                                              "label": "The habit I am thinking about changing",
                                              "value": SECRET})
        self.assertEqual(fields["importance"]["value"], 7)
        self.assertIsNone(fields["date"]["value"])
        self.assertEqual(fields["using_bad"]["items"][0]["item_id"], "c1-1")
        self.assertEqual(self.audit_rows("record_viewed")[-1],
                         ("admin", "admin", "worksheet", SESSION, "ok",
                          "instance=%s format=json" % self.jordan_sheet))

        md = await self.call("GET", target + "?format=markdown")
        self.assertEqual(md.status, 200, md)
        self.assertEqual(md.headers.get("content-type"), "text/markdown; charset=utf-8")
        self.assertIn("# Weighing a change\n", md.text)
        self.assertIn("- **Owner:** Jordan Quillfeather\n", md.text)
        self.assertIn("\\<script\\>alert('x')\\</script\\> \\& \\*stars\\* \U0001F600", md.text)
        self.assertIn("7 of 0-10", md.text)

        page = await self.call("GET", target + "?format=html")
        self.assertEqual(page.status, 200, page)
        self.assertEqual(page.headers.get("content-type"), "text/html; charset=utf-8")
        self.assertTrue(page.text.startswith("<!DOCTYPE html>"))
        self.assertNotIn("<script", page.text)
        self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; *stars*", page.text)
        pdf = await self.call("GET", target + "?format=pdf")
        self.assertEqual(pdf.status, 200, pdf)
        self.assertEqual(pdf.headers.get("content-type"), "application/pdf")
        self.assertTrue(pdf.body.startswith(b"%PDF-"))
        text = pdf_text(pdf.body)
        for expected in ("Weighing a change", "Owner: Jordan Quillfeather", "7 of 0-10",
                         "<script>alert('x')</script> & *stars*"):
            self.assertIn(expected, text)
        exports = self.audit_rows("export")
        self.assertEqual(exports[-3:], [
            ("admin", "admin", "worksheet", SESSION, "ok",
             "instance=%s format=markdown" % self.jordan_sheet),
            ("admin", "admin", "worksheet", SESSION, "ok",
             "instance=%s format=html" % self.jordan_sheet),
            ("admin", "admin", "worksheet", SESSION, "ok",
             "instance=%s format=pdf" % self.jordan_sheet)])
        self.assert_no_content_in_audit()

    async def test_subject_limits_both_paths_to_what_that_person_reads(self):
        def ids(body):
            return [w["instance_id"] for w in body["worksheets"]]
        cases = {
            "client-1042": [self.session_sheet, self.jordan_sheet],
            "client-2210": [self.session_sheet, self.sam_sheet, self.family_sheet],
            "fam-2210-a": [self.session_sheet, self.family_sheet],
            "someone-else": [self.session_sheet],
        }
        for subject, expected in cases.items():
            body = await self.get_json(SHEETS + "?subject=" + subject)
            self.assertEqual(ids(body), expected, subject)
            self.assertEqual(body["subject"], subject)
            for instance in [self.session_sheet, self.jordan_sheet, self.sam_sheet,
                             self.family_sheet]:
                reply = await self.call("GET", "%s/%s?subject=%s&format=markdown"
                                        % (SHEETS, instance, subject))
                if instance in expected:
                    self.assertEqual(reply.status, 200, (subject, instance, reply))
                else:
                    self.assert_error(reply, 404, "not_found")
        self.assertEqual(self.audit_rows("record_viewed")[-1],
                         ("admin", "admin", "worksheets", SESSION, "ok",
                          "sheets=1 subject=someone-else"))
        self.assertEqual(self.audit_rows("export")[-1][5],
                         "instance=%s format=markdown subject=someone-else" % self.session_sheet)

    async def test_refusals(self):
        before = self.db_rows("SELECT COUNT(*) FROM audit")[0][0]
        self.assert_error(await self.call("GET", SESSIONS + "/nope/worksheets"), 404, "not_found")
        self.assert_error(await self.call("GET", SHEETS + "/ws-999"), 404, "not_found")
        self.assert_error(await self.call("GET", SHEETS + "/ws-1?format=docx"), 400, "bad_request")
        self.assert_error(await self.call("GET", SHEETS + "?format=json"), 400, "bad_request")
        self.assert_error(await self.call("GET", SHEETS + "?subject="), 400, "bad_request")
        self.assert_error(await self.call("POST", SHEETS, {}), 405, "method_not_allowed")
        self.assert_error(await self.call("GET", SHEETS, authorization=""), 401, "unauthorized")
        # Only the refused key is recorded.
        self.assertEqual(self.db_rows("SELECT COUNT(*) FROM audit")[0][0], before + 1)


class ProtocolExport(WorksheetsCase):
    async def export(self, client, instance, fmt=wpb.WORKSHEET_EXPORT_FORMAT_HTML):
        return await self.worksheet(client, export=wpb.ExportWorksheet(instance_id=instance,
                                                                       format=fmt))

    async def test_readers_export_and_others_are_told_it_does_not_exist(self):
        jordan, sam = self.people["client-1042"], self.people["client-2210"]
        await self.write(jordan, self.jordan_sheet, SECRET)
        reply = await self.export(jordan, self.jordan_sheet)
        self.assertEqual(reply.WhichOneof("outcome"), "worksheet", reply)
        out = getattr(reply.worksheet, "export")
        self.assertEqual(out.media_type, "text/html; charset=utf-8")
        self.assertEqual(out.filename, "decisional_balance-%s.html" % self.jordan_sheet)
        self.assertIn("&lt;script&gt;", out.body)
        self.assertNotIn("<script", out.body)
        staff = await self.export(self.people["staff-17"], self.jordan_sheet,
                                  wpb.WORKSHEET_EXPORT_FORMAT_MARKDOWN)
        self.assertIn("Pv19-Sheet-Canary", getattr(staff.worksheet, "export").body)
        refused = await self.export(sam, self.jordan_sheet)
        self.assertEqual(refused.WhichOneof("outcome"), "error", refused)
        self.assertEqual(refused.error.code, errors.ERROR_CODE_NOT_FOUND)
        family = await self.export(self.people["fam-2210-a"], self.family_sheet)
        self.assertEqual(family.WhichOneof("outcome"), "worksheet", family)

        async def rows():
            return self.audit_rows("export")
        exports = await self.until(rows, lambda r: len(r) >= 4)
        self.assertEqual(exports, [
            ("client-1042", "participant", "", SESSION, "ok",
             "instance=%s format=html" % self.jordan_sheet),
            ("staff-17", "facilitator", "", SESSION, "ok",
             "instance=%s format=markdown" % self.jordan_sheet),
            ("client-2210", "participant", "", SESSION, "denied",
             "instance=%s format=html not_allowed" % self.jordan_sheet),
            ("fam-2210-a", "family_member", "", SESSION, "ok",
             "instance=%s format=html" % self.family_sheet)])
        self.assert_no_content_in_audit()

    async def test_a_pdf_is_laid_out_off_the_room_and_still_reaches_only_readers(self):
        jordan, sam = self.people["client-1042"], self.people["client-2210"]
        await self.write(jordan, self.jordan_sheet, SECRET, importance=7)
        reply = await self.export(jordan, self.jordan_sheet, wpb.WORKSHEET_EXPORT_FORMAT_PDF)
        self.assertEqual(reply.WhichOneof("outcome"), "worksheet", reply)
        out = getattr(reply.worksheet, "export")
        self.assertEqual(out.format, wpb.WORKSHEET_EXPORT_FORMAT_PDF)
        self.assertEqual(out.media_type, "application/pdf")
        self.assertEqual(out.filename, "decisional_balance-%s.pdf" % self.jordan_sheet)
        self.assertEqual(out.body, "")
        self.assertTrue(out.data.startswith(b"%PDF-"))
        text = pdf_text(out.data)
        for expected in ("Weighing a change", "Owner: Jordan Quillfeather", "7 of 0-10",
                         "<script>alert('x')</script> & *stars*"):
            self.assertIn(expected, text)
        # The room answers on after the PDF.
        await jordan.chat("after the pdf")
        refused = await self.export(sam, self.jordan_sheet, wpb.WORKSHEET_EXPORT_FORMAT_PDF)
        self.assertEqual(refused.error.code, errors.ERROR_CODE_NOT_FOUND)

        async def rows():
            return self.audit_rows("export")
        exports = await self.until(rows, lambda r: len(r) >= 2)
        self.assertEqual(exports, [
            ("client-1042", "participant", "", SESSION, "ok",
             "instance=%s format=pdf" % self.jordan_sheet),
            ("client-2210", "participant", "", SESSION, "denied",
             "instance=%s format=pdf not_allowed" % self.jordan_sheet)])
        self.assert_no_content_in_audit()


class NoRoomForPdfs(ProtocolExport):
    """With no room on the render queue every PDF is refused as busy, and
    audited as failed; the other formats do not use the queue."""
    SERVER_ARGS = SessionCase.SERVER_ARGS + ("--max-pdf-queue", "0")

    async def test_a_pdf_beyond_the_queue_is_refused_as_busy_and_audited(self):
        jordan = self.people["client-1042"]
        reply = await self.export(jordan, self.jordan_sheet, wpb.WORKSHEET_EXPORT_FORMAT_PDF)
        self.assertEqual(reply.WhichOneof("outcome"), "error", reply)
        self.assertEqual(reply.error.code, errors.ERROR_CODE_TOO_MANY_REQUESTS)
        self.assertTrue(reply.error.temporary)
        html = await self.export(jordan, self.jordan_sheet)
        self.assertEqual(html.WhichOneof("outcome"), "worksheet", html)

        async def rows():
            return self.audit_rows("export")
        exports = await self.until(rows, lambda r: len(r) >= 2)
        self.assertEqual(exports, [
            ("client-1042", "participant", "", SESSION, "failed",
             "instance=%s format=pdf busy" % self.jordan_sheet),
            ("client-1042", "participant", "", SESSION, "ok",
             "instance=%s format=html" % self.jordan_sheet)])

    # The inherited tests need the queue.
    test_a_pdf_is_laid_out_off_the_room_and_still_reaches_only_readers = None
    test_readers_export_and_others_are_told_it_does_not_exist = None


if __name__ == "__main__":
    unittest.main()
