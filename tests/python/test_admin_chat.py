"""Kept chat over real sockets: a session planned with keep_chat stores its
room chat, and GET /admin/v1/sessions/{id}/chat exports exactly that (JSON or
CSV): never a private message, a message to the facilitators or a distress
signal, and not a message a facilitator deleted, whose text is gone from the
database file and its WAL too. A session without keep_chat exports nothing.
Every export is audited without content; no chat text reaches the log."""

import csv
import io
import unittest

from hearth_testcase import pb, room
from hearth.v1 import moderation_pb2 as mod  # noqa: E402  (on the path via hearth_client)
from hearth.v1 import safety_pb2 as safety  # noqa: E402
from session_testcase import *  # noqa: F401,F403 - the shared fixture and helpers

CHAT_FIELDS = ["sent_at_ms", "epoch", "breakout", "seq", "author", "role", "text"]
# Distinctive, so that a match in the file's bytes or the log is no accident.
DELETED = "Hv41-Deleted-Canary-2290"
PRIVATE = "Kd08-Private-Canary-7713"
STAFF = "Tq55-Staff-Canary-3108"
KEPT = 'Mz62-Kept, "quoted"\nline'


class KeptChatCase(SessionCase):
    async def roster_client(self, tokens, subject):
        client = await self.connect(subject)
        await client.hello(tokens[subject]["token"])
        await client.join()
        self.assertGreater(client.member_id, 0)
        return client

    async def planned(self, keep_chat):
        """A session everyone on the roster enters; returns its clients by subject."""
        await self.create(valid_body(keep_chat=keep_chat, admit_before_facilitator=True))
        tokens = {t["subject"]: t for t in (await self.tokens("iop-tue-am"))["tokens"]}
        return {s: await self.roster_client(tokens, s)
                for s in ("staff-17", "client-1042", "client-2210")}

    async def say(self, client, text, scope=room.CHAT_SCOPE_ROOM, to=0):
        rid = await client.command(send_chat=pb.SendChat(text=text, scope=scope, to_member_id=to))
        reply, _ = await client.wait_reply(rid)
        self.assertEqual(reply.WhichOneof("outcome"), "chat", reply)
        return reply.chat.seq

    async def export(self, session="iop-tue-am", count=None):
        """The JSON export; with `count`, once it holds that many messages (the
        server stores chat in the background)."""
        async def fetch():
            return await self.get_json(SESSIONS + "/" + session + "/chat")
        if count is None:
            return await fetch()
        return await self.until(fetch, lambda body: len(body["messages"]) == count)

    def on_disk(self):
        out = b""
        for suffix in ("", "-wal"):
            try:
                with open(self.db_path + suffix, "rb") as f:
                    out += f.read()
            except FileNotFoundError:
                pass
        return out


class KeptChat(KeptChatCase):
    async def test_the_export_holds_room_chat_only_and_not_what_was_deleted(self):
        people = await self.planned(keep_chat=True)
        staff, jordan, sam = people["staff-17"], people["client-1042"], people["client-2210"]
        await self.say(staff, "Welcome, everyone")
        await self.say(jordan, "first line")
        regretted = await self.say(jordan, DELETED)
        await self.say(sam, PRIVATE, room.CHAT_SCOPE_PRIVATE, staff.member_id)
        await self.say(staff, PRIVATE, room.CHAT_SCOPE_PRIVATE, jordan.member_id)
        await self.say(jordan, STAFF, room.CHAT_SCOPE_FACILITATORS)
        rid = await sam.command(signal_distress=safety.SignalDistress())
        self.assertEqual((await sam.wait_reply(rid))[0].WhichOneof("outcome"), "distress")
        await self.export(count=3)  # the regretted line was kept...
        self.assertIn(DELETED.encode(), self.on_disk())
        rid = await staff.command(moderation=mod.Moderation(
            delete_chat=mod.DeleteChat(seq=regretted)))
        self.assertEqual((await staff.wait_reply(rid))[0].WhichOneof("outcome"), "moderation")
        last = await self.say(sam, KEPT)

        # ...and is gone once deleted, from the export and from the file and its WAL.
        body = await self.until(
            self.export, lambda b: [m["text"] for m in b["messages"]] == [
                "Welcome, everyone", "first line", KEPT])
        self.assertEqual(list(body), ["session", "keep_chat", "messages"])
        self.assertEqual((body["session"], body["keep_chat"]), ("iop-tue-am", True))
        messages = body["messages"]
        for m in messages:
            self.assertEqual(list(m), CHAT_FIELDS)
        self.assertEqual([(m["author"], m["role"]) for m in messages],
                         [("staff-17", "facilitator"), ("client-1042", "participant"),
                          ("client-2210", "participant")])
        self.assertEqual(messages[-1]["seq"], last)
        self.assertEqual(len({m["epoch"] for m in messages}), 1)
        self.assertEqual(messages[0]["epoch"], staff.join_result.epoch)
        times = [m["sent_at_ms"] for m in messages]
        self.assertEqual(times, sorted(times))
        self.assertLess(abs(times[-1] - self.now_ms()), 60_000)
        disk = self.on_disk()
        for canary in (DELETED, PRIVATE, STAFF):
            self.assertNotIn(canary.encode(), disk)
        self.assertIn(b"Mz62-Kept", disk)

        # The same lines as CSV, text quoted as RFC 4180 says.
        reply = await self.call("GET", SESSIONS + "/iop-tue-am/chat?format=csv")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.headers.get("content-type"), "text/csv; charset=utf-8")
        self.assertTrue(reply.text.startswith(",".join(CHAT_FIELDS) + "\r\n"))
        rows = list(csv.reader(io.StringIO(reply.text, newline="")))
        self.assertEqual(rows[0], CHAT_FIELDS)
        self.assertEqual(rows[1:], [[str(m[f]) for f in CHAT_FIELDS] for m in messages])

        # Audited as a view and an export, without a word of the chat; no
        # chat text in the log either.
        rows = self.db_rows("SELECT actor, action, target, session, outcome, detail FROM audit "
                            "WHERE target = 'chat' ORDER BY seq")
        self.assertEqual(rows[-1], ("admin", "export", "chat", "iop-tue-am", "ok", "csv"))
        self.assertIn(("admin", "record_viewed", "chat", "iop-tue-am", "ok", "json"), rows)
        audited = self.everything_audited()
        log = self.server.log_text(tail=10 ** 7)
        for text in ("Welcome", "first line", DELETED, PRIVATE, STAFF, "Mz62"):
            self.assertNotIn(text, audited)
            self.assertNotIn(text, log)

    async def test_a_session_without_keep_chat_exports_nothing(self):
        people = await self.planned(keep_chat=False)
        await self.say(people["client-1042"], "not for keeping")
        await self.say(people["staff-17"], "nor this")
        self.assertEqual(await self.export(), {"session": "iop-tue-am", "keep_chat": False,
                                               "messages": []})
        reply = await self.call("GET", SESSIONS + "/iop-tue-am/chat?format=csv")
        self.assertEqual(reply.text, ",".join(CHAT_FIELDS) + "\r\n")
        self.assertEqual(self.db_rows("SELECT COUNT(*) FROM kept_chat")[0][0], 0)
        self.assertNotIn(b"not for keeping", self.on_disk())


class Refusals(KeptChatCase):
    async def test_unknown_sessions_formats_parameters_methods_and_keys(self):
        await self.create(valid_body(keep_chat=True))
        target = SESSIONS + "/iop-tue-am/chat"
        self.assert_error(await self.call("GET", SESSIONS + "/no-such/chat"), 404, "not_found")
        self.assert_error(await self.call("GET", target + "?format=xml"), 400, "bad_request")
        self.assert_error(await self.call("GET", target + "?since=1"), 400, "bad_request")
        for method in ("POST", "PUT", "DELETE"):
            with self.subTest(method=method):
                self.assert_error(await self.call(method, target), 405, "method_not_allowed")
        self.assert_error(await self.call("GET", target, authorization=""), 401, "unauthorized")
        self.assertEqual(self.count("record_viewed") + self.count("export"), 0)
        self.assertEqual((await self.export())["messages"], [])
        self.assertEqual(self.count("record_viewed"), 1)


if __name__ == "__main__":
    unittest.main()
