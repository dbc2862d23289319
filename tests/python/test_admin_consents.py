"""Observers' consents from the admin API (42 CFR Part 2): grant, revoke and
list, with exact JSON; each change committed with its audit record before the
answer; every refused call changes nothing; the audit trail holds ids only."""

import unittest

from session_testcase import *  # noqa: F401,F403 - the shared fixture and helpers

SESSION = "iop-tue-am"
CONSENTS = SESSIONS + "/" + SESSION + "/consents"
CONSENT_FIELDS = ["session", "subject", "method", "recorded_by", "granted_at_ms",
                  "expires_at_ms", "revoked_at_ms"]

NOT_OBJECT = "the body must be a JSON object"
SUBJECT = "subject must be a non-empty string of at most 128 bytes"
EXPIRY_TYPE = "expires_at_ms must be an integer: milliseconds since the Unix epoch"
EXPIRY_PAST = "expires_at_ms must be in the future"

# An observer on the roster, with a name that must never reach the audit trail.
OBSERVER = {"subject": "staff-31", "display_name": "Morgan Featherstonehaugh", "role": "observer"}


def planned_body(**changes):
    body = valid_body(**changes)
    body["roster"].append(dict(OBSERVER))
    return body


def consent_rows():
    return ("SELECT session, subject, method, recorded_by, granted_at_ms, expires_at_ms, "
            "revoked_at_ms, revoked_by FROM consents ORDER BY session, subject")


class ConsentCase(SessionCase):

    async def asyncSetUp(self):
        await super().asyncSetUp()
        await self.create(planned_body())

    async def grant(self, body, session=SESSION, status=201):
        reply = await self.call("POST", "%s/%s/consents" % (SESSIONS, session), body)
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(reply.headers.get("content-type"), "application/json", reply)
        return reply.json()

    async def revoke(self, subject, session=SESSION, status=200):
        reply = await self.call("DELETE", "%s/%s/consents/%s" % (SESSIONS, session, subject))
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(reply.headers.get("content-type"), "application/json", reply)
        return reply.json()

    async def listed(self, session=SESSION):
        return await self.get_json("%s/%s/consents" % (SESSIONS, session))

    def snapshot(self):
        return super().snapshot() + (self.db_rows(consent_rows()),)

    def assert_no_names_in_audit(self):
        super().assert_no_names_in_audit()
        text = self.everything_audited()
        for name in ("Morgan", "Featherstonehaugh"):
            self.assertNotIn(name, text)


# --------------------------------------------------------------------------- grant

class Grant(ConsentCase):

    async def test_a_grant_answers_201_once_it_is_committed_with_its_audit_record(self):
        before = self.now_ms()
        consent = await self.grant({"subject": "staff-31"})
        after = self.now_ms()
        self.assertEqual(list(consent), CONSENT_FIELDS, "fields in the documented order")
        at = consent["granted_at_ms"]
        self.assertTrue(before <= at <= after, consent)
        self.assertEqual(consent, {"session": SESSION, "subject": "staff-31",
                                   "method": "admin_api", "recorded_by": "admin",
                                   "granted_at_ms": at, "expires_at_ms": None,
                                   "revoked_at_ms": None})
        # Durable before the answer: the row and its record are there at once.
        self.assertEqual(self.db_rows(consent_rows()), [
            (SESSION, "staff-31", "admin_api", "admin", at, None, None, "")])
        self.assertEqual(self.last_audit(), ("admin", "admin", "consent_granted", "staff-31",
                                             SESSION, "ok", ""))
        self.assertEqual(self.db_rows("SELECT at_ms FROM audit WHERE action = 'consent_granted'"),
                         [(at,)], "the record's time is the grant's")
        self.assertEqual(await self.listed(), {"session": SESSION, "consents": [consent]})
        self.assert_no_names_in_audit()

    async def test_a_grant_with_an_expiry(self):
        expires = self.now_ms() + HOUR
        consent = await self.grant({"subject": "staff-31", "expires_at_ms": expires})
        self.assertEqual(consent["expires_at_ms"], expires)
        self.assertEqual(self.db_rows("SELECT expires_at_ms, revoked_at_ms FROM consents"),
                         [(expires, None)])
        self.assertEqual((await self.listed())["consents"], [consent])

    async def test_a_second_grant_replaces_the_first(self):
        first = await self.grant({"subject": "staff-31", "expires_at_ms": self.now_ms() + HOUR})
        second = await self.grant({"subject": "staff-31"})
        self.assertGreaterEqual(second["granted_at_ms"], first["granted_at_ms"])
        self.assertIsNone(second["expires_at_ms"], "the new grant's terms, not the old ones")
        third = await self.grant({"subject": "staff-31", "expires_at_ms": self.now_ms() + DAY})
        self.assertEqual((await self.listed())["consents"], [third])
        self.assertEqual(self.db_rows("SELECT COUNT(*) FROM consents")[0][0], 1)
        self.assertEqual(self.count("consent_granted"), 3)

    async def test_the_edges_of_the_body_are_accepted(self):
        cases = [
            ("subject of 128 bytes", {"subject": "s" * 128}),
            ("subject of 128 bytes in 64 characters", {"subject": "é" * 64}),
            ("one-character subject", {"subject": "x"}),
            ("subject not on the roster", {"subject": "supervisor-9"}),
            ("subject with spaces and slashes", {"subject": "obs 1/2"}),
            ("far future", {"subject": "obs-far", "expires_at_ms": 2 ** 63 - 1}),
            ("fields in another order", {"expires_at_ms": self.now_ms() + DAY,
                                         "subject": "obs-order"}),
        ]
        for label, body in cases:
            with self.subTest(label):
                consent = await self.grant(body)
                self.assertEqual(consent["subject"], body["subject"])
                self.assertEqual(consent["expires_at_ms"], body.get("expires_at_ms"))
                self.assertEqual(self.last_audit()[2:4], ("consent_granted", body["subject"]))
        listed = (await self.listed())["consents"]
        self.assertEqual(len(listed), len(cases))
        # By subject, byte by byte.
        subjects = [c["subject"] for c in listed]
        self.assertEqual(subjects, sorted(subjects, key=lambda s: s.encode()))

    async def test_each_invalid_body_is_refused_with_its_reason_and_changes_nothing(self):
        await self.grant({"subject": "staff-31"})
        now = self.now_ms()
        cases = [
            # not a JSON object
            ("truncated", b'{"subject":', NOT_OBJECT),
            ("empty", b"", NOT_OBJECT),
            ("array", b"[]", NOT_OBJECT),
            ("array of a body", b'[{"subject":"obs-1"}]', NOT_OBJECT),
            ("null", b"null", NOT_OBJECT),
            ("string", b'"obs-1"', NOT_OBJECT),
            ("trailing", b'{"subject":"obs-1"} {}', NOT_OBJECT),
            ("form", b"subject=obs-1", NOT_OBJECT),
            # unknown fields, the server's own among them
            ("unknown field", {"subject": "obs-1", "reason": "supervision"},
             "unknown field: reason"),
            ("method", {"subject": "obs-1", "method": "attested"}, "unknown field: method"),
            ("recorded_by", {"subject": "obs-1", "recorded_by": "fac-1"},
             "unknown field: recorded_by"),
            ("granted_at_ms", {"subject": "obs-1", "granted_at_ms": 1},
             "unknown field: granted_at_ms"),
            ("session", {"subject": "obs-1", "session": SESSION}, "unknown field: session"),
            ("name", {"subject": "obs-1", "display_name": "Morgan"},
             "unknown field: display_name"),
            ("case matters", {"Subject": "obs-1"}, "unknown field: Subject"),
            # subject
            ("subject missing", {}, "subject is required"),
            ("subject missing, expiry given", {"expires_at_ms": now + HOUR},
             "subject is required"),
            ("subject empty", {"subject": ""}, SUBJECT),
            ("subject 129", {"subject": "s" * 129}, SUBJECT),
            ("subject 130 bytes", {"subject": "é" * 65}, SUBJECT),
            ("subject number", {"subject": 31}, SUBJECT),
            ("subject null", {"subject": None}, SUBJECT),
            ("subject list", {"subject": ["obs-1"]}, SUBJECT),
            ("subject object", {"subject": {"id": "obs-1"}}, SUBJECT),
            # expiry: the type
            ("expiry string", {"subject": "obs-1", "expires_at_ms": str(now + HOUR)},
             EXPIRY_TYPE),
            ("expiry null", {"subject": "obs-1", "expires_at_ms": None}, EXPIRY_TYPE),
            ("expiry bool", {"subject": "obs-1", "expires_at_ms": True}, EXPIRY_TYPE),
            ("expiry float", {"subject": "obs-1", "expires_at_ms": float(now + HOUR)},
             EXPIRY_TYPE),
            ("expiry fraction", {"subject": "obs-1", "expires_at_ms": now + HOUR + 0.5},
             EXPIRY_TYPE),
            ("expiry 2^63", {"subject": "obs-1", "expires_at_ms": 2 ** 63}, EXPIRY_TYPE),
            ("expiry object", {"subject": "obs-1", "expires_at_ms": {}}, EXPIRY_TYPE),
            # expiry: in the past
            ("expiry just past", {"subject": "obs-1", "expires_at_ms": now - 1}, EXPIRY_PAST),
            ("expiry an hour ago", {"subject": "obs-1", "expires_at_ms": now - HOUR},
             EXPIRY_PAST),
            ("expiry zero", {"subject": "obs-1", "expires_at_ms": 0}, EXPIRY_PAST),
            ("expiry negative", {"subject": "obs-1", "expires_at_ms": -1}, EXPIRY_PAST),
            ("expiry in seconds", {"subject": "obs-1", "expires_at_ms": now // 1000 + 3600},
             EXPIRY_PAST),
        ]
        for label, body, message in cases:
            with self.subTest(label):
                await self.assert_refused("POST", CONSENTS, body, 400, "bad_request", message)
        self.assertEqual(self.count("consent_granted"), 1)
        # Even refused, the existing consent is untouched.
        self.assertEqual(self.db_rows("SELECT subject, revoked_at_ms FROM consents"),
                         [("staff-31", None)])

    async def test_an_unknown_session_is_404_and_a_cancelled_one_409(self):
        await self.assert_refused("POST", SESSIONS + "/nope/consents", {"subject": "staff-31"},
                                  404, "not_found", "no such session")
        await self.assert_refused("POST", SESSIONS + "/IOP-TUE-AM/consents",
                                  {"subject": "staff-31"}, 404, "not_found", "no such session")
        # The body is checked first.
        await self.assert_refused("POST", SESSIONS + "/nope/consents", {"subject": ""}, 400,
                                  "bad_request", SUBJECT)
        await self.call("DELETE", SESSIONS + "/" + SESSION)
        await self.assert_refused("POST", CONSENTS, {"subject": "staff-31"}, 409, "conflict",
                                  "the session is cancelled")
        await self.assert_refused("POST", CONSENTS, {"subject": "staff-31",
                                                     "expires_at_ms": self.now_ms() - 1},
                                  400, "bad_request", EXPIRY_PAST)
        self.assertEqual(self.count("consent_granted"), 0)
        self.assertEqual(self.db_rows("SELECT COUNT(*) FROM consents")[0][0], 0)

    async def test_a_failed_commit_answers_503_and_grants_nothing(self):
        self.db_write("CREATE TRIGGER test_fail_consent BEFORE INSERT ON consents "
                      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
        before = self.snapshot()
        reply = await self.call("POST", CONSENTS, {"subject": "staff-31"})
        self.assert_error(reply, 503, "store_unavailable")
        self.assertEqual(self.snapshot(), before, "no consent and no audit record")
        self.db_write("DROP TRIGGER test_fail_consent")
        await self.grant({"subject": "staff-31"})
        self.assertEqual(self.count("consent_granted"), 1)


# --------------------------------------------------------------------------- revoke

class Revoke(ConsentCase):

    async def test_a_revocation_answers_200_with_the_revoked_consent_and_audits_it(self):
        expires = self.now_ms() + HOUR
        granted = await self.grant({"subject": "staff-31", "expires_at_ms": expires})
        other = await self.grant({"subject": "staff-32"})
        before = self.now_ms()
        revoked = await self.revoke("staff-31")
        after = self.now_ms()
        self.assertEqual(list(revoked), CONSENT_FIELDS)
        at = revoked["revoked_at_ms"]
        self.assertTrue(before <= at <= after, revoked)
        self.assertEqual(revoked, dict(granted, revoked_at_ms=at))
        # The record of the grant is kept, with when and by whom it was withdrawn.
        self.assertEqual(self.db_rows(consent_rows()), [
            (SESSION, "staff-31", "admin_api", "admin", granted["granted_at_ms"], expires, at,
             "admin"),
            (SESSION, "staff-32", "admin_api", "admin", other["granted_at_ms"], None, None, "")])
        self.assertEqual(self.last_audit(), ("admin", "admin", "consent_revoked", "staff-31",
                                             SESSION, "ok", ""))
        self.assertEqual(self.db_rows("SELECT at_ms FROM audit WHERE action = 'consent_revoked'"),
                         [(at,)])
        self.assertEqual(await self.listed(), {"session": SESSION, "consents": [revoked, other]})
        self.assert_no_names_in_audit()

    async def test_revoking_a_consent_that_does_not_exist_is_404_and_changes_nothing(self):
        await self.grant({"subject": "staff-31"})
        for target in [CONSENTS + "/staff-32", CONSENTS + "/staff-3", CONSENTS + "/STAFF-31",
                       CONSENTS + "/staff-31%20", SESSIONS + "/nope/consents/staff-31",
                       SESSIONS + "/IOP-TUE-AM/consents/staff-31"]:
            with self.subTest(target=target):
                await self.assert_refused("DELETE", target, None, 404, "not_found",
                                          "no consent for this subject in this session")
        self.assertEqual(self.count("consent_revoked"), 0)

    async def test_revoking_again_changes_nothing_and_is_recorded_as_a_view(self):
        await self.grant({"subject": "staff-31"})
        revoked = await self.revoke("staff-31")
        rows = self.db_rows(consent_rows())
        again = await self.revoke("staff-31")
        self.assertEqual(again, revoked, "the first revocation stands")
        self.assertEqual(self.db_rows(consent_rows()), rows)
        self.assertEqual(self.count("consent_revoked"), 1)
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "staff-31",
                                             SESSION, "ok", "already_revoked"))

    async def test_a_new_grant_after_a_revocation_grants_again(self):
        await self.grant({"subject": "staff-31"})
        await self.revoke("staff-31")
        regranted = await self.grant({"subject": "staff-31",
                                      "expires_at_ms": self.now_ms() + HOUR})
        self.assertIsNone(regranted["revoked_at_ms"])
        self.assertEqual((await self.listed())["consents"], [regranted])
        self.assertEqual(self.db_rows("SELECT revoked_at_ms, revoked_by FROM consents"),
                         [(None, "")])
        # In effect again, so it can be revoked again.
        revoked = await self.revoke("staff-31")
        self.assertEqual(revoked, dict(regranted, revoked_at_ms=revoked["revoked_at_ms"]))
        self.assertEqual([r[2] for r in self.db_rows(
            "SELECT actor, target, action FROM audit WHERE target = 'staff-31' ORDER BY seq")],
            ["consent_granted", "consent_revoked", "consent_granted", "consent_revoked"])

    async def test_a_consent_can_be_revoked_after_the_session_is_cancelled(self):
        granted = await self.grant({"subject": "staff-31"})
        await self.call("DELETE", SESSIONS + "/" + SESSION)
        revoked = await self.revoke("staff-31")
        self.assertEqual(revoked["subject"], granted["subject"])
        self.assertIsNotNone(revoked["revoked_at_ms"])
        self.assertEqual(self.count("consent_revoked"), 1)

    async def test_the_subject_in_the_path_is_percent_decoded(self):
        await self.grant({"subject": "obs 1/2"})
        await self.grant({"subject": "é"})
        self.assertEqual((await self.revoke("obs%201%2F2"))["subject"], "obs 1/2")
        self.assertEqual((await self.revoke("%C3%A9"))["subject"], "é")
        self.assertEqual(self.db_rows("SELECT COUNT(*) FROM consents WHERE revoked_at_ms IS NULL")
                         [0][0], 0)

    async def test_a_failed_commit_answers_503_and_the_consent_stays(self):
        await self.grant({"subject": "staff-31"})
        self.db_write("CREATE TRIGGER test_fail_revoke BEFORE UPDATE ON consents "
                      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
        before = self.snapshot()
        reply = await self.call("DELETE", CONSENTS + "/staff-31")
        self.assert_error(reply, 503, "store_unavailable")
        self.assertEqual(self.snapshot(), before, "still in effect, and no audit record")
        self.db_write("DROP TRIGGER test_fail_revoke")
        await self.revoke("staff-31")
        self.assertEqual(self.count("consent_revoked"), 1)


# --------------------------------------------------------------------------- list

class List(ConsentCase):

    async def test_the_list_holds_every_consent_of_the_session_by_subject(self):
        self.assertEqual(await self.listed(), {"session": SESSION, "consents": []})
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "consents",
                                             SESSION, "ok", "0"))
        await self.create(planned_body(id="iop-wed-am"))
        c = await self.grant({"subject": "obs-c"})
        a = await self.grant({"subject": "obs-a", "expires_at_ms": self.now_ms() + HOUR})
        b = await self.grant({"subject": "obs-b"})
        elsewhere = await self.grant({"subject": "obs-a"}, session="iop-wed-am")
        b = await self.revoke("obs-b")
        listed = await self.listed()
        self.assertEqual(listed, {"session": SESSION, "consents": [a, b, c]})
        self.assertEqual(list(listed), ["session", "consents"])
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "consents",
                                             SESSION, "ok", "3"))
        # Per session: a revocation in one leaves the other alone.
        self.assertEqual(await self.listed("iop-wed-am"),
                         {"session": "iop-wed-am", "consents": [elsewhere]})
        await self.revoke("obs-a")
        self.assertEqual((await self.listed("iop-wed-am"))["consents"], [elsewhere])

    async def test_a_session_that_was_never_planned_lists_what_its_room_recorded(self):
        # A room without a plan can still hold consents its facilitators
        # attested: they are listed, and can be revoked, like any other.
        self.db_write("INSERT INTO consents VALUES ('ad-hoc-1', 'obs-9', 'attested', 'fac-1', "
                      "1000, NULL, NULL, '')")
        self.assertEqual(await self.listed("ad-hoc-1"), {"session": "ad-hoc-1", "consents": [
            {"session": "ad-hoc-1", "subject": "obs-9", "method": "attested",
             "recorded_by": "fac-1", "granted_at_ms": 1000, "expires_at_ms": None,
             "revoked_at_ms": None}]})
        self.assertEqual(await self.listed("nope"), {"session": "nope", "consents": []})
        revoked = await self.revoke("obs-9", session="ad-hoc-1")
        self.assertEqual((revoked["method"], revoked["recorded_by"]), ("attested", "fac-1"))
        self.assertEqual(self.db_rows("SELECT revoked_by FROM consents"), [("admin",)])
        # But the admin API grants only for planned sessions.
        await self.assert_refused("POST", SESSIONS + "/ad-hoc-1/consents", {"subject": "obs-9"},
                                  404, "not_found", "no such session")


# --------------------------------------------------------------------------- access

class Access(ConsentCase):

    async def test_without_the_key_nothing_is_read_or_changed(self):
        await self.grant({"subject": "staff-31"})
        calls = [("POST", CONSENTS, {"subject": "staff-32"}),
                 ("GET", CONSENTS, None),
                 ("DELETE", CONSENTS + "/staff-31", None)]
        for authorization, detail in [("", "no_key"), ("Bearer nope", "wrong_key"),
                                      (self.admin_key, "wrong_key")]:
            for method, target, body in calls:
                with self.subTest(method=method, detail=detail):
                    before = self.snapshot()
                    reply = await self.call(method, target, body, authorization=authorization)
                    self.assert_error(reply, 401, "unauthorized")
                    self.assertNotIn(b"staff-31", reply.body)
                    after = self.snapshot()
                    self.assertEqual(after[:2], before[:2])
                    self.assertEqual(after[3], before[3], "no consent changed")
                    self.assertEqual(after[2][0], before[2][0] + 1, "only admin_auth_failed")
                    self.assertEqual(self.last_audit(), ("", "unauthenticated",
                                                         "admin_auth_failed", "", "", "denied",
                                                         detail))
        self.assertEqual(self.db_rows("SELECT subject, revoked_at_ms FROM consents"),
                         [("staff-31", None)])

    async def test_methods_and_parameters(self):
        await self.grant({"subject": "staff-31"})
        one = CONSENTS + "/staff-31"
        cases = [
            ("PUT", CONSENTS, {"subject": "x"}, 405, "method_not_allowed", "GET or POST only"),
            ("DELETE", CONSENTS, None, 405, "method_not_allowed", "GET or POST only"),
            ("PATCH", CONSENTS, None, 405, "method_not_allowed", "GET or POST only"),
            ("GET", one, None, 405, "method_not_allowed", "DELETE only"),
            ("POST", one, {"subject": "staff-31"}, 405, "method_not_allowed", "DELETE only"),
            ("PUT", one, {"subject": "staff-31"}, 405, "method_not_allowed", "DELETE only"),
            ("POST", CONSENTS + "?dry_run=1", {"subject": "x"}, 400, "bad_request",
             "unknown parameter: dry_run"),
            ("GET", CONSENTS + "?subject=staff-31", None, 400, "bad_request",
             "unknown parameter: subject"),
            ("DELETE", one + "?hard=1", None, 400, "bad_request", "unknown parameter: hard"),
            ("DELETE", one + "/x", None, 404, "not_found", "no such endpoint"),
            ("GET", SESSIONS + "/" + SESSION + "/consent", None, 404, "not_found",
             "no such endpoint"),
        ]
        for method, target, body, status, code, message in cases:
            with self.subTest(method=method, target=target):
                await self.assert_refused(method, target, body, status, code, message)
        self.assertEqual(self.db_rows("SELECT subject, revoked_at_ms FROM consents"),
                         [("staff-31", None)])

    async def test_a_body_over_the_limit_is_413_and_changes_nothing(self):
        await self.assert_refused("POST", CONSENTS, {"subject": "s" * 70_000}, 413, "too_large")

    async def test_the_audit_trail_holds_ids_only_and_its_chain_verifies(self):
        await self.grant({"subject": "staff-31", "expires_at_ms": self.now_ms() + HOUR})
        await self.listed()
        await self.revoke("staff-31")
        await self.revoke("staff-31")
        await self.grant({"subject": "staff-31"})
        rows = self.db_rows("SELECT actor, actor_role, action, target, session, outcome, detail "
                            "FROM audit WHERE action != 'session_created' ORDER BY seq")
        self.assertEqual(rows, [
            ("admin", "admin", "consent_granted", "staff-31", SESSION, "ok", ""),
            ("admin", "admin", "record_viewed", "consents", SESSION, "ok", "1"),
            ("admin", "admin", "consent_revoked", "staff-31", SESSION, "ok", ""),
            ("admin", "admin", "record_viewed", "staff-31", SESSION, "ok", "already_revoked"),
            ("admin", "admin", "consent_granted", "staff-31", SESSION, "ok", ""),
        ])
        self.assert_no_names_in_audit()
        verified = await self.get_json("/admin/v1/audit/verify")
        self.assertTrue(verified["ok"], verified)


if __name__ == "__main__":
    unittest.main()
