"""The audit trail through the admin API: queries, paging, the hash chain
recomputed independently, and verification finding altered records."""

import unittest

from admin_testcase import *  # noqa: F401,F403 - the shared fixture and helpers


# --------------------------------------------------------------------------- audit trail

class AuditTrail(AdminCase):

    async def audit(self, query=""):
        return await self.get_json("/admin/v1/audit" + ("?" + query if query else ""))

    async def make_records(self):
        """Records from three actors in two sessions, a few ms apart."""
        await self.mint(room_id="r1", subject="p1")
        await asyncio.sleep(0.005)
        await self.mint(room_id="r2", subject="p2")
        await asyncio.sleep(0.005)
        await asyncio.to_thread(self.server.mint, "r2", "participant", "p4", "P")  # operator
        await asyncio.sleep(0.005)
        bad = await self.connect("bad")
        await bad.wait_reply(await bad.send_hello("not.a.token"))
        await self.until(lambda: asyncio.to_thread(self.count, "auth_failed"), lambda n: n == 1)
        await asyncio.sleep(0.005)
        await self.mint(room_id="r1", subject="p3")

    async def test_records_have_every_field_and_form_a_hash_chain(self):
        await self.make_records()
        body = await self.audit()
        self.assertEqual(set(body), {"records", "next_after"})
        records = body["records"]
        self.assertEqual([r["seq"] for r in records], [1, 2, 3, 4, 5])
        self.assertEqual(body["next_after"], 5)
        prev = GENESIS
        for r in records:
            self.assertEqual(set(r), AUDIT_FIELDS)
            self.assertEqual(r["prev_hash"], prev)
            self.assertEqual(r["hash"], audit_hash(r))
            prev = r["hash"]
        self.assertEqual(
            [(r["actor"], r["actor_role"], r["action"], r["target"], r["session"], r["outcome"])
             for r in records],
            [("admin", "admin", "token_minted", "p1", "r1", "ok"),
             ("admin", "admin", "token_minted", "p2", "r2", "ok"),
             ("operator", "operator", "token_minted", "p4", "r2", "ok"),
             ("", "unauthenticated", "auth_failed", "", "", "denied"),
             ("admin", "admin", "token_minted", "p3", "r1", "ok")])
        self.assertEqual(records[3]["detail"], "malformed")
        # The listing itself is recorded, after the records it returned.
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "audit", "", "ok",
                                             ""))

    async def test_filters_by_session_actor_and_time(self):
        await self.make_records()
        full = (await self.audit())["records"]
        last = full[-1]["seq"]

        def expected(keep):
            return [r for r in full if keep(r)]

        by_session = (await self.audit("session=r1"))["records"]
        self.assertEqual([r for r in by_session if r["seq"] <= last],
                         expected(lambda r: r["session"] == "r1"))
        self.assertTrue(all(r["session"] == "r1" for r in by_session))
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "audit", "r1",
                                             "ok", ""))

        operator = (await self.audit("actor=operator"))["records"]
        self.assertEqual(operator, expected(lambda r: r["actor"] == "operator"))
        server = (await self.audit("actor="))["records"]
        self.assertEqual(server, expected(lambda r: r["actor"] == ""))
        admin = (await self.audit("actor=admin"))["records"]
        self.assertEqual([r["seq"] for r in admin if r["seq"] <= last],
                         [r["seq"] for r in expected(lambda r: r["actor"] == "admin")])
        both = (await self.audit("actor=admin&session=r2"))["records"]
        self.assertEqual(both, expected(lambda r: r["actor"] == "admin" and r["session"] == "r2"))

        # Times need not rise with seq (hearthd mint-token records whole seconds),
        # so the expectations filter the full list rather than slice it.
        since, until = full[1]["at_ms"], full[-1]["at_ms"]
        self.assertLess(since, until)
        window = (await self.audit("since=%d&until=%d" % (since, until)))["records"]
        self.assertEqual(window, expected(lambda r: since <= r["at_ms"] < until),
                         "since is inclusive, until exclusive")
        self.assertIn(full[1], window)
        self.assertNotIn(full[-1], window)
        early = (await self.audit("until=%d" % full[0]["at_ms"]))["records"]
        self.assertEqual(early, expected(lambda r: r["at_ms"] < full[0]["at_ms"]))
        later = (await self.audit("since=%d" % until))["records"]
        self.assertTrue(all(r["at_ms"] >= until for r in later))
        self.assertIn(full[-1], later)

    async def test_paging_with_after_limit_and_next_after(self):
        await self.make_records()
        seen = []
        after = 0
        for _ in range(50):
            body = await self.audit("after=%d&limit=2" % after)
            self.assertLessEqual(len(body["records"]), 2)
            seen += [r["seq"] for r in body["records"]]
            if body["records"]:
                self.assertEqual(body["next_after"], body["records"][-1]["seq"])
            after = body["next_after"]
            # Each listing adds a record of its own, so a short page is the end.
            if len(body["records"]) < 2:
                break
        else:
            self.fail("paging did not end")
        self.assertEqual(seen, list(range(1, len(seen) + 1)), "every record once, in order")
        self.assertGreater(len(seen), 5, "the listings' own records included")
        self.assertEqual(self.db_rows("SELECT MAX(seq) FROM audit")[0][0], len(seen) + 1)
        empty = await self.audit("after=1000")
        self.assertEqual(empty, {"records": [], "next_after": 1000})
        page = await self.audit("session=r1&limit=1")
        self.assertEqual([r["target"] for r in page["records"]], ["p1"])
        page = await self.audit("session=r1&limit=1&after=%d" % page["next_after"])
        self.assertEqual([r["target"] for r in page["records"]], ["p3"])

    async def test_verify_reports_an_intact_chain_then_the_altered_record(self):
        await self.make_records()
        rows = self.db_rows("SELECT COUNT(*) FROM audit")[0][0]
        self.assertEqual(await self.get_json("/admin/v1/audit/verify"),
                         {"ok": True, "records": rows})
        self.assertEqual(self.last_audit(), ("admin", "admin", "audit_verified", "audit", "", "ok",
                                             ""))
        self.db_write("UPDATE audit SET target = 'someone-else' WHERE seq = 2")
        self.assertEqual(await self.get_json("/admin/v1/audit/verify"), {
            "ok": False, "records": 2, "first_broken": 2,
            "reason": "its contents do not match its hash (altered record)"})
        self.assertEqual(self.last_audit(), ("admin", "admin", "audit_verified", "audit", "",
                                             "failed", "2"))

    async def test_verify_finds_a_removed_record(self):
        await self.make_records()
        self.db_write("DELETE FROM audit WHERE seq = 3")
        self.assertEqual(await self.get_json("/admin/v1/audit/verify"), {
            "ok": False, "records": 3, "first_broken": 4,
            "reason": "a record is missing before it"})

    async def test_every_admin_call_leaves_an_audit_record(self):
        calls = [
            (("GET", "/admin/v1/sessions/r9/attendance", None),
             ("admin", "admin", "record_viewed", "attendance", "r9", "ok", "json")),
            (("GET", "/admin/v1/sessions/r9/attendance?format=csv", None),
             ("admin", "admin", "export", "attendance", "r9", "ok", "csv")),
            (("GET", "/admin/v1/people/p9/weekly?week=2026-11-23", None),
             ("admin", "admin", "record_viewed", "p9", "", "ok", "weekly_hours")),
            (("GET", "/admin/v1/audit?session=r9", None),
             ("admin", "admin", "record_viewed", "audit", "r9", "ok", "")),
            (("GET", "/admin/v1/audit/verify", None),
             ("admin", "admin", "audit_verified", "audit", "", "ok", "")),
            (("POST", "/admin/v1/tokens",
              {"room": "r9", "role": "observer", "subject": "o9", "name": "O"}),
             ("admin", "admin", "token_minted", "o9", "r9", "ok", None)),
        ]
        for (method, target, body), record in calls:
            with self.subTest(target=target):
                before = self.db_rows("SELECT COUNT(*) FROM audit")[0][0]
                reply = await self.call(method, target, body)
                self.assertIn(reply.status, (200, 201), reply)
                self.assertEqual(self.db_rows("SELECT COUNT(*) FROM audit")[0][0], before + 1)
                last = self.last_audit()
                if record[-1] is None:
                    self.assertEqual(last[:-1], record[:-1])
                    self.assertEqual(last[-1], "observer jti=" + reply.json()["token_id"])
                else:
                    self.assertEqual(last, record)
        self.assertEqual((await self.get_json("/admin/v1/audit/verify"))["ok"], True)

if __name__ == "__main__":
    unittest.main()
