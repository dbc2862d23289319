"""Shared fixture for the hearthd integration tests: one fresh server per test."""

import asyncio
import os
import sqlite3
import time
import unittest

from hearth_client import (DEFAULT_TIMEOUT, QUIET_PERIOD, HearthClient, HearthServer, describe, errors, lob,
                           pb, roles, room)

__all__ = ["HearthTestCase", "DEFAULT_TIMEOUT", "HearthClient", "describe", "errors", "pb",
           "position", "roles", "room", "lob"]


def position(client, last_seq, last_direct_seq=0, epoch=None):
    """A ResumePosition in `client`'s room epoch (unless `epoch` is given)."""
    return pb.ResumePosition(epoch=epoch if epoch is not None else client.join_result.epoch,
                             last_seq=last_seq, last_direct_seq=last_direct_seq)


class HearthTestCase(unittest.IsolatedAsyncioTestCase):
    """Starts hearthd with SERVER_ARGS before each test (serving wss:// with a
    fresh certificate when TLS is set); after it, closes the clients, stops the
    server with SIGTERM and requires exit code 0."""

    SERVER_ARGS = ()
    TLS = False
    ROOM = "room-1"

    async def asyncSetUp(self):
        self.server = HearthServer(*self.SERVER_ARGS, tls=self.TLS)
        self.addCleanup(self.server.cleanup)
        self.server.start()
        self.port = self.server.port
        self.clients = []

    async def asyncTearDown(self):
        await asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True)
        if self.server.running:
            code = await self.server.astop()
            self.assertEqual(code, 0, "hearthd exit code after SIGTERM; log:\n"
                             + self.server.log_text())

    # ---- helpers

    def audit_query(self, sql, *params):
        """Rows from the server's audit trail in its real SQLite file, read
        through a connection of the test's own."""
        path = os.path.join(self.server.data_dir, "hearth.db")
        with sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5) as db:
            return db.execute(sql, params).fetchall()

    def everything_audited(self):
        """Every value in the audit table, as one string (to search for content)."""
        return " ".join(str(v) for row in self.audit_query("SELECT * FROM audit") for v in row)

    async def audit_eventually(self, count, timeout=5.0):
        """self.audit_rows() once it has `count` rows (the server's writer
        commits in the background)."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.audit_rows()
            if len(rows) >= count:
                return rows
            if time.monotonic() > deadline:
                self.fail("expected %d audit rows, got %r" % (count, rows))
            await asyncio.sleep(0.05)

    async def connect(self, label="", **kw):
        if self.TLS:
            kw.setdefault("tls", self.server.client_tls())
        client = await HearthClient.connect(self.port, label=label, **kw)
        self.clients.append(client)
        return client

    async def authed(self, subject, role="participant", name=None, room_id=None, label=None,
                     token=None):
        """A connected client that has said Hello with a minted token (or
        `token`, minted earlier by the test)."""
        room_id = room_id or self.ROOM
        # Minted before connecting, as a real client holds its token already:
        # minting runs a hearthd process, which on a loaded machine can take
        # longer than a short Hello deadline, and blocks the event loop (no
        # other client reads or answers Pings meanwhile).
        token = token or self.server.mint(room_id, role, subject, name or subject.title())
        client = await self.connect(label or subject)
        hello = await client.hello(token)
        self.assertEqual(hello.room_id, room_id)
        self.assertEqual(hello.role, roles.Role.Value("ROLE_" + role.upper()))
        client.subject = subject
        client.token = token
        return client

    async def joined(self, subject, role="participant", name=None, room_id=None, resume=None,
                     admit_by=None, token=None):
        """A client that has joined the room (its JoinResult in join_result).
        Someone the lobby holds back (observers always) is admitted by
        `admit_by`, a facilitator's client."""
        client = await self.authed(subject, role, name, room_id, token=token)
        await client.join(room_id or "", resume)
        if client.waiting_id:
            self.assertIsNotNone(admit_by, "%s waits in the lobby: name who admits them" % subject)
            await self.admit(admit_by, client)
        return client

    async def admit(self, facilitator, client):
        """`facilitator` admits waiting `client`, who then is a member."""
        # An observer comes in only with consent: the facilitator attests it.
        observer = client.hello_result.role == roles.ROLE_OBSERVER
        reply, _ = await facilitator.lobby(admit=lob.Admit(waiting_id=client.waiting_id,
                                                           attest_consent=observer))
        self.assertEqual(reply.WhichOneof("outcome"), "lobby", describe(reply))
        self.assertEqual(reply.lobby.admitted, 1)
        return await client.admitted()

    async def rejoin(self, old, resume=None):
        """A new connection with `old`'s token, joined (optionally resuming)."""
        client = await self.connect(old.label)
        await client.hello(old.token)
        await client.join("", resume)
        client.subject = old.subject
        client.token = old.token
        return client

    def assert_event(self, event, body, **fields):
        """Event `event` has body `body` whose fields equal `fields`
        (seq=/direct_seq= check the envelope)."""
        self.assertEqual(event.WhichOneof("body"), body, describe(event))
        inner = getattr(event, body)
        for name, value in fields.items():
            actual = getattr(event if name in ("seq", "direct_seq") else inner, name)
            self.assertEqual(actual, value, "%s in %s" % (name, describe(event)))
        return inner

    async def expect_event(self, client, body, **fields):
        event = await client.recv_event()
        self.assert_event(event, body, **fields)
        return event

    def assert_error(self, reply, code, request_id=None):
        self.assertEqual(reply.WhichOneof("outcome"), "error", describe(reply))
        self.assertEqual(errors.ErrorCode.Name(reply.error.code), errors.ErrorCode.Name(code),
                         describe(reply))
        if request_id is not None:
            self.assertEqual(reply.request_id, request_id)

    async def expect_error(self, client, request_id, code):
        reply = await client.expect_reply(request_id, "error")
        self.assert_error(reply, code)
        return reply.error

    async def expect_closed(self, client, code, disconnect=True, timeout=DEFAULT_TIMEOUT):
        """Reads to the close: a Disconnect with `code` must be the last message
        (when `disconnect`), and the close frame must carry `code`. Returns the
        messages before the Disconnect."""
        messages, close_code = await client.recv_until_closed(timeout)
        if disconnect:
            self.assertTrue(messages and messages[-1].HasField("disconnect"),
                            "expected a Disconnect before the close, got %s"
                            % [describe(m) for m in messages])
            self.assertEqual(messages[-1].disconnect.code, code, describe(messages[-1]))
            self.assertEqual(messages[-1].disconnect.reconnect, code < 4500,
                             describe(messages[-1]))
            messages = messages[:-1]
        else:
            self.assertFalse(any(m.HasField("disconnect") for m in messages),
                             [describe(m) for m in messages])
        self.assertEqual(close_code, code, "close frame code")
        return messages

    async def drain(self, *clients):
        """Reads every client until it has been quiet; returns the events read."""
        events = []
        for client in clients:
            while True:
                try:
                    message = await client.recv(QUIET_PERIOD)
                except asyncio.TimeoutError:
                    break
                if message.HasField("event"):
                    events.append(message.event)
        return events

    async def assert_chat_works(self, client, text="still here"):
        """The server still serves `client`: a room chat comes back as an event
        and then its reply, with the same seq. Returns the seq."""
        rid = await client.send_chat(text)
        reply, before = await client.wait_reply(rid)
        self.assertEqual(reply.WhichOneof("outcome"), "chat", describe(reply))
        chats = [m.event for m in before if m.HasField("event") and m.event.HasField("chat")
                 and m.event.chat.text == text]
        self.assertEqual(len(chats), 1, [describe(m) for m in before])
        self.assertEqual(chats[0].seq, reply.chat.seq)
        return reply.chat.seq
