"""The admin API's bearer key: refusals and their audit records, the API
switched off without a key file, and key files the server refuses."""

import unittest

from admin_testcase import *  # noqa: F401,F403 - the shared fixture and helpers


# --------------------------------------------------------------------------- authentication

class Authentication(AdminCase):

    async def test_a_call_without_a_key_is_refused_and_audited_as_no_key(self):
        reply = await self.call("GET", "/admin/v1/audit", authorization="")
        self.assert_error(reply, 401, "unauthorized")
        self.assertEqual(self.last_audit(),
                         ("", "unauthenticated", "admin_auth_failed", "", "", "denied", "no_key"))

    async def test_a_wrong_key_is_refused_and_audited_as_wrong_key(self):
        wrong = [
            "Bearer " + secrets.token_urlsafe(32),      # same length, other key
            "Bearer " + self.admin_key[:-1],             # one character short
            "Bearer " + self.admin_key + "x",            # one character more
            "Basic " + self.admin_key,                   # another scheme
            self.admin_key,                              # no scheme
            "Bearer",
        ]
        for header in wrong:
            with self.subTest(header=header[:12]):
                before = self.count("admin_auth_failed")
                reply = await self.call("GET", "/admin/v1/audit/verify", authorization=header)
                self.assert_error(reply, 401, "unauthorized")
                self.assertEqual(self.count("admin_auth_failed"), before + 1)
                self.assertEqual(self.last_audit(), ("", "unauthenticated", "admin_auth_failed",
                                                     "", "", "denied", "wrong_key"))
        # The key itself never reaches the audit trail.
        for row in self.db_rows("SELECT * FROM audit"):
            self.assertNotIn(self.admin_key[:16], " ".join(str(v) for v in row))

    async def test_authentication_comes_before_routing_and_a_refused_call_changes_nothing(self):
        reply = await self.call("POST", "/admin/v1/tokens",
                                {"room": self.ROOM, "role": "facilitator", "subject": "x",
                                 "name": "X"}, authorization="Bearer nope")
        self.assert_error(reply, 401, "unauthorized")
        reply = await self.call("GET", "/admin/v1/no-such-endpoint", authorization="")
        self.assert_error(reply, 401, "unauthorized")
        self.assertEqual(self.count("token_minted"), 0)
        self.assertEqual(self.count("admin_auth_failed"), 2)
        self.assertEqual(await self.get_json("/admin/v1/audit/verify"),
                         {"ok": True, "records": 2})

    async def test_the_right_key_is_accepted(self):
        self.assertEqual(await self.get_json("/admin/v1/audit/verify"), {"ok": True, "records": 0})


class Disabled(AdminCase):
    ADMIN_KEY = False

    async def test_without_a_key_file_every_admin_path_is_404_and_nothing_is_recorded(self):
        for method, target, body in [("GET", "/admin/v1/audit", None),
                                     ("GET", "/admin/v1/audit/verify", None),
                                     ("GET", "/admin/v1/sessions/%s/attendance" % self.ROOM, None),
                                     ("POST", "/admin/v1/tokens",
                                      {"room": self.ROOM, "role": "participant", "subject": "p",
                                       "name": "P"})]:
            for authorization in ("", "Bearer " + "k" * 40):
                with self.subTest(method=method, target=target, auth=bool(authorization)):
                    reply = await self.call(method, target, body, authorization=authorization)
                    self.assertEqual(reply.status, 404, reply)
        self.assertEqual(self.db_rows("SELECT COUNT(*) FROM audit"), [(0,)])
        # The rest of the listener is unaffected.
        status, _, body = await asyncio.to_thread(http_request, self.port, "GET", "/healthz")
        self.assertEqual((status, body), (200, b"ok\n"))


class KeyFile(unittest.TestCase):
    """A key file that is missing or too short stops start-up."""

    def start_with(self, key_text):
        key_dir = tempfile.mkdtemp(prefix="hearth-admin-key-")
        self.addCleanup(shutil.rmtree, key_dir, True)
        path = os.path.join(key_dir, "admin.key")
        if key_text is not None:
            with open(path, "w") as f:
                f.write(key_text)
        server = HearthServer("--admin-key-file", path)
        self.addCleanup(server.cleanup)
        with self.assertRaises(RuntimeError) as failure:
            server.start()
        self.assertEqual(server.proc.wait(10), 1)
        return str(failure.exception)

    def test_a_key_under_32_characters_stops_start_up(self):
        self.assertIn("at least 32 characters", self.start_with("k" * 31 + "\n"))

    def test_a_missing_key_file_stops_start_up(self):
        self.assertIn("cannot read the admin key file", self.start_with(None))

if __name__ == "__main__":
    unittest.main()
