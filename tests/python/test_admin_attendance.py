"""Attendance from the admin API: sessions from real WebSocket clients (JSON
and CSV), weekly hours from rows written into the database (week edges,
midnight, overlaps, program minimums, a zone with DST)."""

import unittest

from admin_testcase import *  # noqa: F401,F403 - the shared fixture and helpers
from hearth_client import floor


# --------------------------------------------------------------------------- attendance

class Attendance(AdminCase):

    async def attendance(self, room_id=None):
        return await self.get_json("/admin/v1/sessions/%s/attendance" % (room_id or self.ROOM))

    async def join_with_minted(self, subject, role):
        minted = await self.mint(role=role, subject=subject, name=subject.title())
        client = await self.connect(subject)
        await client.hello(minted["token"])
        await client.join()
        client.token = minted["token"]
        return client

    def person(self, report, subject):
        return next(p for p in report["people"] if p["subject"] == subject)

    async def test_joins_and_leaves_of_real_clients(self):
        started = int(time.time() * 1000)
        order = [("fac-1", "facilitator"), ("pat-1", "participant"), ("pat-2", "participant"),
                 ("fam-1", "family_member")]
        clients = {}
        for subject, role in order:
            clients[subject] = await self.join_with_minted(subject, role)
        report = await self.until(self.attendance, lambda r: len(r["people"]) == 4)
        self.assertEqual(set(report), {"session", "as_of_ms", "participants", "family_members",
                                       "people"})
        self.assertEqual(report["session"], self.ROOM)
        self.assertLess(abs(report["as_of_ms"] - time.time() * 1000), 5000)
        self.assertEqual((report["participants"], report["family_members"]), (2, 1))
        self.assertEqual([(p["subject"], p["role"]) for p in report["people"]], order,
                         "people in order of arrival")
        for p in report["people"]:
            self.assertEqual(set(p), PERSON_FIELDS)
            self.assertTrue(p["present_now"], p)
            self.assertEqual(p["segments"], 1)
            self.assertGreaterEqual(p["first_joined_ms"], started - 1000)
            self.assertEqual(p["last_left_ms"], report["as_of_ms"], "still present: up to now")
            self.assertEqual(p["present_ms"], p["last_left_ms"] - p["first_joined_ms"])
            self.assertEqual(p["present_minutes"], p["present_ms"] // MINUTE)
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "attendance",
                                             self.ROOM, "ok", "json"))

        # pat-1 leaves: no longer present, a closed segment of positive length.
        await asyncio.sleep(0.05)
        await clients["pat-1"].send_leave()
        report = await self.until(self.attendance,
                                  lambda r: not self.person(r, "pat-1")["present_now"])
        pat = self.person(report, "pat-1")
        self.assertEqual(pat["segments"], 1)
        self.assertGreater(pat["present_ms"], 0)
        self.assertLess(pat["last_left_ms"], report["as_of_ms"] + 1)
        self.assertEqual(pat["present_ms"], pat["last_left_ms"] - pat["first_joined_ms"])
        self.assertTrue(self.person(report, "pat-2")["present_now"])
        first_stretch = pat["present_ms"]

        # ... and comes back: a second segment, present again, time adds up.
        await asyncio.sleep(0.05)
        back = await self.connect("pat-1 again")
        await back.hello(clients["pat-1"].token)
        await back.join()
        report = await self.until(self.attendance,
                                  lambda r: self.person(r, "pat-1")["segments"] == 2)
        pat = self.person(report, "pat-1")
        self.assertTrue(pat["present_now"])
        self.assertEqual(pat["last_left_ms"], report["as_of_ms"])
        self.assertGreater(pat["present_ms"], first_stretch)
        self.assertLess(pat["present_ms"], pat["last_left_ms"] - pat["first_joined_ms"],
                        "the time away does not count")
        self.assertEqual((report["participants"], report["family_members"]), (2, 1))

    async def test_a_session_nobody_attended_is_empty(self):
        report = await self.attendance("never-held")
        self.assertEqual(set(report), {"session", "as_of_ms", "participants", "family_members",
                                       "people"})
        self.assertEqual((report["session"], report["participants"], report["family_members"],
                          report["people"]), ("never-held", 0, 0, []))

    async def test_overlapping_segments_count_once(self):
        t = utc_ms(2026, 11, 24, 10)
        self.insert_segment("s-1", "pat-1", t, t + 2 * HOUR)
        self.insert_segment("s-1", "pat-1", t + HOUR, t + 3 * HOUR)
        self.insert_segment("s-1", "fam-1", t + 4 * HOUR, t + 5 * HOUR, role="family_member")
        report = await self.attendance("s-1")
        self.assertEqual(report["people"], [
            {"subject": "pat-1", "role": "participant", "present_ms": 3 * HOUR,
             "present_minutes": 180, "segments": 2, "first_joined_ms": t,
             "last_left_ms": t + 3 * HOUR, "present_now": False},
            {"subject": "fam-1", "role": "family_member", "present_ms": HOUR,
             "present_minutes": 60, "segments": 1, "first_joined_ms": t + 4 * HOUR,
             "last_left_ms": t + 5 * HOUR, "present_now": False},
        ])
        self.assertEqual((report["participants"], report["family_members"]), (1, 1))

    async def test_csv_one_row_per_person_crlf_and_formulas_defused(self):
        t = utc_ms(2026, 11, 24, 10)
        rows = [("alice", "participant", t, t + HOUR),
                ("alice", "participant", t + 2 * HOUR, t + 2 * HOUR + 30 * MINUTE),
                ('=HYPERLINK("http://x")', "participant", t + 1, t + 1 + MINUTE),
                ("+1", "participant", t + 2, t + 2 + 90_000),
                ("-2", "participant", t + 3, t + 3 + 1),
                ("@SUM(A1)", "family_member", t + 4, t + 4 + MINUTE),
                ("\t=1+2", "observer", t + 5, t + 5 + MINUTE),
                ("smith, jo", "family_member", t + 6, t + 6 + MINUTE)]
        for subject, role, joined, left in rows:
            self.insert_segment("csv-1", subject, joined, left, role)
        now_joined = int(time.time() * 1000) - 5000
        self.insert_segment("csv-1", "bob", now_joined, None)  # still present
        reply = await self.call("GET", "/admin/v1/sessions/csv-1/attendance?format=csv")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.headers["content-type"], "text/csv; charset=utf-8")
        text = reply.text
        self.assertTrue(text.endswith("\r\n"))
        self.assertEqual(text.count("\n"), text.count("\r\n"), "every line ends in CRLF")
        lines = text[:-2].split("\r\n")
        self.assertEqual(lines[0], CSV_HEADER)
        self.assertEqual(len(lines), 1 + 8, "a header and one row per person")
        self.assertEqual(lines[1:8], [
            "alice,participant,90,5400000,2,%d,%d,false" % (t, t + 2 * HOUR + 30 * MINUTE),
            "\"'=HYPERLINK(\"\"http://x\"\")\",participant,1,60000,1,%d,%d,false"
            % (t + 1, t + 1 + MINUTE),
            "'+1,participant,1,90000,1,%d,%d,false" % (t + 2, t + 2 + 90_000),
            "'-2,participant,0,1,1,%d,%d,false" % (t + 3, t + 4),
            "'@SUM(A1),family_member,1,60000,1,%d,%d,false" % (t + 4, t + 4 + MINUTE),
            "'\t=1+2,observer,1,60000,1,%d,%d,false" % (t + 5, t + 5 + MINUTE),
            "\"smith, jo\",family_member,1,60000,1,%d,%d,false" % (t + 6, t + 6 + MINUTE),
        ])
        bob = next(csv.reader(io.StringIO(lines[8])))
        self.assertEqual(bob[:2], ["bob", "participant"])
        self.assertEqual(bob[4:6], ["1", str(now_joined)])
        self.assertEqual(bob[7], "true")
        self.assertEqual(int(bob[3]), int(bob[6]) - now_joined)
        self.assertGreaterEqual(int(bob[3]), 5000)
        self.assertEqual(self.last_audit(), ("admin", "admin", "export", "attendance",
                                             "csv-1", "ok", "csv"))
        # The JSON form holds the subjects as they are.
        report = await self.get_json("/admin/v1/sessions/csv-1/attendance?format=json")
        self.assertEqual([p["subject"] for p in report["people"]],
                         ["alice", '=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\t=1+2",
                          "smith, jo", "bob"])
        self.assertEqual((report["participants"], report["family_members"]), (5, 2))

    async def test_a_session_id_is_percent_decoded(self):
        self.insert_segment("room/7 b", "pat-1", 1000, 2000)
        report = await self.get_json("/admin/v1/sessions/room%2F7%20b/attendance")
        self.assertEqual(report["session"], "room/7 b")
        self.assertEqual([p["present_ms"] for p in report["people"]], [1000])


# --------------------------------------------------------------------------- weekly hours

class WeeklyUtc(AdminCase):
    SERVER_ARGS = ("--clinic-timezone", "UTC")

    W = utc_ms(2026, 11, 23)  # Monday 2026-11-23 00:00 UTC
    E = W + 7 * DAY

    async def weekly(self, subject, query="week=2026-11-23"):
        return await self.get_json("/admin/v1/people/%s/weekly?%s" % (subject, query))

    async def test_only_the_part_inside_the_week_counts(self):
        W, E = self.W, self.E
        self.insert_segment("s-a", "edge-1", W - HOUR, W + HOUR)        # crosses the start
        self.insert_segment("s-b", "edge-1", E - HOUR, E + 2 * HOUR)    # crosses the end
        self.insert_segment("s-old", "edge-1", W - 3 * HOUR, W - 2 * HOUR)
        self.insert_segment("s-old", "edge-1", W - HOUR, W)             # ends at the start
        self.insert_segment("s-new", "edge-1", E, E + HOUR)             # starts at the end
        self.insert_segment("s-a", "someone-else", W, W + 5 * HOUR)
        self.assertEqual(await self.weekly("edge-1"), {
            "subject": "edge-1", "week_start_ms": W, "week_end_ms": E,
            "present_ms": 2 * HOUR, "present_minutes": 120, "program": "adult",
            "program_source": "default", "minimum_minutes": 540, "meets_minimum": False,
            "sessions": [{"session": "s-a", "present_ms": HOUR},
                         {"session": "s-b", "present_ms": HOUR}]})
        self.assertEqual(self.last_audit(), ("admin", "admin", "record_viewed", "edge-1", "",
                                             "ok", "weekly_hours"))

    async def test_a_segment_crossing_midnight_inside_the_week_counts_whole(self):
        start = utc_ms(2026, 11, 24, 22)
        self.insert_segment("s-n", "night-1", start, start + 4 * HOUR)
        body = await self.weekly("night-1")
        self.assertEqual((body["present_ms"], body["present_minutes"]), (4 * HOUR, 240))
        self.assertEqual(body["sessions"], [{"session": "s-n", "present_ms": 4 * HOUR}])

    async def test_two_sessions_sum_against_the_program_minimums(self):
        self.insert_segment("s-tue", "two-1", utc_ms(2026, 11, 24, 10), utc_ms(2026, 11, 24, 13))
        self.insert_segment("s-thu", "two-1", utc_ms(2026, 11, 26, 10), utc_ms(2026, 11, 26, 13))
        adult = await self.weekly("two-1")
        self.assertEqual((adult["present_ms"], adult["present_minutes"]), (6 * HOUR, 360))
        self.assertEqual((adult["program"], adult["minimum_minutes"], adult["meets_minimum"]),
                         ("adult", 540, False))
        self.assertEqual(adult["sessions"], [{"session": "s-thu", "present_ms": 3 * HOUR},
                                             {"session": "s-tue", "present_ms": 3 * HOUR}])
        asked = await self.weekly("two-1", "week=2026-11-23&program=adult")
        self.assertEqual((adult["program_source"], asked["program_source"]), ("default", "request"))
        del adult["program_source"], asked["program_source"]
        self.assertEqual(adult, asked)
        teen = await self.weekly("two-1", "week=2026-11-23&program=adolescent")
        self.assertEqual((teen["program"], teen["minimum_minutes"], teen["meets_minimum"]),
                         ("adolescent", 360, True), "exactly the minimum meets it")
        self.assertEqual(teen["present_ms"], 6 * HOUR)

    async def test_a_millisecond_short_does_not_meet_the_minimum(self):
        start = utc_ms(2026, 11, 25, 9)
        self.insert_segment("s-1", "short-1", start, start + 6 * HOUR - 1)
        body = await self.weekly("short-1", "program=adolescent&week=2026-11-23")
        self.assertEqual((body["present_ms"], body["present_minutes"], body["meets_minimum"]),
                         (6 * HOUR - 1, 359, False))
        for day in (23, 25, 27):
            self.insert_segment("s-%d" % day, "nine-1", utc_ms(2026, 11, day, 9),
                                utc_ms(2026, 11, day, 12))
        body = await self.weekly("nine-1")
        self.assertEqual((body["present_minutes"], body["minimum_minutes"],
                          body["meets_minimum"]), (540, 540, True))

    async def test_overlapping_segments_are_counted_once(self):
        self.insert_segment("s-a", "overlap-1", utc_ms(2026, 11, 24, 10), utc_ms(2026, 11, 24, 12))
        self.insert_segment("s-a", "overlap-1", utc_ms(2026, 11, 24, 11), utc_ms(2026, 11, 24, 13))
        self.insert_segment("s-b", "overlap-1", utc_ms(2026, 11, 24, 12, 30),
                            utc_ms(2026, 11, 24, 14))
        body = await self.weekly("overlap-1")
        self.assertEqual(body["sessions"], [{"session": "s-a", "present_ms": 3 * HOUR},
                                            {"session": "s-b", "present_ms": 90 * MINUTE}])
        self.assertEqual(body["present_ms"], 4 * HOUR, "10:00 to 14:00, not 3 h + 1.5 h")

    async def test_someone_still_present_counts_up_to_now(self):
        now = int(time.time() * 1000)
        self.insert_segment("s-live", "open-1", now - 10 * MINUTE, None)
        yesterday = datetime.datetime.fromtimestamp(now / 1000 - 86400, datetime.timezone.utc)
        body = await self.weekly("open-1", "week=" + yesterday.strftime("%Y-%m-%d"))
        self.assertGreaterEqual(body["present_ms"], 10 * MINUTE)
        self.assertLess(body["present_ms"], 10 * MINUTE + 30_000)
        self.assertEqual([s["session"] for s in body["sessions"]], ["s-live"])

    async def test_nobody_and_an_encoded_subject(self):
        self.assertEqual(await self.weekly("nobody"), {
            "subject": "nobody", "week_start_ms": self.W, "week_end_ms": self.E,
            "present_ms": 0, "present_minutes": 0, "program": "adult",
            "program_source": "default", "minimum_minutes": 540, "meets_minimum": False,
            "sessions": []})
        self.insert_segment("s-1", "a/b c", self.W + HOUR, self.W + 2 * HOUR)
        body = await self.weekly("a%2Fb%20c")
        self.assertEqual((body["subject"], body["present_ms"]), ("a/b c", HOUR))

    async def test_any_day_can_start_a_week(self):
        body = await self.weekly("nobody", "week=2026-11-26")
        self.assertEqual((body["week_start_ms"], body["week_end_ms"]),
                         (utc_ms(2026, 11, 26), utc_ms(2026, 12, 3)))
        body = await self.weekly("nobody", "week=2028-02-29")  # a leap day
        self.assertEqual(body["week_start_ms"], utc_ms(2028, 2, 29))


class WeeklyChicago(AdminCase):
    SERVER_ARGS = ("--clinic-timezone", "America/Chicago", "--adult-minimum-hours", "7.5",
                   "--adolescent-minimum-hours", "4")

    async def week(self, date, subject="nobody", program="adult"):
        return await self.get_json("/admin/v1/people/%s/weekly?week=%s&program=%s"
                                   % (subject, date, program))

    async def test_weeks_start_at_the_clinics_midnight(self):
        body = await self.week("2026-11-23")
        self.assertEqual(body["week_start_ms"], utc_ms(2026, 11, 23, 6))  # CST, UTC-6
        self.assertEqual(body["week_end_ms"], utc_ms(2026, 11, 30, 6))

    async def test_a_week_with_a_dst_change_is_an_hour_longer_or_shorter(self):
        fall = await self.week("2026-10-26")  # DST ends Sunday 2026-11-01
        self.assertEqual(fall["week_start_ms"], utc_ms(2026, 10, 26, 5))  # CDT, UTC-5
        self.assertEqual(fall["week_end_ms"], utc_ms(2026, 11, 2, 6))
        self.assertEqual(fall["week_end_ms"] - fall["week_start_ms"], 7 * DAY + HOUR)
        spring = await self.week("2026-03-02")  # DST starts Sunday 2026-03-08
        self.assertEqual(spring["week_start_ms"], utc_ms(2026, 3, 2, 6))
        self.assertEqual(spring["week_end_ms"], utc_ms(2026, 3, 9, 5))
        self.assertEqual(spring["week_end_ms"] - spring["week_start_ms"], 7 * DAY - HOUR)

    async def test_segments_are_clipped_at_local_midnight(self):
        # 23:00-01:00 local on both edges of the week: one hour each counts.
        self.insert_segment("s-1", "chi-1", utc_ms(2026, 11, 23, 5), utc_ms(2026, 11, 23, 7))
        self.insert_segment("s-2", "chi-1", utc_ms(2026, 11, 30, 5), utc_ms(2026, 11, 30, 7))
        body = await self.week("2026-11-23", "chi-1")
        self.assertEqual(body["present_ms"], 2 * HOUR)
        self.assertEqual(body["sessions"], [{"session": "s-1", "present_ms": HOUR},
                                            {"session": "s-2", "present_ms": HOUR}])

    async def test_configured_minimums(self):
        self.assertEqual((await self.week("2026-11-23"))["minimum_minutes"], 450)
        self.assertEqual((await self.week("2026-11-23", program="adolescent"))["minimum_minutes"],
                         240)


class Live(AdminCase):
    async def test_a_running_session_shows_who_is_here_and_the_floor(self):
        facilitator = await self.joined("dana", "facilitator")
        pat = await self.joined("pat")
        await pat.send_floor(raise_hand=floor.RaiseHand())
        await self.until(lambda: self.get_json("/admin/v1/sessions/%s/live" % self.ROOM),
                         lambda body: body["floor"]["hands_raised"] == 1)
        body = await self.get_json("/admin/v1/sessions/%s/live" % self.ROOM)
        self.assertEqual(body["session"], self.ROOM)
        self.assertTrue(body["running"])
        self.assertEqual(body["members"], [
            {"member_id": facilitator.member_id, "subject": "dana", "role": "facilitator",
             "presence": "present"},
            {"member_id": pat.member_id, "subject": "pat", "role": "participant",
             "presence": "present"}])
        self.assertEqual(body["floor"], {"mode": "moderated", "holder_member_id": 0,
                                         "hands_raised": 1, "round_running": False})
        # No names, no content.
        self.assertNotIn("Dana", json.dumps(body))
        await facilitator.send_floor(grant_floor=floor.GrantFloor(member_id=pat.member_id))
        body = await self.until(lambda: self.get_json("/admin/v1/sessions/%s/live" % self.ROOM),
                                lambda b: b["floor"]["holder_member_id"] == pat.member_id)
        self.assertEqual(body["floor"]["hands_raised"], 0)
        pat.drop()
        body = await self.until(lambda: self.get_json("/admin/v1/sessions/%s/live" % self.ROOM),
                                lambda b: b["members"][1]["presence"] == "reconnecting")
        self.assertEqual(body["floor"]["holder_member_id"], 0)
        self.assertEqual(self.last_audit()[2:5], ("record_viewed", "live", self.ROOM))

    async def test_a_session_that_is_not_running_says_so(self):
        body = await self.get_json("/admin/v1/sessions/nobody-here/live")
        self.assertEqual(body, {"session": "nobody-here", "running": False})
        reply = await self.call("GET", "/admin/v1/sessions/x/live?extra=1")
        self.assert_error(reply, 400, "bad_request")
        reply = await self.call("POST", "/admin/v1/sessions/x/live")
        self.assert_error(reply, 405, "method_not_allowed")


if __name__ == "__main__":
    unittest.main()
