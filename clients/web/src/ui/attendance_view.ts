// The console's "Attendance so far", from the clinic's attendance record:
// one sentence per person who has been in the session (so a screen reader
// reads each as a whole), the counts above, and below where the figures come
// from and when they were read. Not a live region: the minutes change every
// minute and would drown the announcements.
import { Role } from "../gen/hearth/v1/role_pb";
import type { Attendance, AttendanceRow } from "../state/attendance";
import type { RoomModel } from "../state/room_model";
import { byId, h, redraw } from "./dom";
import { roleName } from "./text";

/** How the record names someone it cannot match to the roster (member_id 0). */
export const BEFORE_RESTART = "someone who was here before the server restarted";

export function clockOf(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** Whole minutes, as people say them: "under a minute", "23 min", "1 h 05 min". */
export function minutesText(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 1) {
    return "under a minute";
  }
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

function stateText(r: AttendanceRow): string {
  switch (r.state) {
    case "here": return "here now";
    case "reconnecting": return "connection dropped, may come back";
    case "left": return `left at ${clockOf(r.lastLeftMs)}`;
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** One person's sentence, e.g. "Sam (participant): here now. 12 min present so far, first came at 10:03." */
export function attendanceSentence(r: AttendanceRow, myId: number): { who: string; role: string; state: string; rest: string } {
  // Member 0, or (after a restart) an id the room keeps for a sheet's owner
  // who has not come back yet and so has no name.
  const unknown = r.memberId === 0 || r.name === "";
  const who = unknown ? capital(BEFORE_RESTART) : r.name;
  const role = r.memberId === myId && !unknown ? `you, ${roleName(r.role)}` : roleName(r.role);
  const stays = r.stays > 1 ? `, in ${r.stays} separate stays` : "";
  const rest = `${capital(minutesText(r.presentMs))} present so far, first came at ${clockOf(r.firstJoinedMs)}${stays}.`;
  return { who, role, state: stateText(r), rest };
}

function line(model: RoomModel, r: AttendanceRow): HTMLElement {
  const s = attendanceSentence(r, model.myId);
  return h("li", { "data-member": String(r.memberId), "data-state": r.state },
    h("strong", {}, s.who), ` (${s.role}): `,
    h("span", { class: `att-state ${r.state}` }, s.state),
    `. ${s.rest}`);
}

/** Under the list: where the figures come from, and how current they are. */
export function sourceText(attendance: Attendance): string {
  if (!attendance.known) {
    return attendance.failure
      ? `The clinic's attendance record could not be read (${attendance.failure}). Trying again.`
      : "Reading the clinic's attendance record…";
  }
  const asOf = clockOf(attendance.asOfMs);
  if (attendance.failure) {
    return `Could not update (${attendance.failure}): this is the clinic's attendance record as it was at ${asOf}.`;
  }
  return `From the clinic's attendance record: every stay since the room first opened, people who already left included. Read at ${asOf}; the minutes of people here count on between readings.`;
}

export function drawAttendance(model: RoomModel, attendance: Attendance, nowMs: number): void {
  if (!model.staff) {
    return;
  }
  const rows = attendance.rows(nowMs, (id) => model.members.get(id)?.presence);
  const lines = rows.map((r) => line(model, r));
  // Redrawn only when a sentence changes (minutes tick over, someone comes or goes).
  const sig = lines.map((l) => l.textContent).join("\n");
  const empty = attendance.known ? [h("li", { class: "hint" }, "Nobody yet.")] : [];
  redraw(byId("attendance-list"), sig, rows.length === 0 ? empty : lines);
  const here = (role: Role) => rows.filter((r) => r.role === role && r.state !== "left").length;
  byId("attendance-count").textContent = !attendance.known ? "" :
    `Participants so far: ${attendance.participants} (${here(Role.PARTICIPANT)} here now)` +
    (attendance.familyMembers ? `; family members so far: ${attendance.familyMembers} (${here(Role.FAMILY_MEMBER)} here now).` : ".");
  byId("attendance-note").textContent = sourceText(attendance);
}
