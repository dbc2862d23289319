"""Durability under SIGKILL: a client keeps making acknowledged writes (tokens
minted through the admin API: 201 only after the audit record committed)
while hearthd is killed with SIGKILL at random moments, 20 times. After each
restart every acknowledged write is present exactly once, the audit chain
verifies, and SQLite's integrity check is ok. The seed is printed;
HEARTH_TEST_SEED=N replays a run."""

import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

from hearth_client import HearthServer

KILLS = 20
ADMIN_KEY = "k" * 40


class Minter(threading.Thread):
    """Mints tokens in a loop until the server goes away; keeps every
    token id the server acknowledged with 201."""

    def __init__(self, port, prefix):
        super().__init__(daemon=True)
        self.port = port
        self.prefix = prefix
        self.acked = []

    def run(self):
        n = 0
        while True:
            n += 1
            body = json.dumps({"room": "r1", "role": "participant",
                               "subject": "%s-%d" % (self.prefix, n), "name": "P"})
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("POST", "/admin/v1/tokens", body,
                             {"Authorization": "Bearer " + ADMIN_KEY,
                              "Content-Type": "application/json"})
                res = conn.getresponse()
                data = res.read()
                conn.close()
            except OSError:
                return  # killed: whatever was not answered was not acknowledged
            if res.status != 201:
                return
            self.acked.append(json.loads(data)["token_id"])


class KilledServer(unittest.TestCase):
    def test_acknowledged_writes_survive_sigkill(self):
        seed = int(os.environ.get("HEARTH_TEST_SEED", random.randrange(1 << 30)))
        print("test_durability seed %d (HEARTH_TEST_SEED=%d replays it)" % (seed, seed))
        rng = random.Random(seed)
        key_dir = tempfile.mkdtemp(prefix="hearth-key-")
        self.addCleanup(shutil.rmtree, key_dir, True)
        key_file = os.path.join(key_dir, "admin.key")
        with open(key_file, "w") as f:
            f.write(ADMIN_KEY + "\n")
        server = HearthServer("--admin-key-file", key_file)
        self.addCleanup(server.cleanup)
        acked = []
        for round_ in range(KILLS):
            server.start()
            minter = Minter(server.port, "r%d" % round_)
            minter.start()
            time.sleep(rng.uniform(0.02, 0.3))
            server.send_signal(signal.SIGKILL)
            server.proc.wait()
            minter.join(10)
            self.assertFalse(minter.is_alive())
            acked += minter.acked
            self.check(server, acked, round_)
        self.assertGreater(len(acked), KILLS, "the minter hardly ran; the test proves little")
        print("test_durability: %d acknowledged writes across %d kills" % (len(acked), KILLS))

    def check(self, server, acked, round_):
        path = os.path.join(server.data_dir, "hearth.db")
        with sqlite3.connect(path) as db:  # opening recovers the WAL as a restart would
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            rows = db.execute("SELECT detail FROM audit WHERE action = 'token_minted'").fetchall()
        stored = [r[0].split("jti=")[1] for r in rows]
        counts = {}
        for jti in stored:
            counts[jti] = counts.get(jti, 0) + 1
        for jti in acked:
            self.assertEqual(counts.get(jti), 1,
                             "round %d: acknowledged token %s stored %s times"
                             % (round_, jti, counts.get(jti, 0)))
        verify = subprocess.run([server.binary, "verify-audit", "--data-dir", server.data_dir],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)


if __name__ == "__main__":
    unittest.main()
