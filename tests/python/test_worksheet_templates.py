"""Facilitators' own worksheet templates over real sockets: a facilitator
saves one through the protocol (the server gives the versions), another
room pushes it, the admin API lists it, adds a version and refuses to touch
built-in templates; a retired template makes no new sheet while its sheets
keep working; everything survives a restart. Audit records carry ids and
versions, never template text."""

import json
import unittest

from admin_testcase import *  # noqa: F401,F403 - the shared fixture and helpers
from hearth_testcase import errors
from hearth.v1 import worksheet_pb2 as wpb  # noqa: E402  (on the path via hearth_client)

TEMPLATES = "/admin/v1/worksheet-templates"
CANARY = "Tq7-Template-Canary"


def weekly(title="Weekly goals", version=7):
    return {"id": "c_weekly", "version": version, "title": title + " " + CANARY,
            "purpose": "Plan the week " + CANARY, "scope": "session",
            "fields": [{"id": "goal", "type": "short_text", "label": "Goal " + CANARY},
                       {"id": "effort", "type": "scale", "label": "Effort"}]}


def to_proto(template):
    t = wpb.WorksheetTemplate(id=template["id"], version=template["version"],
                              title=template["title"], purpose=template["purpose"],
                              default_scope=wpb.WORKSHEET_SCOPE_SESSION)
    for f in template["fields"]:
        field = t.fields.add(id=f["id"], label=f["label"])
        field.type = (wpb.WORKSHEET_FIELD_TYPE_SHORT_TEXT if f["type"] == "short_text"
                      else wpb.WORKSHEET_FIELD_TYPE_SCALE)
        if f["type"] == "scale":
            field.min, field.max = 0, 10
    return t


class TemplateCalls:
    """The protocol's template commands and the audit rows they leave."""

    async def worksheet(self, client, **command):
        rid = await client.command(worksheet=wpb.WorksheetCommand(**command))
        reply, _ = await client.wait_reply(rid)
        return reply

    async def save(self, client, template):
        return await self.worksheet(client, save_template=wpb.SaveWorksheetTemplate(
            template=to_proto(template)))

    async def push(self, client, template_id="c_weekly"):
        return await self.worksheet(client, push=wpb.PushWorksheet(
            template_id=template_id, scope=wpb.WORKSHEET_SCOPE_SESSION))

    async def listed(self, client, include_retired=False):
        reply = await self.worksheet(client, list_templates=wpb.ListWorksheetTemplates(
            include_retired=include_retired))
        return {t.id: t.version for t in reply.worksheet.templates}

    def assert_refused(self, reply, code):
        self.assertEqual(reply.WhichOneof("outcome"), "error", reply)
        self.assertEqual(reply.error.code, code, reply)

    def template_audit(self):
        return self.db_rows("SELECT actor, action, outcome, detail FROM audit WHERE action IN "
                            "('template_saved', 'template_retired') ORDER BY seq")


class WorksheetTemplates(TemplateCalls, AdminCase):
    async def test_save_push_elsewhere_admin_retire_and_restart(self):
        fac_a = await self.joined("fac-a", "facilitator", room_id="group-a")
        pat_a = await self.joined("pat-a", room_id="group-a")
        fac_b = await self.joined("fac-b", "facilitator", room_id="group-b")

        saved = await self.save(fac_a, weekly())
        self.assertEqual(saved.WhichOneof("outcome"), "worksheet", saved)
        self.assertEqual((saved.worksheet.saved_template.id,
                          saved.worksheet.saved_template.version), ("c_weekly", 1))
        again = await self.save(fac_a, weekly("Weekly goals v2"))
        self.assertEqual(again.worksheet.saved_template.version, 2)
        self.assert_refused(await self.save(pat_a, weekly()), errors.ERROR_CODE_PERMISSION_DENIED)
        bad = weekly()
        bad["fields"].append(dict(bad["fields"][0]))
        refused = await self.save(fac_a, bad)
        self.assert_refused(refused, errors.ERROR_CODE_BAD_REQUEST)
        self.assertIn("goal", refused.error.message)

        # Another room uses it at once, at its newest version.
        pushed = await self.push(fac_b)
        self.assertEqual(pushed.WhichOneof("outcome"), "worksheet", pushed)
        sheet_b = pushed.worksheet.instance_ids[0]
        self.assertEqual((await self.listed(fac_b))["c_weekly"], 2)

        # The admin API sees both versions, adds a third, refuses built-ins.
        body = await self.get_json(TEMPLATES)
        mine = next(t for t in body["templates"] if t["id"] == "c_weekly")
        self.assertEqual((mine["version"], mine["built_in"], mine["retired"]), (2, False, False))
        self.assertTrue(next(t for t in body["templates"] if t["id"] == "halt_checkin")["built_in"])
        one = await self.get_json(TEMPLATES + "/c_weekly")
        self.assertEqual([v["template"]["version"] for v in one["versions"]], [1, 2])
        self.assertEqual(one["versions"][0]["created_by"], "fac-a")
        self.assertEqual(one["versions"][1]["template"]["title"], "Weekly goals v2 " + CANARY)
        added = await self.call("POST", TEMPLATES, weekly("Weekly goals v3", version=1))
        self.assertEqual(added.status, 201, added)
        self.assertEqual(added.json()["template"]["version"], 3)
        self.assertEqual((await self.listed(fac_a))["c_weekly"], 3)
        builtin = dict(weekly(), id="halt_checkin")
        self.assert_error(await self.call("POST", TEMPLATES, builtin), 409, "conflict")
        self.assert_error(await self.call("DELETE", TEMPLATES + "/halt_checkin"), 409, "conflict")
        message = self.assert_error(await self.call("POST", TEMPLATES, bad), 400, "bad_request")
        self.assertIn("goal", message)
        self.assert_error(await self.call("DELETE", TEMPLATES + "/c_none"), 404, "not_found")

        # Retired through the protocol: no new sheet anywhere, the old one works.
        retired = await self.worksheet(fac_a, retire_template=wpb.RetireWorksheetTemplate(
            template_id="c_weekly"))
        self.assertEqual(retired.WhichOneof("outcome"), "worksheet", retired)
        self.assert_refused(await self.push(fac_b), errors.ERROR_CODE_FAILED_PRECONDITION)
        self.assertNotIn("c_weekly", await self.listed(fac_b))
        self.assertEqual((await self.listed(fac_b, include_retired=True))["c_weekly"], 3)
        self.assert_error(await self.call("DELETE", TEMPLATES + "/c_weekly"), 409, "conflict")
        await self.write(fac_b, sheet_b, "walk", 1)

        self.assertEqual(self.template_audit(), [
            ("fac-a", "template_saved", "ok", "template=c_weekly version=1"),
            ("fac-a", "template_saved", "ok", "template=c_weekly version=2"),
            ("pat-a", "template_saved", "denied", "not_staff template=c_weekly"),
            ("fac-a", "template_saved", "denied", "invalid template=c_weekly"),
            ("admin", "template_saved", "ok", "template=c_weekly version=3"),
            ("admin", "template_saved", "denied", "built_in template=halt_checkin"),
            ("admin", "template_retired", "denied", "built_in template=halt_checkin"),
            ("admin", "template_saved", "denied", "invalid template=?"),
            ("fac-a", "template_retired", "ok", "template=c_weekly"),
            ("admin", "template_retired", "denied", "retired template=c_weekly"),
        ])
        for row in self.db_rows("SELECT * FROM audit"):
            self.assertNotIn(CANARY, " ".join(str(v) for v in row))

        # A restart keeps every version, the retirement and the sheet.
        for c in (fac_a, pat_a, fac_b):
            await c.close()
        self.assertEqual(await self.server.astop(), 0)
        self.server.start()
        self.port = self.server.port
        listed = await self.get_json(TEMPLATES + "?include_retired=true")
        mine = next(t for t in listed["templates"] if t["id"] == "c_weekly")
        self.assertEqual((mine["version"], mine["retired"]), (3, True))
        self.assertNotIn("c_weekly", [t["id"] for t in (await self.get_json(TEMPLATES))["templates"]])
        self.assertEqual(len((await self.get_json(TEMPLATES + "/c_weekly"))["versions"]), 3)
        fac_b = await self.joined("fac-b", "facilitator", room_id="group-b")
        sheets = {s.document.instance_id: s for s in fac_b.join_result.snapshot.worksheets}
        self.assertEqual(sheets[sheet_b].form.version, 2)
        self.assertEqual(sheets[sheet_b].document.version, 1)
        self.assert_refused(await self.push(fac_b), errors.ERROR_CODE_FAILED_PRECONDITION)
        await self.write(fac_b, sheet_b, "and rest", 2, base=1)

    async def write(self, client, instance, text, seq, base=0):
        reply = await self.worksheet(client, submit=wpb.WorksheetBatch(
            instance_id=instance, base_version=base, client_id="py", client_seq=seq,
            ops=[wpb.WorksheetOp(target=wpb.WorksheetTarget(field_id="goal"),
                                 text=wpb.TextEdit(components=[wpb.TextComponent(insert=text)]))]))
        self.assertEqual(reply.WhichOneof("outcome"), "worksheet", reply)
        self.assertEqual(reply.worksheet.ack.error, wpb.WORKSHEET_ERROR_NONE, reply)

    async def test_admin_refusals_change_nothing(self):
        self.assert_error(await self.call("POST", TEMPLATES, "not json"), 400, "bad_request")
        self.assert_error(await self.call("POST", TEMPLATES, dict(weekly(), id="weekly")), 400,
                          "bad_request")
        self.assert_error(await self.call("GET", TEMPLATES + "?include_retired=maybe"), 400,
                          "bad_request")
        self.assert_error(await self.call("GET", TEMPLATES + "?other=1"), 400, "bad_request")
        self.assert_error(await self.call("PUT", TEMPLATES + "/c_weekly", weekly()), 405,
                          "method_not_allowed")
        self.assert_error(await self.call("GET", TEMPLATES + "/c_weekly"), 404, "not_found")
        self.assert_error(await self.call("GET", TEMPLATES, authorization=""), 401,
                          "unauthorized")
        self.assertEqual(self.db_rows("SELECT COUNT(*) FROM worksheet_templates")[0][0], 0)
        body = await self.get_json(TEMPLATES)
        self.assertEqual(len(body["templates"]), 10)
        self.assertTrue(all(t["built_in"] for t in body["templates"]))


class AdminCallsAfterTheServersRecords(TemplateCalls, AdminCase):
    """The server lets records nobody waits for (attendance, audit notes)
    linger before they commit; the admin API reads and writes the store
    directly. Each admin call first waits for what the server submitted
    before it: the call reads it, and the call's own audit record follows it.
    Here the linger is ten minutes, so only that wait commits them."""
    SERVER_ARGS = ("--store-linger-ms", "600000")

    async def test_a_call_reads_and_records_after_what_the_server_submitted_first(self):
        await self.joined("fac-a", "facilitator", room_id="group-a")
        pat_a = await self.joined("pat-a", room_id="group-a")
        self.assert_refused(await self.save(pat_a, weekly()), errors.ERROR_CODE_PERMISSION_DENIED)

        self.assert_error(await self.call("DELETE", TEMPLATES + "/halt_checkin"), 409, "conflict")
        self.assertEqual(self.template_audit(), [
            ("pat-a", "template_saved", "denied", "not_staff template=c_weekly"),
            ("admin", "template_retired", "denied", "built_in template=halt_checkin"),
        ])
        report = await self.get_json("/admin/v1/sessions/group-a/attendance")
        self.assertEqual([p["subject"] for p in report["people"]], ["fac-a", "pat-a"])


if __name__ == "__main__":
    unittest.main()
