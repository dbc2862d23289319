"""A full disk: with the data directory on a small tmpfs, acknowledged writes
(tokens minted through the admin API) fail with an explicit error once the
disk is full, nothing is falsely acknowledged, the server stays up, and writes
succeed again once space returns. Needs root to mount the tmpfs: required as
root (as in CI) or with HEARTH_REQUIRE_TMPFS=1, skipped otherwise."""

import http.client
import json
import os
import sqlite3
import subprocess
import tempfile
import unittest

from hearth_client import HearthServer

ADMIN_KEY = "d" * 40


def mint(port, subject):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/admin/v1/tokens",
                 json.dumps({"room": "r1", "role": "participant", "subject": subject,
                             "name": "P"}),
                 {"Authorization": "Bearer " + ADMIN_KEY})
    res = conn.getresponse()
    body = json.loads(res.read())
    conn.close()
    return res.status, body


def healthy(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/healthz")
    ok = conn.getresponse().status == 200
    conn.close()
    return ok


class DiskFull(unittest.TestCase):
    def setUp(self):
        self.mount_point = tempfile.mkdtemp(prefix="hearth-full-")
        self.addCleanup(os.rmdir, self.mount_point)
        # As root the mount must work; elsewhere the test is skipped, saying why.
        required = os.geteuid() == 0 or os.environ.get("HEARTH_REQUIRE_TMPFS") == "1"
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=768k", "tmpfs",
                                 self.mount_point], capture_output=True, text=True)
        if result.returncode != 0:
            if required:
                self.fail("cannot mount a tmpfs: " + result.stderr)
            self.skipTest("mounting a tmpfs needs root: " + result.stderr.strip())
        self.addCleanup(subprocess.run, ["umount", "-l", self.mount_point])

    def test_writes_fail_cleanly_when_full_and_resume_when_space_returns(self):
        key_file = os.path.join(self.mount_point, "admin.key")
        with open(key_file, "w") as f:
            f.write(ADMIN_KEY + "\n")
        server = HearthServer("--admin-key-file", key_file)
        self.addCleanup(server.cleanup)
        server.start()
        # The server's data directory goes on the tmpfs: restart it there.
        server.send_signal()
        server.proc.wait()
        data_dir = os.path.join(self.mount_point, "data")
        server.extra_args += ["--data-dir", data_dir]
        server.start()

        acked = []
        refused = None
        for n in range(100000):
            status, body = mint(server.port, "s%d" % n)
            if status == 201:
                acked.append(body["token_id"])
                continue
            refused = (status, body)
            break
        self.assertIsNotNone(refused, "the disk never filled up")
        print("disk full after %d acknowledged writes" % len(acked))
        self.assertEqual(refused[0], 507, refused)
        self.assertEqual(refused[1]["error"]["code"], "store_unavailable")
        self.assertNotIn("token", refused[1], "no token without its audit record")
        self.assertTrue(healthy(server.port), "the server must stay up")
        # Still full: still refused, still up.
        self.assertEqual(mint(server.port, "again")[0], 507)
        self.assertTrue(server.running)

        subprocess.run(["mount", "-o", "remount,size=16m", self.mount_point], check=True)
        status, body = mint(server.port, "after")
        self.assertEqual(status, 201, body)
        acked.append(body["token_id"])

        self.assertEqual(server.stop(), 0, server.log_text())
        with sqlite3.connect(os.path.join(data_dir, "hearth.db")) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            stored = [r[0].split("jti=")[1] for r in db.execute(
                "SELECT detail FROM audit WHERE action = 'token_minted'")]
        self.assertEqual(sorted(stored), sorted(acked),
                         "exactly the acknowledged tokens are recorded")
        verify = subprocess.run([server.binary, "verify-audit", "--data-dir", data_dir],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)


if __name__ == "__main__":
    unittest.main()
