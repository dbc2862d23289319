// When the facilitators' console asks for attendance so far: after every
// join (a rejoin and a resume included), about a second after members
// arrive, leave, change presence or role (several changes close together
// make one query), and every minute. One query at a time; a change seen
// while one is out asks again after its answer, since that answer may have
// been read before the change. Only a facilitator or co-facilitator asks:
// `mayAsk` is false for everyone else, and a participant's client never
// sends the query.
import type { Reply } from "../gen/hearth/v1/envelope_pb";
import { ErrorCode } from "../gen/hearth/v1/errors_pb";
import type { ClientCommand } from "../proto/frame";
import type { Attendance } from "./attendance";

export const SETTLE_MS = 1_000;
export const REFRESH_MS = 60_000;
/** After a failed query (temporary error, or not connected), sooner than a minute. */
export const RETRY_MS = 15_000;

export const ATTENDANCE_QUERY: ClientCommand = { case: "attendance", value: {} };

export interface AttendanceSyncDeps {
  request(command: ClientCommand): Promise<Reply>;
  /** Online, and a facilitator or co-facilitator. */
  mayAsk(): boolean;
  /** The answer or its failure changed: redraw. */
  changed(): void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export class AttendanceSync {
  private inFlight = false;
  private askAgain = false;
  private settleTimer: unknown;
  private refreshTimer: unknown;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly attendance: Attendance, private readonly deps: AttendanceSyncDeps) {
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  /** Joined, rejoined or resumed (the link is online): ask now. */
  joined(): void {
    this.ask();
  }

  /** A member arrived, left, or changed presence or role: ask once things settle. */
  rosterChanged(): void {
    if (!this.deps.mayAsk()) {
      return;
    }
    if (this.inFlight) {
      this.askAgain = true;
    } else if (this.settleTimer === undefined) {
      this.settleTimer = this.setTimer(() => {
        this.settleTimer = undefined;
        this.ask();
      }, SETTLE_MS);
    }
  }

  /** The link went down: what is shown stays, as of its time. */
  offline(): void {
    this.stopTimers();
    if (this.attendance.known && !this.attendance.failure) {
      this.attendance.failure = "not connected";
      this.deps.changed();
    }
  }

  private ask(): void {
    this.stopTimers();
    if (!this.deps.mayAsk()) {
      return;
    }
    if (this.inFlight) {
      this.askAgain = true;
      return;
    }
    this.inFlight = true;
    this.askAgain = false;
    this.deps.request(ATTENDANCE_QUERY).then(
      (reply) => this.answered(reply),
      () => this.answered(undefined),
    );
  }

  private answered(reply: Reply | undefined): void {
    this.inFlight = false;
    let next = REFRESH_MS;
    if (reply?.outcome.case === "attendance") {
      this.attendance.accept(reply.outcome.value);
    } else if (reply?.outcome.case === "error" && reply.outcome.value.code === ErrorCode.PERMISSION_DENIED) {
      // No longer a facilitator: this console's attendance is not theirs to see.
      this.attendance.clear();
      this.deps.changed();
      return;
    } else {
      const lost = !reply || !this.deps.mayAsk(); // a drop answers what was in flight
      this.attendance.failed(lost ? "not connected" : "the records could not be read just now");
      next = RETRY_MS;
    }
    this.deps.changed();
    if (this.askAgain && this.deps.mayAsk()) {
      this.askAgain = false;
      this.rosterChanged();
    } else {
      this.askAgain = false;
      this.refreshTimer = this.setTimer(() => {
        this.refreshTimer = undefined;
        this.ask();
      }, next);
    }
  }

  private stopTimers(): void {
    if (this.settleTimer !== undefined) {
      this.clearTimer(this.settleTimer);
      this.settleTimer = undefined;
    }
    if (this.refreshTimer !== undefined) {
      this.clearTimer(this.refreshTimer);
      this.refreshTimer = undefined;
    }
  }
}
