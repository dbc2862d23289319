"""Changing planned sessions through the admin API: replace with version
checks, cancel (idempotent), and listing by time window."""

import copy  # noqa: F401 - used by some tests
import unittest

from session_testcase import *  # noqa: F401,F403 - the shared fixture and helpers


# --------------------------------------------------------------------------- replace

class Replace(SessionCase):

    async def test_a_replacement_swaps_every_editable_field_and_the_whole_roster(self):
        created = await self.create(valid_body(keep_chat=True, lobby_policy="open"))
        new_roster = [{"subject": "staff-22", "display_name": "Dr. Nakamura",
                       "role": "facilitator"},
                      {"subject": "client-2210", "display_name": "Sam W.", "role": "participant"},
                      {"subject": "obs-3", "display_name": "Student", "role": "observer"}]
        body = {"title": "IOP Tuesday (moved)", "kind": "group",
                "scheduled_start_ms": START + DAY, "scheduled_end_ms": START + DAY + 2 * HOUR,
                "chat_policy": "off", "roster": new_roster}
        before = self.now_ms()
        updated = await self.put("iop-tue-am", body)
        after = self.now_ms()
        self.assertTrue(before <= updated["updated_at_ms"] <= after)
        self.assertEqual(updated, {
            "id": "iop-tue-am", "title": "IOP Tuesday (moved)", "kind": "group",
            "scheduled_start_ms": START + DAY, "scheduled_end_ms": START + DAY + 2 * HOUR,
            # Fields left out go back to their defaults: a full replacement.
            "lobby_policy": "roster_enters", "admit_before_facilitator": False,
            "chat_policy": "off", "keep_chat": False,
            "status": "scheduled", "version": 2, "created_at_ms": created["created_at_ms"],
            "updated_at_ms": updated["updated_at_ms"],
            "roster": [new_roster[0], dict(new_roster[1], program="adult"), new_roster[2]]})
        self.assertEqual(self.last_audit(), ("admin", "admin", "session_updated", "iop-tue-am",
                                             "iop-tue-am", "ok", ""))
        self.assertEqual(await self.get_json(SESSIONS + "/iop-tue-am"), updated)
        self.assertEqual(self.db_rows("SELECT subject FROM session_roster ORDER BY position"),
                         [("staff-22",), ("client-2210",), ("obs-3",)])
        self.assertEqual(self.db_rows("SELECT version, updated_at_ms FROM sessions"),
                         [(2, updated["updated_at_ms"])])

    async def test_the_body_may_repeat_the_id_but_not_name_another(self):
        await self.create()
        updated = await self.put("iop-tue-am", valid_body(title="Same id"))
        self.assertEqual((updated["title"], updated["version"]), ("Same id", 2))
        await self.assert_refused("PUT", SESSIONS + "/iop-tue-am", valid_body(id="iop-wed-am"),
                                  400, "bad_request", "the id in the body differs from the path")
        self.assertEqual(self.db_rows("SELECT id FROM sessions"), [("iop-tue-am",)])
        # A replacement never creates: a valid body for an unknown id is 404.
        await self.assert_refused("PUT", SESSIONS + "/iop-wed-am", valid_body(id="iop-wed-am"),
                                  404, "not_found", "no such session")

    async def test_versions_guard_against_lost_updates(self):
        await self.create()
        target = SESSIONS + "/iop-tue-am"
        v2 = await self.put("iop-tue-am", valid_body(title="First edit", version=1))
        self.assertEqual(v2["version"], 2)
        # A second editor who also read version 1 is refused: nothing changes.
        message = await self.assert_refused("PUT", target,
                                            valid_body(title="Second edit", version=1),
                                            409, "conflict")
        self.assertEqual(message, "the session changed since version 1; it is now version 2")
        await self.assert_refused("PUT", target, valid_body(version=3), 409, "conflict",
                                  "the session changed since version 3; it is now version 2")
        self.assertEqual((await self.get_json(target))["title"], "First edit")
        v3 = await self.put("iop-tue-am", valid_body(title="Second edit", version=2))
        self.assertEqual((v3["title"], v3["version"]), ("Second edit", 3))
        # Without a version, the replacement always applies.
        v4 = await self.put("iop-tue-am", valid_body(title="Blind edit"))
        self.assertEqual(v4["version"], 4)
        self.assertEqual(self.count("session_updated"), 3)

    async def test_a_validation_error_comes_before_404_and_409(self):
        await self.create()
        await self.call("DELETE", SESSIONS + "/iop-tue-am")
        bad = valid_body(title="")
        for target in (SESSIONS + "/nope", SESSIONS + "/iop-tue-am"):
            await self.assert_refused("PUT", target, bad, 400, "bad_request")


# --------------------------------------------------------------------------- cancel

class Cancel(SessionCase):

    async def test_cancel_marks_it_cancelled_once_and_repeats_harmlessly(self):
        created = await self.create()
        target = SESSIONS + "/iop-tue-am"
        before = self.now_ms()
        reply = await self.call("DELETE", target)
        after = self.now_ms()
        self.assertEqual(reply.status, 200, reply)
        cancelled = reply.json()
        self.assertTrue(before <= cancelled["updated_at_ms"] <= after)
        self.assertEqual(cancelled, dict(created, status="cancelled", version=2,
                                         updated_at_ms=cancelled["updated_at_ms"]))
        self.assertEqual(self.last_audit(), ("admin", "admin", "session_cancelled", "iop-tue-am",
                                             "iop-tue-am", "ok", ""))
        self.assertEqual(self.db_rows("SELECT status, version FROM sessions"),
                         [("cancelled", 2)])
        # The roster is kept.
        self.assertEqual(len(self.db_rows("SELECT * FROM session_roster")), 4)
        # Again: the same answer, no change, no second cancellation record.
        rows_before = self.snapshot()[:2]
        again = await self.call("DELETE", target)
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.json(), cancelled)
        self.assertEqual(self.snapshot()[:2], rows_before)
        self.assertEqual(self.count("session_cancelled"), 1)
        # It showed the session (names and all), so that is recorded as a view.
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "session",
                                             "iop-tue-am", "ok", "already_cancelled"))
        self.assertEqual(await self.get_json(target), cancelled)

    async def test_a_cancelled_session_cannot_change_or_mint_tokens(self):
        await self.create()
        target = SESSIONS + "/iop-tue-am"
        await self.call("DELETE", target)
        for body in (valid_body(title="Revived"), valid_body(version=2), valid_body(version=1)):
            await self.assert_refused("PUT", target, body, 409, "conflict",
                                      "a cancelled session cannot change")
        for body in (None, {"subject": "client-1042"}):
            await self.assert_refused("POST", target + "/tokens", body, 409, "conflict",
                                      "the session is cancelled")
        self.assertEqual(self.count("token_minted"), 0)
        self.assertEqual(self.count("session_updated"), 0)
        self.assertEqual((await self.get_json(target))["status"], "cancelled")


# --------------------------------------------------------------------------- list

class List(SessionCase):

    async def listing(self, start, end):
        body = await self.get_json("%s?from=%d&to=%d" % (SESSIONS, start, end))
        self.assertEqual(set(body), {"sessions"})
        return body["sessions"]

    async def test_sessions_starting_in_the_window_in_start_order(self):
        T = START
        made = {}
        for sid, start, length in [("b-at-from", T, HOUR), ("a-at-from", T, HOUR),
                                   ("before", T - 1, 2 * HOUR), ("last-ms", T + DAY - 1, HOUR),
                                   ("at-to", T + DAY, HOUR), ("middle", T + HOUR, HOUR)]:
            made[sid] = await self.create(with_roster(FAC, PAT, id=sid, scheduled_start_ms=start,
                                                      scheduled_end_ms=start + length))
        await self.call("DELETE", SESSIONS + "/middle")
        made["middle"] = await self.get_json(SESSIONS + "/middle")
        found = await self.listing(T, T + DAY)
        # [from, to) by scheduled start; one that started before and runs into
        # the window is not in it; cancelled ones are listed with their status.
        self.assertEqual([s["id"] for s in found], ["a-at-from", "b-at-from", "middle",
                                                    "last-ms"])
        self.assertEqual(found, [made[i] for i in ("a-at-from", "b-at-from", "middle",
                                                   "last-ms")])
        self.assertEqual(found[2]["status"], "cancelled")
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "sessions", "",
                                             "ok", "4"))
        self.assertEqual([s["id"] for s in await self.listing(T - 1, T)], ["before"])
        self.assertEqual([s["id"] for s in await self.listing(T + DAY, T + DAY + 1)], ["at-to"])
        self.assertEqual(await self.listing(0, 1), [])
        self.assertEqual(self.last_audit()[2:], ("record_viewed", "sessions", "", "ok", "0"))

    async def test_the_window_is_required_positive_and_at_most_366_days(self):
        await self.create()
        longest = 366 * DAY
        self.assertEqual(len(await self.listing(START - longest + 1, START + 1)), 1)
        self.assertEqual(await self.listing(0, longest), [])
        window = "from and to (ms since the Unix epoch) are required, at most 366 days apart"
        cases = [
            ("", window),
            ("?from=%d" % START, window),
            ("?to=%d" % START, window),
            ("?from=%d&to=%d" % (START, START), window),
            ("?from=%d&to=%d" % (START, START - 1), window),
            ("?from=0&to=%d" % (longest + 1), window),
            ("?from=%d&to=%d" % (START, START + longest + 1), window),
            ("?from=-1&to=%d" % START, "from must be a non-negative integer (ms)"),
            ("?from=0&to=1.5", "to must be a non-negative integer (ms)"),
            ("?from=abc&to=1", "from must be a non-negative integer (ms)"),
            ("?from=&to=1", "from must be a non-negative integer (ms)"),
            ("?from=0&to=%2B5", "to must be a non-negative integer (ms)"),
            ("?from=0&to=1e3", "to must be a non-negative integer (ms)"),
            ("?from=0&to=" + "9" * 19, "to must be a non-negative integer (ms)"),
            ("?from=0&to=1&status=scheduled", "unknown parameter: status"),
            ("?from=0&from=1&to=2", "the request target has a malformed percent escape or a "
                                    "repeated parameter"),
        ]
        for query, message in cases:
            with self.subTest(query=query):
                await self.assert_refused("GET", SESSIONS + query, None, 400, "bad_request",
                                          message)


if __name__ == "__main__":
    unittest.main()
