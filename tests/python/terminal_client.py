"""Driving hearth-cli from a test through its stdin and stdout, as an operator
or a script would: TerminalClientMixin adds start_cli(), read_until() and
type() to a HearthTestCase; CLI_AVAILABLE says whether the binary exists."""

import asyncio
import os

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("HEARTH_CLI") or os.path.join(_REPO, "build", "debug", "clients", "cli",
                                                   "hearth-cli")
CLI_AVAILABLE = os.access(CLI, os.X_OK)


class TerminalClientMixin:
    async def start_cli(self, subject, role):
        """hearth-cli connected with a fresh token for `subject` in the test's room."""
        token = self.server.mint(self.ROOM, role, subject, subject.title())
        proc = await asyncio.create_subprocess_exec(
            CLI, "--url", "ws://127.0.0.1:%d/v1/ws" % self.port,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=dict(os.environ, HEARTH_TOKEN=token))
        self.addCleanup(lambda: proc.returncode is None and proc.kill())
        return proc

    async def read_until(self, proc, needle, timeout=5):
        """Lines from the client's stdout up to one containing `needle`."""
        lines = []
        while True:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout)
            if not line:
                self.fail("hearth-cli ended before %r; it printed:\n%s" % (needle, "".join(lines)))
            lines.append(line.decode())
            if needle in lines[-1]:
                return lines

    async def type(self, proc, line):
        proc.stdin.write(line.encode() + b"\n")
        await proc.stdin.drain()
