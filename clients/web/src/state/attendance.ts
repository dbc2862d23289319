// Attendance so far, as the clinic's records hold it: the server's answer to
// the facilitators' AttendanceQuery (docs/protocol.md, "Attendance so far"),
// every stay since the room first opened, across server restarts, people who
// already left included. Between answers the minutes of people here go on
// from the answer's present_ms and as_of_ms on the server's clock; whether
// someone's connection dropped comes from the roster, which events keep
// current. A failed query keeps the last answer, frozen at its time.
import type { AttendanceSoFar } from "../gen/hearth/v1/attendance_pb";
import { Presence } from "../gen/hearth/v1/room_pb";
import type { Role } from "../gen/hearth/v1/role_pb";

export type AttendanceState = "here" | "reconnecting" | "left";

export interface AttendanceRow {
  /** 0: someone not in the room's roster since the server restarted. */
  memberId: number;
  name: string; // "" when memberId is 0
  role: Role; // the role they attended in
  presentMs: number; // up to now for people here, while the answer is current
  firstJoinedMs: number;
  lastLeftMs: number; // when state is "left"
  state: AttendanceState;
  stays: number;
}

export class Attendance {
  private answer: AttendanceSoFar | undefined;
  /** Why the latest query failed; "" while the answer shown is the latest. */
  failure = "";

  /** An answer has come (it may be stale: see `failure`). */
  get known(): boolean {
    return this.answer !== undefined;
  }

  /** The server's time of the answer shown. */
  get asOfMs(): number {
    return Number(this.answer?.asOfMs ?? 0n);
  }

  get participants(): number {
    return this.answer?.participants ?? 0;
  }

  get familyMembers(): number {
    return this.answer?.familyMembers ?? 0;
  }

  accept(answer: AttendanceSoFar): void {
    this.answer = answer;
    this.failure = "";
  }

  /** The query failed: keep the last answer, and say why it did not change. */
  failed(reason: string): void {
    this.failure = reason;
  }

  /** Forget the answer (this console may no longer ask, or the room restarted). */
  clear(): void {
    this.answer = undefined;
    this.failure = "";
  }

  /**
   * One row per person, in order of first arrival, with minutes present up to
   * `nowMs` (server clock) for people here. `presenceOf` is the roster's
   * presence of a member (undefined when not in it).
   */
  rows(nowMs: number, presenceOf: (memberId: number) => Presence | undefined): AttendanceRow[] {
    if (!this.answer) {
      return [];
    }
    const asOf = this.asOfMs;
    const current = this.failure === "";
    return this.answer.people.map((p) => {
      const reconnecting = p.presentNow && p.memberId !== 0 && presenceOf(p.memberId) === Presence.RECONNECTING;
      const state: AttendanceState = !p.presentNow ? "left" : reconnecting ? "reconnecting" : "here";
      // The record counts a dropped connection as present until the grace
      // period ends, and cuts it back to the drop if they never return: so
      // their minutes wait at the answer's count rather than run on.
      const since = state === "here" && current ? Math.max(0, nowMs - asOf) : 0;
      return {
        memberId: p.memberId,
        name: p.memberId === 0 ? "" : p.displayName,
        role: p.role,
        presentMs: Number(p.presentMs) + since,
        firstJoinedMs: Number(p.firstJoinedMs),
        lastLeftMs: Number(p.lastLeftMs),
        state,
        stays: p.stays,
      };
    });
  }
}
