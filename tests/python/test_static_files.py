"""hearthd serves the browser client's built files from --web-root: the right
types, nothing outside the root, GET only, and never a join token in its log."""

import asyncio
import os
import tempfile

from hearth_client import HearthServer
from hearth_testcase import HearthTestCase

WEB_ROOT = tempfile.mkdtemp(prefix="hearth-web-")
OUTSIDE = tempfile.mkdtemp(prefix="hearth-outside-")


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


_write(os.path.join(WEB_ROOT, "index.html"), b"<!doctype html><title>Hearth</title>")
_write(os.path.join(WEB_ROOT, "app.js"), b"console.log(1);")
_write(os.path.join(WEB_ROOT, "app.css"), b"body{}")
_write(os.path.join(WEB_ROOT, "fonts", "a.woff2"), b"wOF2")
_write(os.path.join(WEB_ROOT, ".hidden.js"), b"secret")
_write(os.path.join(WEB_ROOT, "notes.bin"), b"binary")
_write(os.path.join(OUTSIDE, "secret.txt"), b"outside the root")
os.symlink(os.path.join(OUTSIDE, "secret.txt"), os.path.join(WEB_ROOT, "link.txt"))


async def http_get(port, target, method="GET"):
    """One raw HTTP/1.1 request (the target exactly as given); returns
    (status, headers lower-cased, body bytes)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n"
                      % (method, target, port)).encode("latin-1"))
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(lines[0].split(" ")[1]), headers, body


class StaticFiles(HearthTestCase):
    SERVER_ARGS = ("--web-root", WEB_ROOT)

    async def test_index_and_types(self):
        cases = [("/", "text/html; charset=utf-8", b"<!doctype html>"),
                 ("/index.html", "text/html; charset=utf-8", b"<!doctype html>"),
                 ("/app.js", "text/javascript; charset=utf-8", b"console.log"),
                 ("/app.css?v=2", "text/css; charset=utf-8", b"body{}"),
                 ("/fonts/a.woff2", "font/woff2", b"wOF2")]
        for target, ctype, start in cases:
            with self.subTest(target=target):
                status, headers, body = await http_get(self.port, target)
                self.assertEqual(status, 200)
                self.assertEqual(headers["content-type"], ctype)
                self.assertEqual(headers["x-content-type-options"], "nosniff")
                self.assertIn("default-src 'self'", headers["content-security-policy"])
                self.assertTrue(body.startswith(start), body)

    async def test_traversal_and_oddities_are_404(self):
        for target in ("/../secret.txt", "/fonts/../app.js", "/%2e%2e/secret.txt",
                       "/..%2fsecret.txt", "//etc/passwd", "/link.txt", "/.hidden.js",
                       "/notes.bin", "/fonts", "/fonts/", "/missing.js", "/app.js/",
                       "/" + OUTSIDE + "/secret.txt"):
            with self.subTest(target=target):
                status, _, body = await http_get(self.port, target)
                self.assertEqual(status, 404)
                self.assertNotIn(b"outside the root", body)

    async def test_get_only(self):
        status, _, _ = await http_get(self.port, "/app.js", method="POST")
        self.assertEqual(status, 405)
        status, _, _ = await http_get(self.port, "/app.js", method="HEAD")
        self.assertEqual(status, 404)

    async def test_other_endpoints_still_answer(self):
        status, _, body = await http_get(self.port, "/healthz")
        self.assertEqual((status, body), (200, b"ok\n"))
        status, _, _ = await http_get(self.port, "/v1/ws")
        self.assertEqual(status, 426)

    async def test_a_token_in_the_target_is_never_logged(self):
        # Browsers keep the fragment to themselves; a link pasted wrongly
        # could still send the token as a query or path: never log it.
        for target in ("/?token=SECRETTOKEN1", "/SECRETTOKEN2.js"):
            await http_get(self.port, target)
        await self.server.astop()
        self.assertNotIn("SECRETTOKEN", self.server.log_text(tail=10 ** 7))
        self.server.start()


class NoWebRoot(HearthTestCase):
    SERVER_ARGS = ("--web-root", os.path.join(OUTSIDE, "does-not-exist"))

    async def test_missing_root_is_404(self):
        status, _, _ = await http_get(self.port, "/")
        self.assertEqual(status, 404)
