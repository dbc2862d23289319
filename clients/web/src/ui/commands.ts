// The commands the buttons send, as ClientMessage.command values.
import { ChatScope } from "../gen/hearth/v1/room_pb";
import { Role } from "../gen/hearth/v1/role_pb";
import { ErrorCode } from "../gen/hearth/v1/errors_pb";
import type { ClientCommand } from "../proto/frame";

export const floor = (action: Record<string, unknown> & { case: string }): ClientCommand =>
  ({ case: "floor", value: { action } }) as ClientCommand;

export const moderation = (action: Record<string, unknown> & { case: string }): ClientCommand =>
  ({ case: "moderation", value: { action } }) as ClientCommand;

export const lobby = (action: Record<string, unknown> & { case: string }): ClientCommand =>
  ({ case: "lobby", value: { action } }) as ClientCommand;

export const poll = (action: Record<string, unknown> & { case: string }): ClientCommand =>
  ({ case: "poll", value: { action } }) as ClientCommand;

export type ModerationKind = "muteChat" | "unmuteChat" | "muteFloor" | "unmuteFloor" | "remove" | "ban" | "promote" | "demote" | "stepOut";

export function moderate(memberId: number, what: ModerationKind): ClientCommand {
  switch (what) {
    case "muteChat": return moderation({ case: "mute", value: { memberId, chat: true } });
    case "unmuteChat": return moderation({ case: "unmute", value: { memberId, chat: true } });
    case "muteFloor": return moderation({ case: "mute", value: { memberId, floor: true } });
    case "unmuteFloor": return moderation({ case: "unmute", value: { memberId, floor: true } });
    case "remove": return moderation({ case: "remove", value: { memberId } });
    case "ban": return moderation({ case: "ban", value: { memberId } });
    case "promote": return moderation({ case: "setRole", value: { memberId, role: Role.CO_FACILITATOR } });
    case "demote": return moderation({ case: "setRole", value: { memberId, role: Role.UNSPECIFIED } });
    case "stepOut": return lobby({ case: "stepOut", value: { memberId } });
  }
}

/** "room", "fac" or "p<id>" from the chat form's recipient list. */
export function chatTarget(value: string): { scope: ChatScope; to: number } {
  if (value === "fac") {
    return { scope: ChatScope.FACILITATORS, to: 0 };
  }
  if (value.startsWith("p")) {
    return { scope: ChatScope.PRIVATE, to: Number(value.slice(1)) };
  }
  return { scope: ChatScope.ROOM, to: 0 };
}

/** A refusal, said plainly (decided on the code, never the message). */
export function errorText(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.PERMISSION_DENIED: return "That is not allowed for you right now.";
    case ErrorCode.NOT_FOUND: return "That person or item is no longer here.";
    case ErrorCode.LIMIT_EXCEEDED: return "That is over the allowed size.";
    case ErrorCode.BAD_REQUEST: return "That request was not valid.";
    case ErrorCode.TOO_MANY_REQUESTS: return "Too fast: wait a moment and try again.";
    case ErrorCode.FAILED_PRECONDITION: return "That cannot be done at this moment.";
    case ErrorCode.INTERNAL: return "The connection dropped; try again in a moment.";
    default: return "The server refused that.";
  }
}
