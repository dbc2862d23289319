"""The room chat a joining member is shown, bounded by count and by bytes."""

import unittest

from hearth_testcase import HearthTestCase


class RecentChatBounds(HearthTestCase):
    SERVER_ARGS = ("--recent-chat", "3", "--recent-chat-bytes", "1000")

    async def recent(self, name):
        late = await self.joined(name)
        return [c.text for c in late.join_result.snapshot.recent_chat]

    async def test_a_newcomer_sees_the_latest_chats_within_both_bounds(self):
        speaker = await self.joined("speaker")
        for i in range(5):
            await self.assert_chat_works(speaker, "short %d" % i)
        self.assertEqual(await self.recent("late1"), ["short 2", "short 3", "short 4"])

        # A long chat pushes out what no longer fits beside it, by bytes.
        long_text = "l" * 900
        await self.assert_chat_works(speaker, long_text)
        self.assertEqual(await self.recent("late2"), ["short 3", "short 4", long_text])
        await self.assert_chat_works(speaker, "m" * 200)
        self.assertEqual(await self.recent("late3"), ["m" * 200])

        # A chat larger than the whole budget is sent but not kept, and the
        # snapshot shows nothing from before it rather than skip it.
        await self.assert_chat_works(speaker, "x" * 1001)
        self.assertEqual(await self.recent("late4"), [])
        await self.assert_chat_works(speaker, "after")
        self.assertEqual(await self.recent("late5"), ["after"])


if __name__ == "__main__":
    unittest.main()
