"""Audit completeness: a scripted day with known privileged and sensitive
actions (a session planned, changed and cancelled, tokens minted, a failed
sign-in, a refused admin key, records viewed and exported, the trail verified)
yields exactly those audit records, in order, and none of them holds content:
no chat text, no names, no tokens. Altering one record makes verification
fail at that record."""

import sqlite3
import unittest

from admin_testcase import AdminCase
from hearth_testcase import errors

CANARY = "CANARY-7f3a-chat-text"


class Completeness(AdminCase):
    ROOM = "grp-9"

    async def test_a_scripted_day_yields_exactly_its_records(self):
        plan = {"id": self.ROOM, "title": "Tuesday evening group", "kind": "group",
                "scheduled_start_ms": 1_800_000_000_000,
                "scheduled_end_ms": 1_800_000_000_000 + 90 * 60_000,
                "roster": [{"subject": "staff-1", "display_name": "Dana Whitfield",
                            "role": "facilitator"},
                           {"subject": "client-1", "display_name": "Sam Ortega",
                            "role": "participant"}]}
        self.assertEqual((await self.call("POST", "/admin/v1/sessions", plan)).status, 201)
        plan["title"] = "Tuesday evening group (room B)"
        self.assertEqual((await self.call("PUT", "/admin/v1/sessions/" + self.ROOM, plan)).status,
                         200)
        reply = await self.call("POST", "/admin/v1/sessions/%s/tokens" % self.ROOM, {})
        self.assertEqual(reply.status, 201, reply)
        tokens = {t["subject"]: t["token"] for t in reply.json()["tokens"]}

        # The session itself: people talk; content must never reach the trail.
        dana = await self.connect("dana")
        await dana.hello(tokens["staff-1"])
        await dana.join()
        sam = await self.connect("sam")
        await sam.hello(tokens["client-1"])
        await sam.join()
        await sam.chat(CANARY)
        bad = await self.connect("bad")
        reply, _ = await bad.wait_reply(await bad.send_hello("forged.token.value"))
        self.assertEqual(reply.error.code, errors.ERROR_CODE_UNAUTHENTICATED)

        # The failed sign-in's record is committed by the store's writer in the
        # background, the admin API's own at once: the script waits for the
        # first, so that the trail's order is the script's.
        async def failed_sign_ins():
            return self.db_rows("SELECT count(*) FROM audit WHERE action = 'auth_failed'")[0][0]
        await self.until(failed_sign_ins, lambda count: count == 1)
        self.assertEqual((await self.call("GET", "/admin/v1/audit", authorization="Bearer nope"))
                         .status, 401)

        await self.until(lambda: self.get_json("/admin/v1/sessions/%s/attendance" % self.ROOM),
                         lambda body: len(body["people"]) == 2)
        await self.call("GET", "/admin/v1/sessions/%s/attendance?format=csv" % self.ROOM)
        await self.call("DELETE", "/admin/v1/sessions/" + self.ROOM)
        await self.get_json("/admin/v1/audit/verify")

        rows = self.db_rows("SELECT action, actor_role, target, session, outcome FROM audit "
                            "ORDER BY seq")
        # Attendance polling may read more than once; fold repeated views.
        folded = [r for i, r in enumerate(rows) if i == 0 or r != rows[i - 1]]
        self.assertEqual(folded, [
            ("session_created", "admin", self.ROOM, self.ROOM, "ok"),
            ("session_updated", "admin", self.ROOM, self.ROOM, "ok"),
            ("token_minted", "admin", "staff-1", self.ROOM, "ok"),
            ("token_minted", "admin", "client-1", self.ROOM, "ok"),
            ("auth_failed", "unauthenticated", "", "", "denied"),
            ("admin_auth_failed", "unauthenticated", "", "", "denied"),
            ("record_viewed", "admin", "attendance", self.ROOM, "ok"),
            ("export", "admin", "attendance", self.ROOM, "ok"),
            ("session_cancelled", "admin", self.ROOM, self.ROOM, "ok"),
            ("audit_verified", "admin", "audit", "", "ok"),
        ])
        everything = " ".join(str(v) for row in self.db_rows("SELECT * FROM audit") for v in row)
        for secret in [CANARY, "Dana", "Whitfield", "Sam Ortega", "forged.token.value",
                       tokens["staff-1"], self.admin_key, "Tuesday"]:
            self.assertNotIn(secret, everything)

        # Altering one record: verification names it.
        with sqlite3.connect(self.db_path) as db:
            db.execute("UPDATE audit SET outcome = 'denied' WHERE action = 'export'")
        export_seq = self.db_rows("SELECT seq FROM audit WHERE action = 'export'")[0][0]
        body = await self.get_json("/admin/v1/audit/verify")
        self.assertFalse(body["ok"])
        self.assertEqual(body["first_broken"], export_seq)


if __name__ == "__main__":
    unittest.main()
