"""Planned sessions from the admin API: create and read with exact JSON, and
every validation rule (none of the refused calls changes anything)."""

import copy  # noqa: F401 - used by some tests
import unittest

from session_testcase import *  # noqa: F401,F403 - the shared fixture and helpers


# --------------------------------------------------------------------------- create and read

class CreateAndRead(SessionCase):

    async def test_create_answers_201_with_the_whole_session_and_audits_it(self):
        body = valid_body(lobby_policy="everyone_waits", admit_before_facilitator=True,
                          chat_policy="facilitators_only", keep_chat=True)
        before = self.now_ms()
        created = await self.create(body)
        after = self.now_ms()
        self.assertEqual(list(created), SESSION_FIELDS, "fields in the documented order")
        self.assertTrue(before <= created["created_at_ms"] <= after, created)
        self.assertEqual(created, {
            "id": "iop-tue-am", "title": "IOP Tuesday morning", "kind": "multi_family_group",
            "scheduled_start_ms": START, "scheduled_end_ms": END,
            "lobby_policy": "everyone_waits", "admit_before_facilitator": True,
            "chat_policy": "facilitators_only", "keep_chat": True, "status": "scheduled",
            "version": 1, "created_at_ms": created["created_at_ms"],
            "updated_at_ms": created["created_at_ms"],
            "roster": [
                {"subject": "staff-17", "display_name": "Dr. Rivera-Okafor",
                 "role": "facilitator"},
                {"subject": "client-1042", "display_name": "Jordan Quillfeather",
                 "role": "participant", "program": "adult"},
                {"subject": "client-2210", "display_name": "Sam Wexley-Thorne",
                 "role": "participant", "program": "adolescent"},
                {"subject": "fam-2210-a", "display_name": "Alex Wexley-Thorne",
                 "role": "family_member", "relationship": "stepmother",
                 "accompanies": "client-2210"},
            ]})
        for entry in created["roster"]:
            self.assertEqual(list(entry)[:3], ["subject", "display_name", "role"])
        # Committed with its audit record.
        self.assertEqual(self.last_audit(), ("admin", "admin", "session_created", "iop-tue-am",
                                             "iop-tue-am", "ok", ""))
        self.assertEqual(self.count("session_created"), 1)
        at = created["created_at_ms"]
        self.assertEqual(self.db_rows("SELECT * FROM sessions"), [
            ("iop-tue-am", "IOP Tuesday morning", "multi_family_group", START, END,
             "everyone_waits", 1, "facilitators_only", 1, "scheduled", 1, at, at)])
        self.assertEqual(self.db_rows("SELECT * FROM session_roster ORDER BY position"), [
            ("iop-tue-am", 0, "staff-17", "Dr. Rivera-Okafor", "facilitator", "", "", ""),
            ("iop-tue-am", 1, "client-1042", "Jordan Quillfeather", "participant", "", "",
             "adult"),
            ("iop-tue-am", 2, "client-2210", "Sam Wexley-Thorne", "participant", "", "",
             "adolescent"),
            ("iop-tue-am", 3, "fam-2210-a", "Alex Wexley-Thorne", "family_member", "stepmother",
             "client-2210", ""),
        ])
        self.assertEqual(self.db_rows("SELECT at_ms FROM audit WHERE action = 'session_created'"),
                         [(at,)], "the record's time is the session's")
        # Read back: the same session, the read audited.
        self.assertEqual(await self.get_json(SESSIONS + "/iop-tue-am"), created)
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "session",
                                             "iop-tue-am", "ok", ""))

    async def test_defaults_and_a_generated_id(self):
        body = valid_body(id=KeyError, kind="group",
                          roster=[dict(FAC), dict(PAT), {"subject": "obs-1", "display_name": "O",
                                                         "role": "observer"},
                                  {"subject": "co-1", "display_name": "C",
                                   "role": "co_facilitator"}])
        created = await self.create(body)
        self.assertRegex(created["id"], r"^s-[0-9a-f]{16}$")
        self.assertEqual(
            {k: created[k] for k in ("lobby_policy", "admit_before_facilitator", "chat_policy",
                                     "keep_chat", "status", "version")},
            {"lobby_policy": "roster_enters", "admit_before_facilitator": False,
             "chat_policy": "room", "keep_chat": False, "status": "scheduled", "version": 1})
        self.assertEqual(created["roster"], [
            FAC, dict(PAT, program="adult"),
            {"subject": "obs-1", "display_name": "O", "role": "observer"},
            {"subject": "co-1", "display_name": "C", "role": "co_facilitator"}])
        self.assertEqual(self.last_audit()[2:5], ("session_created", created["id"],
                                                  created["id"]))
        self.assertEqual(await self.get_json(SESSIONS + "/" + created["id"]), created)
        other = await self.create(body)
        self.assertNotEqual(other["id"], created["id"], "each generated id is new")

    async def test_the_edges_of_every_limit_are_accepted(self):
        longest_id = ("Az09._-" * 19)[:128]
        self.assertEqual(len(longest_id), 128)
        fifty = [dict(FAC)] + [{"subject": "p-%02d" % i, "display_name": "P %d" % i,
                                "role": "participant"} for i in range(49)]
        cases = [
            ("id of 128, every kind of character", valid_body(id=longest_id)),
            ("one-character id", valid_body(id="x")),
            ("title of 200 bytes", valid_body(id="t200", title="t" * 200)),
            ("title of 200 bytes in 100 characters", valid_body(id="t200u", title="é" * 100)),
            ("exactly 24 hours", valid_body(id="day", scheduled_end_ms=START + DAY)),
            ("one millisecond", valid_body(id="ms", scheduled_end_ms=START + 1)),
            ("at the epoch", valid_body(id="epoch", scheduled_start_ms=0, scheduled_end_ms=1)),
            ("50 people", valid_body(id="fifty", kind="group", roster=fifty)),
            ("longest entry fields", with_roster(
                FAC, {"subject": "s" * 128, "display_name": "ö" * 50, "role": "participant"},
                {"subject": "f" * 128, "display_name": "n" * 100, "role": "family_member",
                 "relationship": "r" * 50, "accompanies": "s" * 128}, id="long-entries")),
            ("family member listed before the participant", with_roster(
                FAC, {"subject": "f-1", "display_name": "F", "role": "family_member",
                      "relationship": "parent", "accompanies": "pat-1"}, PAT, id="fam-first")),
            ("two family members, two participants", with_roster(
                FAC, PAT, PAT2,
                {"subject": "f-1", "display_name": "F", "role": "family_member",
                 "relationship": "parent", "accompanies": "pat-1"},
                {"subject": "f-2", "display_name": "G", "role": "family_member",
                 "relationship": "spouse", "accompanies": "pat-2"}, id="mfg")),
            ("two facilitators", with_roster(FAC, dict(FAC, subject="fac-2"), id="two-fac")),
            ("individual, one participant", with_roster(FAC, PAT, id="ind-1", kind="individual")),
            ("individual, no participant", with_roster(FAC, id="ind-0", kind="individual")),
            ("individual, one participant and family", with_roster(
                FAC, PAT, {"subject": "f-1", "display_name": "F", "role": "family_member",
                           "relationship": "parent", "accompanies": "pat-1"},
                id="ind-fam", kind="individual")),
            ("family kind", with_roster(FAC, PAT, id="fam", kind="family")),
            ("every policy", valid_body(id="open", lobby_policy="open", chat_policy="off")),
        ]
        for label, body in cases:
            with self.subTest(label):
                created = await self.create(body)
                self.assertEqual(created["id"], body["id"])
                self.assertEqual(created["title"], body["title"])
                self.assertEqual(created["scheduled_end_ms"], body["scheduled_end_ms"])
                self.assertEqual(created["roster"], stored_roster(body["roster"]))
                self.assertEqual(await self.get_json(SESSIONS + "/" + body["id"]), created)
        self.assertEqual(self.count("session_created"), len(cases))

    async def test_an_existing_id_is_a_conflict_and_changes_nothing(self):
        await self.create()
        message = await self.assert_refused("POST", SESSIONS, valid_body(title="Other"), 409,
                                            "conflict")
        self.assertEqual(message, "a session with this id exists")
        # Even once cancelled, the id stays taken.
        await self.call("DELETE", SESSIONS + "/iop-tue-am")
        await self.assert_refused("POST", SESSIONS, valid_body(), 409, "conflict")
        self.assertEqual(self.count("session_created"), 1)

    async def test_a_create_has_no_version(self):
        for version in (1, 2):
            with self.subTest(version=version):
                await self.assert_refused("POST", SESSIONS, valid_body(version=version), 400,
                                          "bad_request", "a new session has no version yet")

    async def test_an_unknown_session_is_404_and_nothing_is_audited(self):
        for method, target, body in [("GET", SESSIONS + "/nope", None),
                                     ("PUT", SESSIONS + "/nope", valid_body(id=KeyError)),
                                     ("DELETE", SESSIONS + "/nope", None),
                                     ("POST", SESSIONS + "/nope/tokens", None)]:
            with self.subTest(method=method, target=target):
                await self.assert_refused(method, target, body, 404, "not_found",
                                          "no such session")

    async def test_a_percent_encoded_id_in_the_path(self):
        await self.create(valid_body(id="a.b_c-1"))
        body = await self.get_json(SESSIONS + "/a%2Eb%5Fc-1")
        self.assertEqual(body["id"], "a.b_c-1")

    async def test_methods_and_parameters(self):
        await self.create()
        one = SESSIONS + "/iop-tue-am"
        cases = [
            ("PATCH", one, valid_body(), 405, "method_not_allowed", "GET, PUT or DELETE only"),
            ("POST", one, valid_body(), 405, "method_not_allowed", "GET, PUT or DELETE only"),
            ("PUT", SESSIONS, valid_body(), 405, "method_not_allowed", "GET or POST only"),
            ("DELETE", SESSIONS, None, 405, "method_not_allowed", "GET or POST only"),
            ("GET", one + "/tokens", None, 405, "method_not_allowed", "POST only"),
            ("DELETE", one + "/tokens", None, 405, "method_not_allowed", "POST only"),
            ("POST", SESSIONS + "?dry_run=1", valid_body(id="new"), 400, "bad_request",
             "unknown parameter: dry_run"),
            ("GET", one + "?fields=roster", None, 400, "bad_request",
             "unknown parameter: fields"),
            ("PUT", one + "?force=1", valid_body(), 400, "bad_request", "unknown parameter: force"),
            ("DELETE", one + "?hard=1", None, 400, "bad_request", "unknown parameter: hard"),
            ("POST", one + "/tokens?all=1", None, 400, "bad_request", "unknown parameter: all"),
            ("GET", one + "/roster", None, 404, "not_found", "no such endpoint"),
            ("GET", one + "/tokens/x", None, 404, "not_found", "no such endpoint"),
        ]
        for method, target, body, status, code, message in cases:
            with self.subTest(method=method, target=target):
                await self.assert_refused(method, target, body, status, code, message)

    async def test_without_the_key_nothing_is_read_or_changed(self):
        await self.create()
        for method, target, body in [("POST", SESSIONS, valid_body(id="x")),
                                     ("GET", SESSIONS + "?from=0&to=1000", None),
                                     ("GET", SESSIONS + "/iop-tue-am", None),
                                     ("PUT", SESSIONS + "/iop-tue-am", valid_body()),
                                     ("DELETE", SESSIONS + "/iop-tue-am", None),
                                     ("POST", SESSIONS + "/iop-tue-am/tokens", None)]:
            with self.subTest(method=method, target=target):
                before = self.snapshot()
                reply = await self.call(method, target, body, authorization="Bearer nope")
                self.assert_error(reply, 401, "unauthorized")
                self.assertNotIn(b"Rivera", reply.body)
                after = self.snapshot()
                self.assertEqual(after[:2], before[:2])
                self.assertEqual(after[2][0], before[2][0] + 1, "only admin_auth_failed")
                self.assertEqual(self.last_audit()[2], "admin_auth_failed")


# --------------------------------------------------------------------------- validation

class Validation(SessionCase):

    async def test_each_invalid_create_is_refused_with_its_reason_and_changes_nothing(self):
        await self.create(valid_body(id="existing"))
        for label, body, message in invalid_bodies():
            with self.subTest(label):
                await self.assert_refused("POST", SESSIONS, body, 400, "bad_request", message)
        self.assertEqual(self.count("session_created"), 1)

    async def test_each_invalid_replacement_is_refused_and_the_session_stays_as_it_was(self):
        created = await self.create()
        target = SESSIONS + "/iop-tue-am"
        for label, body, message in invalid_bodies():
            with self.subTest(label):
                await self.assert_refused("PUT", target, body, 400, "bad_request", message)
        self.assertEqual(self.count("session_updated"), 0)
        self.assertEqual(await self.get_json(target), created)

    async def test_a_body_over_the_limit_is_413_and_changes_nothing(self):
        await self.create()
        big = valid_body(id="big", title="t" * 70_000)
        await self.assert_refused("POST", SESSIONS, big, 413, "too_large")
        await self.assert_refused("PUT", SESSIONS + "/iop-tue-am", big, 413, "too_large")


if __name__ == "__main__":
    unittest.main()
