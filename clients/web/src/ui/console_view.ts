// The facilitator console's own panels: distress alerts, the waiting room,
// round summaries, and the buttons next to members and hands. Shown only to
// facilitators and co-facilitators (the server enforces who may do what).
import { ConsentState, type WaitingPerson } from "../gen/hearth/v1/lobby_pb";
import { Role } from "../gen/hearth/v1/role_pb";
import { isStaff, type RoomModel } from "../state/room_model";
import { byId, h, redraw } from "./dom";
import { outcomeName, roleName } from "./text";

export interface ConsoleActions {
  acknowledge(signalId: number): void;
  admit(p: WaitingPerson): void;
  deny(waitingId: number): void;
  moderate(memberId: number, what: "muteChat" | "unmuteChat" | "muteFloor" | "unmuteFloor" | "remove" | "ban" | "promote" | "demote" | "stepOut"): void;
  grant(memberId: number): void;
  lowerHand(memberId: number): void;
  moveHand(memberId: number, position: number): void;
  privateTo(memberId: number): void;
}

function button(key: string, label: string, onClick: () => void, cls = "small"): HTMLButtonElement {
  return h("button", { type: "button", class: cls, "data-key": key, click: onClick }, label);
}

export function drawConsole(model: RoomModel, act: ConsoleActions): void {
  if (!model.staff) {
    return;
  }
  const alerts = [...model.alerts.values()].filter((a) => a.from !== model.myId);
  redraw(byId("alert-list"), JSON.stringify(alerts.map((a) => [a.signalId, a.acknowledgedBy])), alerts.length === 0
    ? [h("li", { class: "hint" }, "No open alerts.")]
    : alerts.map((a) => h("li", { class: a.acknowledgedBy ? "" : "open" },
      `${model.name(a.from)} signalled at ${new Date(a.raisedAtMs).toLocaleTimeString()}`,
      a.acknowledgedBy
        ? ` — acknowledged by ${model.name(a.acknowledgedBy)}`
        : button(`ack${a.signalId}`, `Acknowledge ${model.name(a.from)}`, () => act.acknowledge(a.signalId), "danger"))));
  byId("alerts").classList.toggle("has-open", alerts.some((a) => !a.acknowledgedBy));

  const waiting = model.lobby?.waiting ?? [];
  redraw(byId("waiting"), JSON.stringify(waiting.map((w) => [w.waitingId, w.connected, w.consent])), waiting.length === 0
    ? [h("li", { class: "hint" }, "Nobody is waiting.")]
    : waiting.map((w) => h("li", {},
      `${w.displayName} (${roleName(w.role)})${w.connected ? "" : " — disconnected"}${w.consent === ConsentState.NONE ? " — no consent recorded" : ""} `,
      button(`admit${w.waitingId}`, `Admit ${w.displayName}`, () => act.admit(w)),
      button(`deny${w.waitingId}`, `Deny ${w.displayName}`, () => act.deny(w.waitingId)))));
  byId("lock").textContent = model.locked ? "Unlock room" : "Lock room";

  redraw(byId("summaries"), String(model.summaries.length), model.summaries.slice(-5).reverse().map((s) =>
    h("li", {}, h("strong", {}, s.label || `Round ${s.roundId}`), ": ",
      s.entries.map((e) => `${model.name(e.memberId)} ${outcomeName(e.outcome)} (${Math.round(e.durationMs / 1000)} s)`).join(", "))));

  // Who has not spoken yet comes first: fairness, not a score.
  const airtime = [...(model.airtime?.members ?? [])].sort((a, b) => Number(a.floorMs - b.floorMs));
  redraw(byId("airtime"), JSON.stringify(airtime.map((a) => [a.memberId, String(a.floorMs), a.turns])), airtime.map((a) =>
    h("li", {}, `${model.name(a.memberId)}: ${a.turns === 0 ? "not yet" : `${a.turns} turn${a.turns > 1 ? "s" : ""}, ${Math.round(Number(a.floorMs) / 1000)} s`}`)));
}

/** The buttons next to a member in the roster (none for oneself or non-staff viewers). */
export function memberButtons(model: RoomModel, memberId: number, act: ConsoleActions): Node[] {
  const m = model.members.get(memberId);
  if (!model.staff || !m || memberId === model.myId) {
    return [];
  }
  const name = m.displayName;
  const out: Node[] = [button(`pm${memberId}`, `Message ${name}`, () => act.privateTo(memberId))];
  if (m.role === Role.FACILITATOR) {
    return out;
  }
  out.push(
    button(`mc${memberId}`, m.chatMuted ? `Unmute chat of ${name}` : `Mute chat of ${name}`, () => act.moderate(memberId, m.chatMuted ? "unmuteChat" : "muteChat")),
    button(`mf${memberId}`, m.floorMuted ? `Unmute floor of ${name}` : `Mute floor of ${name}`, () => act.moderate(memberId, m.floorMuted ? "unmuteFloor" : "muteFloor")),
  );
  if (m.role !== Role.OBSERVER) {
    out.push(isStaff(m.role)
      ? button(`ro${memberId}`, `Make ${name} a member again`, () => act.moderate(memberId, "demote"))
      : button(`ro${memberId}`, `Make ${name} co-facilitator`, () => act.moderate(memberId, "promote")));
  }
  if (!isStaff(m.role)) {
    out.push(button(`so${memberId}`, `Send ${name} to waiting room`, () => act.moderate(memberId, "stepOut")));
  }
  out.push(
    button(`rm${memberId}`, `Remove ${name}`, () => act.moderate(memberId, "remove")),
    button(`ban${memberId}`, `Ban ${name}`, () => act.moderate(memberId, "ban")),
  );
  return out;
}

/** Grant, lower and move buttons next to a raised hand. */
export function handButtons(model: RoomModel, memberId: number, index: number, act: ConsoleActions): Node[] {
  if (!model.staff) {
    return [];
  }
  const name = model.name(memberId);
  const count = model.floor?.hands.length ?? 0;
  return [
    " ",
    button(`grant${memberId}`, `Give ${name} the floor`, () => act.grant(memberId)),
    button(`lh${memberId}`, `Lower ${name}'s hand`, () => act.lowerHand(memberId)),
    index > 0 && button(`up${memberId}`, `Move ${name} up`, () => act.moveHand(memberId, index - 1)),
    index < count - 1 && button(`down${memberId}`, `Move ${name} down`, () => act.moveHand(memberId, index + 1)),
  ].filter((n): n is HTMLButtonElement | string => n !== false).map((n) => (typeof n === "string" ? document.createTextNode(n) : n));
}
