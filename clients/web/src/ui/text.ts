// Words for the protocol's enums, as people read them.
import { Role } from "../gen/hearth/v1/role_pb";
import { TurnOutcome } from "../gen/hearth/v1/floor_pb";

export function roleName(role: Role): string {
  switch (role) {
    case Role.FACILITATOR: return "facilitator";
    case Role.CO_FACILITATOR: return "co-facilitator";
    case Role.PARTICIPANT: return "participant";
    case Role.FAMILY_MEMBER: return "family member";
    case Role.OBSERVER: return "observer";
    default: return "member";
  }
}

export function outcomeName(outcome: TurnOutcome): string {
  switch (outcome) {
    case TurnOutcome.PENDING: return "waiting";
    case TurnOutcome.SPEAKING: return "speaking";
    case TurnOutcome.SPOKE: return "spoke";
    case TurnOutcome.PASSED: return "passed";
    case TurnOutcome.SKIPPED: return "skipped";
    case TurnOutcome.ABSENT: return "absent";
    case TurnOutcome.NOT_REACHED: return "not reached";
    default: return "";
  }
}

export function clockText(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  const total = Math.ceil(Math.abs(ms) / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${sign}${m}:${String(s).padStart(2, "0")}`;
}
