"""Shared by the admin session tests (test_admin_session*.py): a valid
session body with a roster of distinctive names, and SessionCase."""

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
