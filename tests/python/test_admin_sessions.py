"""Planned sessions and their rosters from the admin API: create, list, read,
replace and cancel, every validation rule (none of the refused calls changes
anything), the roster's join tokens (which admit to the room with the
roster's name and role), the weekly program taken from the roster, and no
names in the audit trail."""

import copy
import unittest

from admin_testcase import *  # noqa: F401,F403 - the shared fixture and helpers

SESSIONS = "/admin/v1/sessions"
START = utc_ms(2026, 11, 24, 15)  # Tuesday 2026-11-24 15:00 UTC
END = START + 3 * HOUR

SESSION_FIELDS = ["id", "title", "kind", "scheduled_start_ms", "scheduled_end_ms",
                  "lobby_policy", "admit_before_facilitator", "chat_policy", "keep_chat",
                  "status", "version", "created_at_ms", "updated_at_ms", "roster"]
TOKEN_FIELDS = {"subject", "role", "token", "token_id", "expires_at_ms"}

# Names that must never reach the audit trail: distinctive, so a match is no accident.
ROSTER = [
    {"subject": "staff-17", "display_name": "Dr. Rivera-Okafor", "role": "facilitator"},
    {"subject": "client-1042", "display_name": "Jordan Quillfeather", "role": "participant"},
    {"subject": "client-2210", "display_name": "Sam Wexley-Thorne", "role": "participant",
     "program": "adolescent"},
    {"subject": "fam-2210-a", "display_name": "Alex Wexley-Thorne", "role": "family_member",
     "relationship": "stepmother", "accompanies": "client-2210"},
]
NAMES = [e["display_name"] for e in ROSTER] + ["Wexley", "Quillfeather", "stepmother"]


def valid_body(**changes):
    """A valid create body; a change of KeyError removes the field."""
    body = {"id": "iop-tue-am", "title": "IOP Tuesday morning", "kind": "multi_family_group",
            "scheduled_start_ms": START, "scheduled_end_ms": END,
            "roster": copy.deepcopy(ROSTER)}
    for k, v in changes.items():
        if v is KeyError:
            body.pop(k, None)
        else:
            body[k] = v
    return body


def with_entry(index, **changes):
    """valid_body() with roster entry `index` changed (KeyError removes a field)."""
    body = valid_body()
    for k, v in changes.items():
        if v is KeyError:
            body["roster"][index].pop(k, None)
        else:
            body["roster"][index][k] = v
    return body


def with_roster(*entries, **changes):
    body = valid_body(**changes)
    body["roster"] = [dict(e) for e in entries]
    return body


FAC = {"subject": "fac-1", "display_name": "Fac", "role": "facilitator"}
PAT = {"subject": "pat-1", "display_name": "Pat", "role": "participant"}
PAT2 = {"subject": "pat-2", "display_name": "Pat Two", "role": "participant"}


def stored_roster(roster):
    """A roster as the server answers with it: participants get a program
    (adult unless given), nobody else has one."""
    out = []
    for e in roster:
        e = dict(e)
        if e["role"] == "participant":
            e.setdefault("program", "adult")
        out.append(e)
    return out


ROLES = "co_facilitator, facilitator, family_member, observer, participant"
TIMES = "a session ends after it starts, within 24 hours"
NOT_OBJECT = "the body must be a JSON object"
FAMILY = "roster: a family member needs relationship and accompanies"
ACCOMPANIES = "roster: accompanies must name a participant on this roster"
FAMILY_ONLY = "roster: relationship and accompanies are for family members only"
NO_FACILITATOR = "roster: a session needs at least one facilitator"
ID_CHARS = "id is 1 to 128 of A-Z a-z 0-9 . _ -"
ROSTER_SIZE = "roster must be an array of at most 50 people"


def invalid_bodies():
    """(label, body, the exact message): every rule of session_json.cpp that a
    create and a replace share."""
    many = [dict(FAC)] + [{"subject": "p-%d" % i, "display_name": "P", "role": "participant"}
                          for i in range(50)]
    cases = [
        # not a JSON object
        ("truncated", b'{"title":', NOT_OBJECT),
        ("empty", b"", NOT_OBJECT),
        ("array", b"[]", NOT_OBJECT),
        ("array of a body", json.dumps([valid_body()]).encode(), NOT_OBJECT),
        ("null", b"null", NOT_OBJECT),
        ("string", b'"iop"', NOT_OBJECT),
        ("trailing", json.dumps(valid_body()).encode() + b" {}", NOT_OBJECT),
        ("form", b"title=x", NOT_OBJECT),
        # unknown top-level fields, the server's own among them
        ("unknown field", valid_body(room="x"), "unknown field: room"),
        ("status", valid_body(status="scheduled"), "unknown field: status"),
        ("created_at_ms", valid_body(created_at_ms=1), "unknown field: created_at_ms"),
        ("updated_at_ms", valid_body(updated_at_ms=1), "unknown field: updated_at_ms"),
        ("case matters", valid_body(Title="x"), "unknown field: Title"),
        # id
        ("id number", valid_body(id=5), "id must be a string of at most 128 bytes"),
        ("id null", valid_body(id=None), "id must be a string of at most 128 bytes"),
        ("id 129", valid_body(id="i" * 129), "id must be a string of at most 128 bytes"),
        ("id empty", valid_body(id=""), ID_CHARS),
        ("id space", valid_body(id="iop tue"), ID_CHARS),
        ("id slash", valid_body(id="iop/tue"), ID_CHARS),
        ("id plus", valid_body(id="iop+tue"), ID_CHARS),
        ("id percent", valid_body(id="iop%2Ftue"), ID_CHARS),
        ("id colon", valid_body(id="iop:tue"), ID_CHARS),
        ("id non-ascii", valid_body(id="iop-tü"), ID_CHARS),
        ("id newline", valid_body(id="iop\n"), ID_CHARS),
        # title
        ("title missing", valid_body(title=KeyError), "title is required"),
        ("title empty", valid_body(title=""),
         "title must be a non-empty string of at most 200 bytes"),
        ("title 201", valid_body(title="t" * 201),
         "title must be a non-empty string of at most 200 bytes"),
        ("title 202 bytes", valid_body(title="é" * 101),
         "title must be a non-empty string of at most 200 bytes"),
        ("title number", valid_body(title=7),
         "title must be a non-empty string of at most 200 bytes"),
        ("title null", valid_body(title=None),
         "title must be a non-empty string of at most 200 bytes"),
        # enums
        ("kind missing", valid_body(kind=KeyError), "kind is required"),
        ("kind unknown", valid_body(kind="therapy"),
         "kind is one of: family, group, individual, multi_family_group"),
        ("kind case", valid_body(kind="Group"),
         "kind is one of: family, group, individual, multi_family_group"),
        ("kind empty", valid_body(kind=""),
         "kind is one of: family, group, individual, multi_family_group"),
        ("kind number", valid_body(kind=1),
         "kind is one of: family, group, individual, multi_family_group"),
        ("lobby unknown", valid_body(lobby_policy="closed"),
         "lobby_policy is one of: everyone_waits, open, roster_enters"),
        ("lobby null", valid_body(lobby_policy=None),
         "lobby_policy is one of: everyone_waits, open, roster_enters"),
        ("chat unknown", valid_body(chat_policy="none"),
         "chat_policy is one of: facilitators_only, off, room"),
        ("chat bool", valid_body(chat_policy=False),
         "chat_policy is one of: facilitators_only, off, room"),
        # flags
        ("admit string", valid_body(admit_before_facilitator="true"),
         "admit_before_facilitator must be true or false"),
        ("admit number", valid_body(admit_before_facilitator=1),
         "admit_before_facilitator must be true or false"),
        ("keep_chat null", valid_body(keep_chat=None), "keep_chat must be true or false"),
        ("keep_chat number", valid_body(keep_chat=0), "keep_chat must be true or false"),
        # times
        ("start missing", valid_body(scheduled_start_ms=KeyError),
         "scheduled_start_ms is required: milliseconds since the Unix epoch"),
        ("start string", valid_body(scheduled_start_ms=str(START)),
         "scheduled_start_ms is required: milliseconds since the Unix epoch"),
        ("start negative", valid_body(scheduled_start_ms=-1),
         "scheduled_start_ms is required: milliseconds since the Unix epoch"),
        ("start fraction", valid_body(scheduled_start_ms=START + 0.5),
         "scheduled_start_ms is required: milliseconds since the Unix epoch"),
        ("start float", valid_body(scheduled_start_ms=float(START)),
         "scheduled_start_ms is required: milliseconds since the Unix epoch"),
        ("start bool", valid_body(scheduled_start_ms=True),
         "scheduled_start_ms is required: milliseconds since the Unix epoch"),
        ("start 2^63", valid_body(scheduled_start_ms=2 ** 63),
         "scheduled_start_ms is required: milliseconds since the Unix epoch"),
        ("end missing", valid_body(scheduled_end_ms=KeyError),
         "scheduled_end_ms is required: milliseconds since the Unix epoch"),
        ("end null", valid_body(scheduled_end_ms=None),
         "scheduled_end_ms is required: milliseconds since the Unix epoch"),
        ("end at start", valid_body(scheduled_end_ms=START), TIMES),
        ("end before start", valid_body(scheduled_end_ms=START - 1), TIMES),
        ("24 h and 1 ms", valid_body(scheduled_end_ms=START + DAY + 1), TIMES),
        # version (on a create any version is refused too: see test_a_create_has_no_version)
        ("version zero", valid_body(version=0), "version must be a positive integer"),
        ("version negative", valid_body(version=-1), "version must be a positive integer"),
        ("version string", valid_body(version="1"), "version must be a positive integer"),
        ("version fraction", valid_body(version=1.5), "version must be a positive integer"),
        ("version null", valid_body(version=None), "version must be a positive integer"),
        # the roster as a whole
        ("roster missing", valid_body(roster=KeyError),
         "roster is required (at least one facilitator)"),
        ("roster object", valid_body(roster={"subject": "fac-1"}), ROSTER_SIZE),
        ("roster null", valid_body(roster=None), ROSTER_SIZE),
        ("roster string", valid_body(roster="fac-1"), ROSTER_SIZE),
        ("roster 51", valid_body(roster=many), ROSTER_SIZE),
        ("roster empty", valid_body(roster=[]), NO_FACILITATOR),
        ("entry string", valid_body(roster=[dict(FAC), "pat-1"]),
         "each roster entry must be an object"),
        ("entry array", valid_body(roster=[[]]), "each roster entry must be an object"),
        # roster entries: fields
        ("entry unknown", with_entry(1, email="j@example.org"), "unknown roster field: email"),
        ("entry name", with_entry(0, name="Dr. R"), "unknown roster field: name"),
        ("entry version", with_entry(0, version=1), "unknown roster field: version"),
        ("subject missing", with_entry(1, subject=KeyError), "roster: subject is required"),
        ("subject empty", with_entry(1, subject=""),
         "roster: subject must be a non-empty string of at most 128 bytes"),
        ("subject 129", with_entry(1, subject="s" * 129),
         "roster: subject must be a non-empty string of at most 128 bytes"),
        ("subject number", with_entry(1, subject=1042),
         "roster: subject must be a non-empty string of at most 128 bytes"),
        ("name missing", with_entry(1, display_name=KeyError),
         "roster: display_name is required"),
        ("name empty", with_entry(1, display_name=""),
         "roster: display_name must be a non-empty string of at most 100 bytes"),
        ("name 101", with_entry(1, display_name="n" * 101),
         "roster: display_name must be a non-empty string of at most 100 bytes"),
        ("name 102 bytes", with_entry(1, display_name="ö" * 51),
         "roster: display_name must be a non-empty string of at most 100 bytes"),
        ("name null", with_entry(1, display_name=None),
         "roster: display_name must be a non-empty string of at most 100 bytes"),
        ("role missing", with_entry(1, role=KeyError), "roster: role is required"),
        ("role unknown", with_entry(1, role="therapist"), "roster: role is one of: " + ROLES),
        ("role case", with_entry(0, role="Facilitator"), "roster: role is one of: " + ROLES),
        ("role empty", with_entry(1, role=""), "roster: role is one of: " + ROLES),
        ("role number", with_entry(1, role=3), "roster: role is one of: " + ROLES),
        ("relationship 51", with_entry(3, relationship="r" * 51),
         "roster: relationship must be a string of at most 50 bytes"),
        ("relationship number", with_entry(3, relationship=1),
         "roster: relationship must be a string of at most 50 bytes"),
        ("accompanies 129", with_entry(3, accompanies="a" * 129),
         "roster: accompanies must be a string of at most 128 bytes"),
        ("accompanies null", with_entry(3, accompanies=None),
         "roster: accompanies must be a string of at most 128 bytes"),
        ("program unknown", with_entry(1, program="child"),
         "roster: program is one of: adolescent, adult"),
        ("program empty", with_entry(1, program=""),
         "roster: program is one of: adolescent, adult"),
        ("program case", with_entry(1, program="Adult"),
         "roster: program is one of: adolescent, adult"),
        # roster entries: rules between fields and people
        ("duplicate subject", with_entry(2, subject="client-1042"),
         "roster: a subject appears twice: each person is listed once"),
        ("duplicate across roles", with_entry(3, subject="staff-17"),
         "roster: a subject appears twice: each person is listed once"),
        ("family no relationship", with_entry(3, relationship=KeyError), FAMILY),
        ("family empty relationship", with_entry(3, relationship=""), FAMILY),
        ("family no accompanies", with_entry(3, accompanies=KeyError), FAMILY),
        ("family empty accompanies", with_entry(3, accompanies=""), FAMILY),
        ("family neither", with_entry(3, relationship=KeyError, accompanies=KeyError), FAMILY),
        ("accompanies nobody", with_entry(3, accompanies="client-9999"), ACCOMPANIES),
        ("accompanies a facilitator", with_entry(3, accompanies="staff-17"), ACCOMPANIES),
        ("accompanies self", with_entry(3, accompanies="fam-2210-a"), ACCOMPANIES),
        ("accompanies a family member",
         with_roster(FAC, PAT, {"subject": "f-1", "display_name": "F", "role": "family_member",
                                "relationship": "parent", "accompanies": "pat-1"},
                     {"subject": "f-2", "display_name": "G", "role": "family_member",
                      "relationship": "sibling", "accompanies": "f-1"}), ACCOMPANIES),
        ("participant with relationship", with_entry(1, relationship="parent"), FAMILY_ONLY),
        ("participant with accompanies", with_entry(1, accompanies="client-2210"), FAMILY_ONLY),
        ("facilitator with relationship", with_entry(0, relationship=""), FAMILY_ONLY),
        ("observer with accompanies",
         with_roster(FAC, PAT, {"subject": "obs-1", "display_name": "O", "role": "observer",
                                "accompanies": "pat-1"}), FAMILY_ONLY),
        ("program for a facilitator", with_entry(0, program="adult"),
         "roster: program is for participants only"),
        ("program for a family member", with_entry(3, program="adolescent"),
         "roster: program is for participants only"),
        ("program for an observer",
         with_roster(FAC, {"subject": "obs-1", "display_name": "O", "role": "observer",
                           "program": "adult"}), "roster: program is for participants only"),
        ("only a co-facilitator",
         with_roster({"subject": "co-1", "display_name": "C", "role": "co_facilitator"}, PAT),
         NO_FACILITATOR),
        ("only participants", with_roster(PAT, PAT2), NO_FACILITATOR),
        ("individual with two", with_roster(FAC, PAT, PAT2, kind="individual"),
         "an individual session has one participant"),
    ]
    return cases


class SessionCase(AdminCase):
    SERVER_ARGS = ("--clinic-timezone", "UTC")

    def now_ms(self):
        return int(time.time() * 1000)

    async def create(self, body=None, status=201):
        reply = await self.call("POST", SESSIONS, valid_body() if body is None else body)
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(reply.headers.get("content-type"), "application/json", reply)
        return reply.json()

    async def put(self, session_id, body, status=200):
        reply = await self.call("PUT", SESSIONS + "/" + session_id, body)
        self.assertEqual(reply.status, status, reply)
        return reply.json()

    async def tokens(self, session_id, body=None, status=201):
        reply = await self.call("POST", "%s/%s/tokens" % (SESSIONS, session_id), body)
        self.assertEqual(reply.status, status, reply)
        return reply.json()

    def snapshot(self):
        """Everything a session call could change: the sessions, their rosters,
        and how long the audit trail is."""
        return (self.db_rows("SELECT * FROM sessions ORDER BY id"),
                self.db_rows("SELECT * FROM session_roster ORDER BY session_id, position"),
                self.db_rows("SELECT COUNT(*), MAX(seq) FROM audit")[0])

    async def assert_refused(self, method, target, body, status, code, message=None):
        """The call is refused with this error and changes nothing at all."""
        before = self.snapshot()
        reply = await self.call(method, target, body)
        got = self.assert_error(reply, status, code)
        if message is not None:
            self.assertEqual(got, message)
        self.assertEqual(self.snapshot(), before, "a refused call changed something")
        return got

    def assert_no_names_in_audit(self):
        rows = self.db_rows("SELECT * FROM audit")
        self.assertTrue(rows)
        for row in rows:
            text = " ".join(str(v) for v in row)
            for name in NAMES + ["IOP Tuesday", "Dr.", "Rivera", "Okafor", "Jordan", "Sam ",
                                 "Alex"]:
                self.assertNotIn(name, text, row)


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
            self.assertEqual(hello.role, room.Role.Value("ROLE_" + entry["role"].upper()))
            self.assertEqual(hello.token_expires_at_ms, tokens[entry["subject"]]["expires_at_ms"])
            result = await client.join()
            self.assertEqual(result.room_id, "iop-tue-am")
            joined.append(entry)
            self.assertEqual(
                [(m.display_name, m.role) for m in result.snapshot.members],
                [(e["display_name"], room.Role.Value("ROLE_" + e["role"].upper()))
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
                                            "role": "participant"}, id=sid))
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
        result = await client.join()
        self.assertEqual([m.display_name for m in result.snapshot.members],
                         ["Jordan Quillfeather"])
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
