"""Retention: the purge deletes sessions (their plans, rosters with names,
bans, consents and kept chat) once they ended longer ago than
--content-retention-days, and attendance older than --audit-retention-days;
what it deletes is gone from the SQLite file and its WAL, byte for byte, while
what it keeps is still there.
It runs from the admin API, as `hearthd purge`, and by itself at start-up;
each purge is audited with counts, never names. A retention shorter for the
audit trail than for the content stops start-up."""

import json
import os
import subprocess
import tempfile
import shutil
import unittest

from hearth_client import HEARTH_BIN
from session_testcase import *  # noqa: F401,F403 - the shared fixture and helpers

PURGE = "/admin/v1/retention/purge"
REPORT_FIELDS = ["content_before_ms", "audit_before_ms", "sessions", "roster_entries", "bans",
                 "consents", "chat_messages", "worksheets", "attendance", "audit"]
AUDIT_DAYS = 2190  # the default: six years

# Distinctive strings, so that a match in the file's bytes is no accident.
PURGED = "Qzv7-Purged-Canary-4471"
KEPT = "Wx93-Kept-Canary-5820"


def session_body(session_id, canary, end):
    """A session that ends at `end`, with `canary` in its title and in a name
    on its roster, and an observer to consent."""
    return {"id": session_id, "title": "Group " + canary, "kind": "group",
            "scheduled_start_ms": end - HOUR, "scheduled_end_ms": end,
            "roster": [
                {"subject": session_id + "-fac", "display_name": "Fac " + canary,
                 "role": "facilitator"},
                {"subject": session_id + "-pat", "display_name": canary + " Pat",
                 "role": "participant"},
                {"subject": session_id + "-obs", "display_name": "Obs " + canary,
                 "role": "observer"},
            ]}


def detail(sessions=0, roster_entries=0, bans=0, consents=0, chat_messages=0, worksheets=0,
           attendance=0, audit=0):
    return ("sessions=%d roster_entries=%d bans=%d consents=%d chat_messages=%d worksheets=%d "
            "attendance=%d audit=%d" % (sessions, roster_entries, bans, consents, chat_messages,
                                        worksheets, attendance, audit))


class RetentionCase(SessionCase):
    SERVER_ARGS = ("--clinic-timezone", "UTC", "--content-retention-days", "1")

    def file_bytes(self, suffix=""):
        try:
            with open(self.db_path + suffix, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""

    def on_disk(self):
        """Every byte of the database file and of its WAL (if there is one)."""
        return self.file_bytes() + self.file_bytes("-wal")

    def add_ban(self, session, subject, name, at):
        """A ban as a facilitator's room stores it (the admin API makes none)."""
        self.db_write("INSERT INTO bans (session, subject, display_name, role, banned_by, "
                      "banned_at_ms) VALUES (?, ?, ?, 'participant', 'fac-1', ?)",
                      session, subject, name, at)

    async def plan(self, session_id, canary, end):
        """A planned session with a consent for its observer; returns it."""
        created = await self.create(session_body(session_id, canary, end))
        reply = await self.call("POST", "%s/%s/consents" % (SESSIONS, session_id),
                                {"subject": session_id + "-obs"})
        self.assertEqual(reply.status, 201, reply)
        return created

    async def purge(self, body=None):
        reply = await self.call("POST", PURGE, body)
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.headers.get("content-type"), "application/json", reply)
        report = reply.json()
        self.assertEqual(list(report), REPORT_FIELDS, "fields in the documented order")
        return report


class AdminPurge(RetentionCase):

    async def test_a_purge_deletes_old_sessions_from_the_file_and_its_wal(self):
        now = self.now_ms()
        await self.plan("old-group", PURGED, now - 3 * DAY)
        kept = await self.plan("new-group", KEPT, now + DAY)
        self.add_ban("old-group", "old-group-pat", "Banned " + PURGED, now - 3 * DAY - HOUR)
        self.add_ban("new-group", "new-group-pat", "Banned " + KEPT, now - 3 * DAY)
        # A room without a planned session: its ban goes by its own time.
        self.add_ban("drop-in", "walk-in-1", "Walk " + PURGED, now - 2 * DAY)
        self.add_ban("drop-in", "walk-in-2", "Walk " + KEPT, now - HOUR)
        # Attendance: older than six years goes, the rest stays.
        self.insert_segment("old-group", "old-group-pat", now - (AUDIT_DAYS + 2) * DAY,
                            now - (AUDIT_DAYS + 1) * DAY)
        self.insert_segment("old-group", "old-group-fac", now - 3 * DAY - HOUR, now - 3 * DAY)
        # The purged canary is there to be found before the purge.
        self.assertIn(PURGED.encode(), self.on_disk())

        before = self.now_ms()
        report = await self.purge()
        after = self.now_ms()
        self.assertTrue(before - DAY <= report["content_before_ms"] <= after - DAY, report)
        self.assertEqual(report["audit_before_ms"], report["content_before_ms"]
                         - (AUDIT_DAYS - 1) * DAY)
        counts = {k: v for k, v in report.items() if not k.endswith("_ms")}
        self.assertEqual(counts, {"sessions": 1, "roster_entries": 3, "bans": 2, "consents": 1,
                                  "chat_messages": 0, "worksheets": 0, "attendance": 1, "audit": 0})

        # The old session is gone, everywhere the API shows it; the new one is intact.
        self.assert_error(await self.call("GET", SESSIONS + "/old-group"), 404, "not_found")
        self.assertEqual(await self.get_json(SESSIONS + "/new-group"), kept)
        listed = await self.get_json("%s?from=%d&to=%d" % (SESSIONS, now - 5 * DAY, now + 5 * DAY))
        self.assertEqual([s["id"] for s in listed["sessions"]], ["new-group"])
        self.assertEqual((await self.get_json(SESSIONS + "/old-group/consents"))["consents"], [])
        self.assertEqual(len((await self.get_json(SESSIONS + "/new-group/consents"))["consents"]),
                         1)
        self.assertEqual(self.db_rows("SELECT session, subject FROM bans ORDER BY session"),
                         [("drop-in", "walk-in-2"), ("new-group", "new-group-pat")])
        self.assertEqual(self.db_rows("SELECT session, subject FROM attendance"),
                         [("old-group", "old-group-fac")])
        self.assertEqual(self.db_rows("SELECT COUNT(*) FROM session_roster")[0][0], 3)

        # Audited, after the purge, with counts and no names.
        rows = self.db_rows("SELECT actor, actor_role, action, target, session, outcome, detail "
                            "FROM audit WHERE action = 'retention_purge'")
        self.assertEqual(rows, [("admin", "admin", "retention_purge", "retention", "", "ok",
                                 detail(1, 3, 2, 1, 0, 0, 1, 0))])
        audited = self.everything_audited()
        for text in (PURGED, KEPT, "Fac ", "Banned", "Walk"):
            self.assertNotIn(text, audited)
        self.assertEqual((await self.get_json("/admin/v1/audit/verify"))["ok"], True)

        # Gone from the database file and from the WAL; the kept canary is
        # still found in the file, so the search does find what is there.
        disk = self.on_disk()
        self.assertNotIn(PURGED.encode(), disk)
        self.assertIn(KEPT.encode(), self.file_bytes())
        self.assertNotIn(PURGED, self.server.log_text(tail=10 ** 7))

        # A second purge finds nothing more, and says so.
        again = await self.purge("{}")
        self.assertEqual({k: v for k, v in again.items() if not k.endswith("_ms")},
                         dict.fromkeys(counts, 0))
        self.assertEqual(self.last_audit(), ("admin", "admin", "retention_purge", "retention", "",
                                             "ok", detail()))

    async def test_a_session_that_ended_within_the_retention_is_kept(self):
        now = self.now_ms()
        await self.plan("yesterday", KEPT, now - DAY + 10 * 60_000)  # ended under a day ago
        report = await self.purge()
        self.assertEqual(report["sessions"], 0)
        self.assertEqual((await self.get_json(SESSIONS + "/yesterday"))["id"], "yesterday")
        self.assertIn(KEPT.encode(), self.on_disk())

    async def test_anything_but_an_empty_body_is_refused_and_changes_nothing(self):
        now = self.now_ms()
        await self.plan("old-group", PURGED, now - 3 * DAY)
        for body in (b"[]", b'{"dry_run": true}', b"null", b"x", b"{}{}", b'""', b"0"):
            with self.subTest(body=body):
                message = await self.assert_refused("POST", PURGE, body, 400, "bad_request")
                self.assertEqual(message, "the body must be empty or {}")
        await self.assert_refused("POST", PURGE + "?dry_run=1", None, 400, "bad_request")
        for method in ("GET", "PUT", "DELETE"):
            with self.subTest(method=method):
                await self.assert_refused(method, PURGE, None, 405, "method_not_allowed")
        reply = await self.call("POST", PURGE, authorization="")
        self.assert_error(reply, 401, "unauthorized")
        self.assertEqual(self.count("retention_purge"), 0)
        self.assertEqual((await self.get_json(SESSIONS + "/old-group"))["id"], "old-group")
        # An empty object and no body at all are the same call.
        self.assertEqual((await self.purge(" { } "))["sessions"], 1)


class KeptChatPurge(RetentionCase):

    async def chat_in(self, session_id, text):
        """Joins the session's facilitator and writes `text` to the room."""
        tokens = (await self.tokens(session_id))["tokens"]
        token = next(t["token"] for t in tokens if t["role"] == "facilitator")
        client = await self.connect(session_id)
        await client.hello(token)
        await client.join()
        reply, _ = await client.chat(text)
        self.assertEqual(reply.WhichOneof("outcome"), "chat", reply)

    async def test_kept_chat_of_an_old_session_is_purged_from_the_file_and_its_wal(self):
        now = self.now_ms()
        for session_id, end in (("old-group", now - 3 * DAY), ("new-group", now + DAY)):
            await self.create(dict(session_body(session_id, "x", end), keep_chat=True))
        await self.chat_in("old-group", "said " + PURGED)
        await self.chat_in("new-group", "said " + KEPT)
        await self.until(lambda: self.get_json(SESSIONS + "/new-group/chat"),
                         lambda body: len(body["messages"]) == 1)
        await self.until(lambda: self.get_json(SESSIONS + "/old-group/chat"),
                         lambda body: len(body["messages"]) == 1)
        self.assertIn(PURGED.encode(), self.on_disk())

        report = await self.purge()
        self.assertEqual((report["sessions"], report["chat_messages"]), (1, 1), report)
        self.assertEqual(self.last_audit()[-1], detail(1, 3, chat_messages=1))
        self.assert_error(await self.call("GET", SESSIONS + "/old-group/chat"), 404, "not_found")
        kept = (await self.get_json(SESSIONS + "/new-group/chat"))["messages"]
        self.assertEqual([m["text"] for m in kept], ["said " + KEPT])
        self.assertNotIn(PURGED.encode(), self.on_disk())
        self.assertIn(KEPT.encode(), self.file_bytes())
        self.assertNotIn(PURGED, self.everything_audited())
        self.assertNotIn(PURGED, self.server.log_text(tail=10 ** 7))


class AutomaticPurge(RetentionCase):

    async def test_the_server_purges_at_start_up_and_audits_it_as_the_system(self):
        now = self.now_ms()
        await self.plan("old-group", PURGED, now - 3 * DAY)
        await self.plan("new-group", KEPT, now + DAY)
        self.assertEqual(await self.server.astop(), 0)
        self.server.start()
        self.port = self.server.port
        # Done before the server listened.
        self.assertEqual(self.db_rows("SELECT id FROM sessions"), [("new-group",)])
        rows = self.db_rows("SELECT actor, actor_role, action, target, session, outcome, detail "
                            "FROM audit WHERE action = 'retention_purge'")
        self.assertEqual(rows, [("", "system", "retention_purge", "retention", "", "ok",
                                 detail(sessions=1, roster_entries=3, consents=1))])
        self.assertNotIn(PURGED.encode(), self.on_disk())
        self.assertIn(KEPT.encode(), self.file_bytes())
        # A start-up with nothing to purge leaves no record.
        self.assertEqual(await self.server.astop(), 0)
        self.server.start()
        self.port = self.server.port
        self.assertEqual(self.count("retention_purge"), 1)
        self.assertIn('"event":"retention_purge"', self.server.log_text(tail=10 ** 7))


class PurgeCommand(RetentionCase):

    def run_purge(self, *args):
        return subprocess.run([HEARTH_BIN, "purge"] + list(args), capture_output=True,
                              timeout=30, stdin=subprocess.DEVNULL)

    async def test_hearthd_purge_on_a_stopped_servers_data_dir(self):
        now = self.now_ms()
        await self.plan("old-group", PURGED, now - 3 * DAY)
        await self.plan("new-group", KEPT, now + DAY)
        self.add_ban("old-group", "old-group-pat", "Banned " + PURGED, now - 3 * DAY)
        self.assertEqual(await self.server.astop(), 0)

        before = self.now_ms()
        done = self.run_purge("--data-dir", self.server.data_dir, "--content-retention-days", "1")
        after = self.now_ms()
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.decode().splitlines()
        self.assertEqual(len(lines), 1, done.stdout)
        report = json.loads(lines[0])
        self.assertEqual(list(report), REPORT_FIELDS)
        self.assertTrue(before - DAY <= report["content_before_ms"] <= after - DAY, report)
        self.assertEqual(report["audit_before_ms"],
                         report["content_before_ms"] - (AUDIT_DAYS - 1) * DAY)
        self.assertEqual([report[k] for k in REPORT_FIELDS[2:]], [1, 3, 1, 1, 0, 0, 0, 0])
        self.assertEqual(self.last_audit(), ("operator", "operator", "retention_purge",
                                             "retention", "", "ok", detail(1, 3, 1, 1)))
        self.assertEqual(self.db_rows("SELECT id FROM sessions"), [("new-group",)])
        self.assertNotIn(PURGED.encode(), self.on_disk())
        self.assertIn(KEPT.encode(), self.file_bytes())
        self.assertNotIn(PURGED, self.everything_audited())

        # Audit records kept forever: null in the report; nothing more to purge.
        done = self.run_purge("--data-dir", self.server.data_dir, "--content-retention-days", "1",
                              "--audit-retention-days", "0")
        self.assertEqual(done.returncode, 0, done.stderr)
        report = json.loads(done.stdout)
        self.assertIsNone(report["audit_before_ms"])
        self.assertEqual([report[k] for k in REPORT_FIELDS[2:]], [0] * 8)

        # The chain still verifies.
        verified = subprocess.run([HEARTH_BIN, "verify-audit", "--data-dir", self.server.data_dir],
                                  capture_output=True, timeout=30)
        self.assertEqual(verified.returncode, 0, verified.stdout)

    async def test_hearthd_purge_refuses_a_directory_without_a_database_and_bad_settings(self):
        empty = tempfile.mkdtemp(prefix="hearth-purge-")
        self.addCleanup(shutil.rmtree, empty, True)
        done = self.run_purge("--data-dir", empty)
        self.assertEqual(done.returncode, 2)
        self.assertIn(b"no database", done.stderr)
        self.assertEqual(os.listdir(empty), [], "nothing was created")
        done = self.run_purge("--data-dir", self.server.data_dir, "--content-retention-days",
                              "30", "--audit-retention-days", "29")
        self.assertEqual(done.returncode, 2)
        self.assertIn(b"shorter than --content-retention-days", done.stderr)
        self.assertEqual(self.count("retention_purge"), 0)
        help_text = self.run_purge("--help")
        self.assertEqual(help_text.returncode, 0)
        self.assertIn(b"usage: hearthd purge", help_text.stdout)


class Settings(unittest.TestCase):
    """Retention settings that make no sense stop start-up, with the reason."""

    def refused(self, *args):
        server = HearthServer(*args)
        self.addCleanup(server.cleanup)
        with self.assertRaises(RuntimeError) as failure:
            server.start()
        self.assertEqual(server.proc.wait(10), 2)
        return str(failure.exception)

    def test_an_audit_retention_shorter_than_the_content_retention_stops_start_up(self):
        message = self.refused("--content-retention-days", "90", "--audit-retention-days", "30")
        self.assertIn("--audit-retention-days (30) is shorter than --content-retention-days (90)",
                      message)
        # The default content retention is 90 days.
        self.assertIn("shorter", self.refused("--audit-retention-days", "89"))

    def test_retention_days_are_whole_positive_numbers(self):
        for args in (("--content-retention-days", "0"), ("--content-retention-days", "-1"),
                     ("--content-retention-days", "1.5"), ("--content-retention-days", "x"),
                     ("--audit-retention-days", "-5"), ("--content-retention-days", "36501")):
            with self.subTest(args=args):
                self.assertIn("retention-days", self.refused(*args))

    def test_audit_records_can_be_kept_forever(self):
        server = HearthServer("--audit-retention-days", "0", "--content-retention-days", "36500")
        self.addCleanup(server.cleanup)
        server.start()
        self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
