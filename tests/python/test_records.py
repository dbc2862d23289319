"""Durable records in the real SQLite file: attendance segments (reconnects
merged, closed at the drop when the grace ran out, closed at the last alive
mark after a SIGKILL), the audit trail (failed authentication, minted tokens)
and its verification, which finds an altered record."""

import asyncio
import os
import signal
import sqlite3
import subprocess
import time
import unittest

from hearth_testcase import HearthTestCase, errors


def query(server, sql, *params):
    """Rows from the server's database, read through a separate connection."""
    path = os.path.join(server.data_dir, "hearth.db")
    with sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5) as db:
        return db.execute(sql, params).fetchall()


async def eventually(fetch, predicate, timeout=5.0):
    """Polls `fetch()` until `predicate` holds (the writer commits in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = fetch()
        if predicate(rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError("condition not met; last rows: %r" % (rows,))
        await asyncio.sleep(0.05)


def segments(server, subject):
    return query(server, "SELECT joined_at_ms, left_at_ms, closed_by, role FROM attendance "
                         "WHERE subject = ? ORDER BY id", subject)


class Attendance(HearthTestCase):
    SERVER_ARGS = ("--reconnect-grace-ms", "400", "--alive-interval-ms", "100")

    async def test_join_and_leave_make_one_closed_segment(self):
        before = int(time.time() * 1000)
        p = await self.joined("pat")
        await p.send_leave()
        rows = await eventually(lambda: segments(self.server, "pat"),
                                lambda r: len(r) == 1 and r[0][1] is not None)
        joined, left, closed_by, role = rows[0]
        self.assertGreaterEqual(joined, before - 1000)
        self.assertGreaterEqual(left, joined)
        self.assertEqual(closed_by, "left")
        self.assertEqual(role, "participant")

    async def test_a_reconnect_within_grace_is_one_segment(self):
        p = await self.joined("pat")
        await eventually(lambda: segments(self.server, "pat"), lambda r: len(r) == 1)
        p.drop()
        back = await self.rejoin(p)
        self.assertEqual(back.join_result.member_id, p.member_id)
        await asyncio.sleep(0.6)  # longer than the grace period
        rows = segments(self.server, "pat")
        self.assertEqual(len(rows), 1)
        self.assertIsNone(rows[0][1], "still present: the segment is open")

    async def test_an_expired_grace_closes_the_segment_at_the_drop(self):
        watcher = await self.joined("watcher", "facilitator")
        p = await self.joined("pat")
        await eventually(lambda: segments(self.server, "pat"), lambda r: len(r) == 1)
        dropped_at = int(time.time() * 1000)
        p.drop()
        while True:
            left = await watcher.recv_event()
            if left.WhichOneof("body") == "member_left":
                break
        rows = await eventually(lambda: segments(self.server, "pat"),
                                lambda r: r[0][1] is not None)
        joined, left_at, closed_by, _ = rows[0]
        self.assertEqual(closed_by, "left")
        # Closed when the connection dropped, not when the grace ran out.
        self.assertLess(left_at, left.server_time_ms - 200)
        self.assertLess(abs(left_at - dropped_at), 1000)

    async def test_after_sigkill_open_segments_close_at_the_last_alive_mark(self):
        await self.joined("pat")
        await eventually(lambda: segments(self.server, "pat"), lambda r: len(r) == 1)
        await asyncio.sleep(0.3)  # a few alive marks
        killed_at = int(time.time() * 1000)
        self.server.send_signal(signal.SIGKILL)
        self.server.proc.wait()
        await asyncio.sleep(0.3)
        self.server.start()
        self.port = self.server.port
        rows = await eventually(lambda: segments(self.server, "pat"),
                                lambda r: r[0][1] is not None)
        joined, left_at, closed_by, _ = rows[0]
        self.assertEqual(closed_by, "restart")
        self.assertGreaterEqual(left_at, joined)
        self.assertLessEqual(left_at, killed_at + 50)
        self.assertGreater(left_at, killed_at - 1000)  # within a few alive intervals
        self.assertEqual(query(self.server, "PRAGMA integrity_check"), [("ok",)])


class Audit(HearthTestCase):
    def verify(self):
        return subprocess.run([self.server.binary, "verify-audit", "--data-dir",
                               self.server.data_dir], capture_output=True, text=True, timeout=30)

    def audit_rows(self):
        return query(self.server, "SELECT seq, actor, actor_role, action, target, session, "
                                  "outcome, detail FROM audit ORDER BY seq")

    async def test_minted_tokens_and_failed_authentication_are_audited(self):
        await self.joined("pat")  # mints a token
        bad = await self.connect("bad")
        reply, _ = await bad.wait_reply(await bad.send_hello("not.a.token"))
        self.assertEqual(reply.error.code, errors.ERROR_CODE_UNAUTHENTICATED)
        rows = await eventually(self.audit_rows,
                                lambda r: any(row[3] == "auth_failed" for row in r))
        minted = [r for r in rows if r[3] == "token_minted"]
        self.assertEqual(len(minted), 1)
        self.assertEqual(minted[0][1:3], ("operator", "operator"))
        self.assertEqual(minted[0][4:7], ("pat", self.ROOM, "ok"))
        self.assertTrue(minted[0][7].startswith("participant jti="))
        failed = [r for r in rows if r[3] == "auth_failed"][0]
        self.assertEqual(failed[1:3], ("", "unauthenticated"))
        self.assertEqual(failed[6], "denied")
        # Nothing from the token or the person: no names, no token text.
        for row in rows:
            self.assertNotIn("Pat", " ".join(str(v) for v in row))
            self.assertNotIn("not.a.token", " ".join(str(v) for v in row))

    async def test_verification_finds_the_altered_record(self):
        for i in range(4):
            self.server.mint(self.ROOM, "participant", "p%d" % i, "P")
        result = self.verify()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("intact: 4 records", result.stdout)
        path = os.path.join(self.server.data_dir, "hearth.db")
        with sqlite3.connect(path) as db:
            db.execute("UPDATE audit SET target = 'someone-else' WHERE seq = 2")
        result = self.verify()
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("broken at record 2", result.stdout)


if __name__ == "__main__":
    unittest.main()
