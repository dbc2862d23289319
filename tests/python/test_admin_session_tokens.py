"""A planned session's join tokens (which admit to the room with the
roster's name and role), the weekly program taken from the roster, and no
names in the audit trail."""

import copy  # noqa: F401 - used by some tests
import unittest

from session_testcase import *  # noqa: F401,F403 - the shared fixture and helpers


# --------------------------------------------------------------------------- tokens

class SessionTokens(SessionCase):

    async def test_tokens_for_the_whole_roster_each_audited(self):
        await self.create()
        before_s = int(time.time())
        body = await self.tokens("iop-tue-am")
        after_s = int(time.time())
        self.assertEqual(set(body), {"session", "tokens"})
        self.assertEqual(body["session"], "iop-tue-am")
        self.assertEqual([(t["subject"], t["role"]) for t in body["tokens"]],
                         [(e["subject"], e["role"]) for e in ROSTER], "roster order")
        audit = self.db_rows("SELECT actor, actor_role, action, target, session, outcome, detail "
                             "FROM audit WHERE action = 'token_minted' ORDER BY seq")
        self.assertEqual(len(audit), 4)
        for entry, token, row in zip(ROSTER, body["tokens"], audit):
            self.assertEqual(set(token), TOKEN_FIELDS, "no join_link without --join-url")
            header, claims = token_parts(token["token"])
            self.assertEqual(header, {"alg": "HS256", "typ": "JWT",
                                      "kid": key_id(self.server.key)})
            self.assertEqual((claims["sub"], claims["name"], claims["room"], claims["role"]),
                             (entry["subject"], entry["display_name"], "iop-tue-am",
                              entry["role"]))
            self.assertEqual((claims["iss"], claims["aud"]), ("hearthd", "hearth"))
            self.assertEqual(claims["jti"], token["token_id"])
            self.assertRegex(token["token_id"], "^[0-9a-f]{24}$")
            self.assertTrue(before_s <= claims["iat"] <= after_s)
            self.assertEqual(claims["nbf"], claims["iat"])
            self.assertEqual(claims["exp"] - claims["iat"], 21600, "default TTL: 6 hours")
            self.assertEqual(token["expires_at_ms"], claims["exp"] * 1000)
            self.assertEqual(row, ("admin", "admin", "token_minted", entry["subject"],
                                   "iop-tue-am", "ok",
                                   entry["role"] + " jti=" + token["token_id"]))
        self.assertEqual(len({t["token_id"] for t in body["tokens"]}), 4)
        # The same call from an empty JSON object: four more.
        again = await self.tokens("iop-tue-am", b"{}")
        self.assertEqual(len(again["tokens"]), 4)
        self.assertEqual(self.count("token_minted"), 8)
        self.assert_no_names_in_audit()
        for row in self.db_rows("SELECT * FROM audit"):
            for token in body["tokens"]:
                self.assertNotIn(token["token"].split(".")[2], " ".join(map(str, row)))

    async def test_one_subject_and_a_lifetime(self):
        await self.create()
        body = await self.tokens("iop-tue-am", {"subject": "fam-2210-a", "ttl_seconds": 600})
        self.assertEqual([(t["subject"], t["role"]) for t in body["tokens"]],
                         [("fam-2210-a", "family_member")])
        _, claims = token_parts(body["tokens"][0]["token"])
        self.assertEqual(claims["exp"] - claims["iat"], 600)
        self.assertEqual(claims["name"], "Alex Wexley-Thorne")
        self.assertEqual(self.last_audit(), ("admin", "admin", "token_minted", "fam-2210-a",
                                             "iop-tue-am", "ok",
                                             "family_member jti=" + claims["jti"]))
        longest = await self.tokens("iop-tue-am", {"ttl_seconds": 86400})
        self.assertTrue(all(token_parts(t["token"])[1]["exp"] - token_parts(t["token"])[1]["iat"]
                            == 86400 for t in longest["tokens"]))
        self.assertEqual(self.count("token_minted"), 5)

    async def test_tokens_follow_the_current_roster(self):
        await self.create()
        roster = copy.deepcopy(ROSTER)
        roster[1]["display_name"] = "Jordan Q."
        roster[1]["role"] = "observer"
        await self.put("iop-tue-am", valid_body(roster=[roster[0], roster[1]]))
        body = await self.tokens("iop-tue-am", {"subject": "client-1042"})
        _, claims = token_parts(body["tokens"][0]["token"])
        self.assertEqual((claims["name"], claims["role"]), ("Jordan Q.", "observer"))
        await self.assert_refused("POST", SESSIONS + "/iop-tue-am/tokens",
                                  {"subject": "client-2210"}, 404, "not_found",
                                  "that subject is not on the session's roster")

    async def test_bad_token_calls_mint_nothing(self):
        await self.create()
        target = SESSIONS + "/iop-tue-am/tokens"
        cases = [b"[]", b"null", b'"client-1042"', b"{", b"{} {}",
                 {"subject": ""}, {"subject": 1042}, {"subject": None},
                 {"ttl_seconds": 0}, {"ttl_seconds": -5}, {"ttl_seconds": 86401},
                 {"ttl_seconds": "600"}, {"ttl_seconds": 600.5}, {"ttl_seconds": True},
                 {"role": "facilitator"}, {"room": "other"}, {"subject": "client-1042", "x": 1}]
        for body in cases:
            with self.subTest(body=body):
                await self.assert_refused("POST", target, body, 400, "bad_request")
        await self.assert_refused("POST", target, {"subject": "client-9999"}, 404, "not_found",
                                  "that subject is not on the session's roster")
        await self.assert_refused("POST", target, {"subject": "Jordan Quillfeather"}, 404,
                                  "not_found")
        await self.assert_refused("POST", SESSIONS + "/nope/tokens", {"subject": "client-1042"},
                                  404, "not_found", "no such session")
        self.assertEqual(self.count("token_minted"), 0)

    async def test_a_roster_token_admits_to_the_room_with_the_rosters_name_and_role(self):
        await self.create()
        tokens = {t["subject"]: t for t in (await self.tokens("iop-tue-am"))["tokens"]}
        joined = []
        for entry in ROSTER:
            client = await self.connect(entry["subject"])
            hello = await client.hello(tokens[entry["subject"]]["token"])
            self.assertEqual(hello.room_id, "iop-tue-am")
            self.assertEqual(hello.role, roles.Role.Value("ROLE_" + entry["role"].upper()))
            self.assertEqual(hello.token_expires_at_ms, tokens[entry["subject"]]["expires_at_ms"])
            result = await client.join()
            self.assertEqual(result.room_id, "iop-tue-am")
            joined.append(entry)
            self.assertEqual(
                [(m.display_name, m.role) for m in result.snapshot.members],
                [(e["display_name"], roles.Role.Value("ROLE_" + e["role"].upper()))
                 for e in joined])
        # Attendance is kept under the session's id.
        report = await self.until(
            lambda: self.get_json(SESSIONS + "/iop-tue-am/attendance"),
            lambda r: len(r["people"]) == 4)
        self.assertEqual([(p["subject"], p["role"]) for p in report["people"]],
                         [(e["subject"], e["role"]) for e in ROSTER])
        self.assert_no_names_in_audit()
        with open(self.server.log_path, "rb") as f:
            log = f.read().decode(errors="replace")
        for name in NAMES:
            self.assertNotIn(name, log, "a roster name in the server log")

    async def test_the_longest_session_id_and_entry_fields_still_admit(self):
        sid = "s" * 128
        subject = "p" * 128
        name = "ö" * 50
        await self.create(with_roster(FAC, {"subject": subject, "display_name": name,
                                            "role": "participant"}, id=sid,
                                      admit_before_facilitator=True))
        token = (await self.tokens(sid, {"subject": subject}))["tokens"][0]["token"]
        client = await self.connect("longest")
        self.assertEqual((await client.hello(token)).room_id, sid)
        result = await client.join()
        self.assertEqual([m.display_name for m in result.snapshot.members], [name])


class SessionTokensWithJoinUrl(SessionCase):
    SERVER_ARGS = ("--clinic-timezone", "UTC", "--join-url", "https://clinic.example/join")

    async def test_every_token_comes_with_its_join_link(self):
        await self.create()
        body = await self.tokens("iop-tue-am")
        self.assertEqual(len(body["tokens"]), 4)
        for t in body["tokens"]:
            self.assertEqual(set(t), TOKEN_FIELDS | {"join_link"})
            self.assertEqual(t["join_link"], "https://clinic.example/join#token=" + t["token"])
        link = body["tokens"][1]["join_link"]
        client = await self.connect("client-1042")
        self.assertEqual((await client.hello(link.split("#token=", 1)[1])).room_id, "iop-tue-am")
        # The session keeps people waiting until a facilitator is here (the
        # default), then lets the roster in by itself.
        result = await client.join()
        self.assertEqual(result.lobby.reason, lob.WAIT_REASON_NO_FACILITATOR)
        facilitator = await self.connect("staff-17")
        await facilitator.hello(body["tokens"][0]["token"])
        self.assertFalse((await facilitator.join()).HasField("lobby"))
        admitted = await client.admitted()
        self.assertEqual([m.display_name for m in admitted.snapshot.members],
                         ["Dr. Rivera-Okafor", "Jordan Quillfeather"])
        self.assertNotIn("clinic.example", " ".join(map(str, self.db_rows("SELECT * FROM audit"))))


# --------------------------------------------------------------------------- weekly program

class WeeklyProgram(SessionCase):
    W = utc_ms(2026, 11, 23)  # Monday 2026-11-23 00:00 UTC
    E = W + 7 * DAY

    async def weekly(self, subject, query="week=2026-11-23"):
        return await self.get_json("/admin/v1/people/%s/weekly?%s" % (subject, query))

    async def test_the_program_comes_from_the_request_then_the_roster_then_the_default(self):
        await self.create()  # Tuesday of this week: client-2210 adolescent, client-1042 adult
        self.insert_segment("iop-tue-am", "client-2210", START, START + 6 * HOUR)
        self.assertEqual(await self.weekly("client-2210"), {
            "subject": "client-2210", "week_start_ms": self.W, "week_end_ms": self.E,
            "present_ms": 6 * HOUR, "present_minutes": 360, "program": "adolescent",
            "program_source": "roster", "minimum_minutes": 360, "meets_minimum": True,
            "sessions": [{"session": "iop-tue-am", "present_ms": 6 * HOUR}]})
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "client-2210",
                                             "", "ok", "weekly_hours"))
        asked = await self.weekly("client-2210", "week=2026-11-23&program=adult")
        self.assertEqual((asked["program"], asked["program_source"], asked["minimum_minutes"],
                          asked["meets_minimum"]), ("adult", "request", 540, False))
        asked = await self.weekly("client-1042", "week=2026-11-23&program=adolescent")
        self.assertEqual((asked["program"], asked["program_source"], asked["minimum_minutes"]),
                         ("adolescent", "request", 360))
        # A participant without a program on the roster is adult, from the roster.
        adult = await self.weekly("client-1042")
        self.assertEqual((adult["program"], adult["program_source"], adult["minimum_minutes"]),
                         ("adult", "roster", 540))
        # People on the roster without a program, and people on no roster: the default.
        for subject in ("fam-2210-a", "staff-17", "client-7777"):
            with self.subTest(subject=subject):
                body = await self.weekly(subject)
                self.assertEqual((body["program"], body["program_source"],
                                  body["minimum_minutes"]), ("adult", "default", 540))
        # Another week: not on any session then.
        later = await self.weekly("client-2210", "week=2026-11-30")
        self.assertEqual((later["program"], later["program_source"], later["minimum_minutes"]),
                         ("adult", "default", 540))
        self.assert_no_names_in_audit()

    async def test_only_sessions_starting_inside_the_week_count(self):
        teen = {"subject": "teen-1", "display_name": "T", "role": "participant",
                "program": "adolescent"}
        await self.create(with_roster(FAC, teen, id="at-end", scheduled_start_ms=self.E,
                                      scheduled_end_ms=self.E + HOUR))
        await self.create(with_roster(FAC, teen, id="before", scheduled_start_ms=self.W - HOUR,
                                      scheduled_end_ms=self.W + HOUR))
        body = await self.weekly("teen-1")
        self.assertEqual((body["program"], body["program_source"]), ("adult", "default"))
        await self.create(with_roster(FAC, teen, id="at-start", scheduled_start_ms=self.W,
                                      scheduled_end_ms=self.W + HOUR))
        body = await self.weekly("teen-1")
        self.assertEqual((body["program"], body["program_source"], body["minimum_minutes"]),
                         ("adolescent", "roster", 360))
        body = await self.weekly("teen-1", "week=2026-11-30")
        self.assertEqual((body["program"], body["program_source"]), ("adolescent", "roster"))


# --------------------------------------------------------------------------- the audit trail

class AuditTrail(SessionCase):

    async def test_a_session_s_whole_life_leaves_one_record_per_act_and_no_names(self):
        await self.create()
        await self.get_json(SESSIONS + "/iop-tue-am")
        await self.get_json("%s?from=%d&to=%d" % (SESSIONS, START, START + 1))
        await self.put("iop-tue-am", valid_body(title="IOP Tuesday (Quillfeather)", version=1))
        await self.tokens("iop-tue-am", {"subject": "client-1042"})
        await self.weekly_call()
        await self.call("DELETE", SESSIONS + "/iop-tue-am")
        await self.call("DELETE", SESSIONS + "/iop-tue-am")
        rows = self.db_rows("SELECT actor, actor_role, action, target, session, outcome "
                            "FROM audit ORDER BY seq")
        self.assertEqual([r[2:] for r in rows], [
            ("session_created", "iop-tue-am", "iop-tue-am", "ok"),
            ("record_viewed", "session", "iop-tue-am", "ok"),
            ("record_viewed", "sessions", "", "ok"),
            ("session_updated", "iop-tue-am", "iop-tue-am", "ok"),
            ("token_minted", "client-1042", "iop-tue-am", "ok"),
            ("record_viewed", "client-2210", "", "ok"),
            ("session_cancelled", "iop-tue-am", "iop-tue-am", "ok"),
            ("record_viewed", "session", "iop-tue-am", "ok"),
        ])
        self.assertTrue(all(r[:2] == ("admin", "admin") for r in rows))
        self.assert_no_names_in_audit()
        verified = await self.get_json("/admin/v1/audit/verify")
        self.assertTrue(verified["ok"], verified)

    async def weekly_call(self):
        await self.get_json("/admin/v1/people/client-2210/weekly?week=2026-11-23")


if __name__ == "__main__":
    unittest.main()
