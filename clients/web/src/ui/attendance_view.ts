// The console's "Attendance so far": one sentence per person who has been in
// the session while this console watched (so a screen reader reads each as
// a whole), with what this console could not see said in words.
import { Role } from "../gen/hearth/v1/role_pb";
import type { Attendance, AttendanceRow } from "../state/attendance";
import type { RoomModel } from "../state/room_model";
import { byId, h, redraw } from "./dom";
import { roleName } from "./text";

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
    case "left": return `left at ${clockOf(r.leftAtMs)}`;
  }
}

function line(model: RoomModel, r: AttendanceRow): HTMLElement {
  const who = r.memberId === model.myId ? `you, ${roleName(r.role)}` : roleName(r.role);
  const time = `${minutesText(r.presentMs)} present so far`;
  // Someone already in the room when this console joined may have been here
  // before their current stretch too: that time was never seen here.
  const since = r.earlierUnseen
    ? `${time} since ${clockOf(r.firstSeenMs)}; any earlier visit is not counted`
    : `${time}, first came at ${clockOf(r.firstSeenMs)}`;
  return h("li", { "data-member": String(r.memberId), "data-state": r.state },
    h("strong", {}, r.name), ` (${who}): `,
    h("span", { class: `att-state ${r.state}` }, stateText(r)),
    `. ${since[0].toUpperCase()}${since.slice(1)}.`,
    r.approximate && h("span", { class: "hint" }, " Some of these times fell while this console was disconnected and are estimated."));
}

export function drawAttendance(model: RoomModel, attendance: Attendance, nowMs: number): void {
  if (!model.staff) {
    return;
  }
  const rows = attendance.rows(nowMs);
  const lines = rows.map((r) => line(model, r));
  // Redrawn only when a sentence changes (minutes tick over, someone comes or goes).
  const sig = lines.map((l) => l.textContent).join("\n");
  redraw(byId("attendance-list"), sig, rows.length === 0 ? [h("li", { class: "hint" }, "Nobody yet.")] : lines);
  const clients = rows.filter((r) => r.role === Role.PARTICIPANT);
  const family = rows.filter((r) => r.role === Role.FAMILY_MEMBER);
  const here = (list: AttendanceRow[]) => list.filter((r) => r.state !== "left").length;
  byId("attendance-count").textContent = `Participants seen: ${clients.length} (${here(clients)} here now)` +
    (family.length ? `; family members seen: ${family.length} (${here(family)} here now).` : ".");
  byId("attendance-since").textContent = attendance.watchingSinceMs
    ? `Counted by this console since you joined at ${clockOf(attendance.watchingSinceMs)}: people who left before then are not listed, and those already here may have been here earlier too. The clinic's attendance report is the record.`
    : "";
}
