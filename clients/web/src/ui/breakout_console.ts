// The facilitator console for breakout rooms: open them (evenly, by family,
// or by hand with a room chosen for each person), with a timer and a warning;
// see every room with its members, move someone, go into a room and back,
// write to every room, recall everyone; and the calls for a facilitator,
// each with a button that goes to the room it came from.
import { BreakoutSplit } from "../gen/hearth/v1/breakout_pb";
import type { Member } from "../gen/hearth/v1/room_pb";
import { isStaff, type RoomModel } from "../state/room_model";
import type { ClientCommand } from "../proto/frame";
import { byId, h, redraw, show } from "./dom";

export type BreakoutAction = Record<string, unknown> & { case: string };

export interface BreakoutConsoleDeps {
  model: RoomModel;
  run(command: ClientCommand, done?: string): void;
  toast(text: string): void;
  redrawAll(): void;
}

export const breakout = (command: BreakoutAction): ClientCommand =>
  ({ case: "breakout", value: { command } }) as ClientCommand;

// By hand: the room index (1-based; 0: stays in the main room) chosen for each member.
const chosen = new Map<number, number>();

function button(key: string, label: string, onClick: () => void, cls = "small"): HTMLButtonElement {
  return h("button", { type: "button", class: cls, "data-key": key, click: onClick }, label);
}

function roomCount(): number {
  return Math.max(1, Math.min(20, Math.floor(Number(byId<HTMLInputElement>("bo-count").value) || 1)));
}

function roomNames(): string[] {
  const given = byId<HTMLInputElement>("bo-names").value.split(",").map((s) => s.trim());
  return Array.from({ length: roomCount() }, (_, i) => given[i] || `Room ${i + 1}`);
}

/** Who a facilitator would send to a breakout room: everyone but staff and oneself. */
function candidates(model: RoomModel): Member[] {
  return model.roster().filter((m) => !isStaff(m.role) && m.memberId !== model.myId);
}

export function wireBreakoutConsole(d: BreakoutConsoleDeps): void {
  const split = byId<HTMLSelectElement>("bo-split");
  const refresh = () => drawBreakoutConsole(d.model, d);
  for (const id of ["bo-split", "bo-count", "bo-names"]) {
    byId(id).addEventListener("input", refresh);
  }
  byId<HTMLFormElement>("bo-open-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const how = Number(split.value) as BreakoutSplit;
    const minutes = Math.max(0, Number(byId<HTMLInputElement>("bo-minutes").value) || 0);
    const warn = Math.max(0, Number(byId<HTMLInputElement>("bo-warn").value) || 0);
    const durationMs = Math.round(minutes * 60_000);
    const warningMs = durationMs > 0 && warn * 60_000 < durationMs ? Math.round(warn * 60_000) : 0;
    if (durationMs > 0 && warn > 0 && warningMs === 0) {
      d.toast("The warning must come before the end: make it shorter than the timer.");
      return;
    }
    const names = roomNames();
    const rooms = how === BreakoutSplit.BY_HAND
      ? names.map((name, i) => ({ name, memberIds: candidates(d.model).filter((m) => chosen.get(m.memberId) === i + 1).map((m) => m.memberId) }))
      : byId<HTMLInputElement>("bo-names").value.trim() ? names.map((name) => ({ name, memberIds: [] })) : [];
    d.run(breakout({ case: "open", value: { split: how, count: how === BreakoutSplit.EVEN ? roomCount() : 0, rooms, durationMs, warningMs } }),
      "Breakout rooms are open.");
  });
  byId("bo-return").addEventListener("click", () => d.run(breakout({ case: "enter", value: { breakoutId: 0 } })));
  byId<HTMLFormElement>("bo-broadcast-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = byId<HTMLInputElement>("bo-broadcast");
    const text = input.value.trim();
    if (text) {
      d.run(breakout({ case: "broadcast", value: { text } }), "Sent to every room.");
      input.value = "";
    }
  });
  byId("bo-recall").addEventListener("click", () =>
    confirm("Bring everyone back to the main room and close the breakout rooms?") && d.run(breakout({ case: "recall", value: {} })));
}

function enter(d: BreakoutConsoleDeps, breakoutId: number): void {
  d.model.breakouts.dismiss("", breakoutId); // going there answers its calls
  d.run(breakout({ case: "enter", value: { breakoutId } }));
  d.redrawAll();
}

export function drawBreakoutConsole(model: RoomModel, d: BreakoutConsoleDeps): void {
  const bo = model.breakouts;
  const staff = model.staff;
  drawCalls(model, d);
  if (!staff) {
    return;
  }
  show(byId("bo-open-form"), !bo.open);
  show(byId("bo-live"), bo.open);
  show(byId("bo-return"), bo.open && bo.here !== 0);

  const byHand = Number(byId<HTMLSelectElement>("bo-split").value) === BreakoutSplit.BY_HAND;
  show(byId("bo-hand"), byHand && !bo.open);
  show(byId("bo-count").parentElement!, Number(byId<HTMLSelectElement>("bo-split").value) !== BreakoutSplit.BY_FAMILY);
  if (byHand && !bo.open) {
    const names = roomNames();
    const people = candidates(model);
    redraw(byId("bo-assign"), JSON.stringify([names, people.map((m) => [m.memberId, m.displayName])]), people.length === 0
      ? [h("li", { class: "hint" }, "Nobody to send yet.")]
      : people.map((m) => h("li", {}, h("label", {}, m.displayName,
        h("select", { "data-key": `as${m.memberId}`, "aria-label": `Room for ${m.displayName}`,
          change: (e) => chosen.set(m.memberId, Number((e.target as HTMLSelectElement).value)) },
        ...["Main room", ...names].map((n, i) => h("option", { value: String(i), selected: (chosen.get(m.memberId) ?? 0) === i }, n)))))));
  }

  if (!bo.open) {
    return;
  }
  const rooms = [{ breakoutId: 0, name: "Main room" }, ...(bo.state?.rooms ?? [])];
  const members = model.roster();
  const sig = JSON.stringify([bo.here, rooms.map((r) => [r.breakoutId, r.name]), members.map((m) => [m.memberId, m.displayName, m.breakoutId, m.presence])]);
  redraw(byId("bo-rooms"), sig, rooms.map((r) => {
    const inIt = members.filter((m) => m.breakoutId === r.breakoutId);
    return h("div", { class: `bo-room${r.breakoutId === bo.here ? " here" : ""}`, role: "group", "aria-label": r.name },
      h("h3", {}, r.name),
      h("ul", {}, ...(inIt.length === 0 ? [h("li", { class: "hint" }, "Nobody here.")] : inIt.map((m) => memberLine(model, d, m, rooms)))),
      r.breakoutId !== bo.here && r.breakoutId !== 0 && button(`enter${r.breakoutId}`, `Enter ${r.name}`, () => enter(d, r.breakoutId)));
  }));
}

function memberLine(model: RoomModel, d: BreakoutConsoleDeps, m: Member, rooms: { breakoutId: number; name: string }[]): HTMLElement {
  const name = m.memberId === model.myId ? `${m.displayName} (you)` : m.displayName;
  if (m.memberId === model.myId) {
    return h("li", {}, name);
  }
  const others = rooms.filter((r) => r.breakoutId !== m.breakoutId);
  const select = h("select", { "data-key": `mv${m.memberId}`, "aria-label": `Room to move ${m.displayName} to` },
    ...others.map((r) => h("option", { value: String(r.breakoutId) }, r.name)));
  return h("li", {}, name, " ", h("label", {}, "to ", select),
    button(`mvb${m.memberId}`, `Move ${m.displayName}`, () =>
      d.run(breakout({ case: "move", value: { memberId: m.memberId, breakoutId: Number(select.value) } }))));
}

function drawCalls(model: RoomModel, d: BreakoutConsoleDeps): void {
  const calls = model.staff ? model.breakouts.calls.filter((c) => c.memberId !== model.myId) : [];
  show(byId("calls"), calls.length > 0);
  redraw(byId("call-list"), JSON.stringify([calls.map((c) => c.key), model.breakouts.here]), calls.map((c) =>
    h("li", {}, `${model.name(c.memberId)} asks for a facilitator in ${c.roomName} (${new Date(c.atMs).toLocaleTimeString()}) `,
      c.breakoutId !== model.breakouts.here && button(`go${c.key}`, `Go to ${c.roomName}`, () => enter(d, c.breakoutId), "danger"),
      button(`dis${c.key}`, `Dismiss the call from ${model.name(c.memberId)}`, () => {
        model.breakouts.dismiss(c.key);
        d.redrawAll();
      }))));
}
