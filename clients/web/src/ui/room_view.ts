// Draws what every member sees: roster, floor, round, hands, chat, polls and
// the member's own distress signal. Reads the model; sends nothing itself
// (buttons call the `act` callbacks main.ts provides).
import { ChatScope, Presence } from "../gen/hearth/v1/room_pb";
import { Role } from "../gen/hearth/v1/role_pb";
import { TurnOutcome } from "../gen/hearth/v1/floor_pb";
import { isStaff, type RoomModel } from "../state/room_model";
import { byId, h, redraw, show } from "./dom";
import { clockText, outcomeName, roleName } from "./text";

export interface RoomActions {
  answerPoll(pollId: number, value: number, isChoice: boolean): void;
  memberActions(memberId: number): Node[]; // the console's buttons, or none
  handActions(memberId: number, index: number): Node[];
}

export function drawRoom(model: RoomModel, act: RoomActions): void {
  const staff = model.staff;
  for (const el of document.querySelectorAll<HTMLElement>("[data-for=staff]")) {
    show(el, staff);
  }
  const me = model.me;
  const canSignal = me !== undefined && (me.role === Role.PARTICIPANT || me.role === Role.FAMILY_MEMBER);
  show(byId("distress-card"), canSignal);
  drawRoster(model, act);
  drawFloor(model, act);
  drawChat(model);
  drawPolls(model, act);
  drawOwnSignal(model);
}

function drawRoster(model: RoomModel, act: RoomActions): void {
  const members = model.roster();
  const bo = model.breakouts;
  const sig = JSON.stringify([members.map((m) => [m.memberId, m.displayName, m.role, m.presence, m.chatMuted, m.floorMuted, m.breakoutId]),
    bo.state?.rooms.map((r) => r.name)]) + model.myId;
  redraw(byId("roster"), sig, members.map((m) => h("li", {},
    h("span", { class: "who" }, m.memberId === model.myId ? `${m.displayName} (you)` : m.displayName),
    h("span", { class: "tag" }, roleName(m.role)),
    m.presence === Presence.RECONNECTING && h("span", { class: "tag away" }, "reconnecting"),
    m.chatMuted && h("span", { class: "tag" }, "chat muted"),
    m.floorMuted && h("span", { class: "tag" }, "floor muted"),
    bo.open && h("span", { class: "tag" }, m.breakoutId === 0 ? "main room" : `in ${bo.roomName(m.breakoutId)}`),
    h("div", { class: "member-actions" }, ...act.memberActions(m.memberId)),
  )));
}

function drawFloor(model: RoomModel, act: RoomActions): void {
  const floor = model.floor;
  const holder = floor?.turn?.memberId ?? 0;
  const paused = (floor?.paused ?? 0) !== 0;
  byId("floor-now").textContent = holder === 0 ? "The floor is free." : holder === model.myId ? "It is your turn." : `${model.name(holder)} has the floor.`;
  const hands = floor?.hands ?? [];
  redraw(byId("hands"), JSON.stringify(hands.map((x) => x.memberId)) + model.staff, hands.length === 0
    ? [h("li", { class: "hint" }, "No hands raised.")]
    : hands.map((x, i) => h("li", {}, model.name(x.memberId), ...act.handActions(x.memberId, i))));
  const round = floor?.round;
  const entries = round?.entries ?? [];
  redraw(byId("floor-round"), JSON.stringify(entries.map((e) => [e.memberId, e.outcome])) + (round?.label ?? ""), round
    ? [h("h3", {}, `Round: ${round.label || "go-around"}${paused ? " (paused)" : ""}`),
      h("ol", { class: "round" }, ...entries.map((e) => h("li", { class: outcomeName(e.outcome).replace(" ", "-") },
        `${model.name(e.memberId)} — ${outcomeName(e.outcome)}`)))]
    : []);
  const mine = holder === model.myId;
  const myHand = hands.some((x) => x.memberId === model.myId);
  const inRound = round !== undefined;
  const me = model.me;
  const canSpeak = me !== undefined && me.role !== Role.OBSERVER && !me.floorMuted;
  show(byId("floor-actions"), canSpeak);
  show(byId("raise"), !myHand && !mine);
  show(byId("lower"), myHand);
  show(byId("done"), mine);
  const myRoundTurn = inRound && entries.some((e) => e.memberId === model.myId && e.outcome === TurnOutcome.SPEAKING);
  show(byId("pass"), myRoundTurn);
}

/** Redrawn every 250 ms: the countdown from the server's deadline. */
export function drawClock(model: RoomModel, serverNow: number): void {
  const el = byId("floor-clock");
  const turn = model.floor?.turn;
  if (!turn || turn.budgetMs === 0) {
    el.textContent = "";
    return;
  }
  const left = turn.deadlineMs !== 0n ? Number(turn.deadlineMs) - serverNow : Number(turn.remainingMs);
  el.textContent = clockText(left) + (turn.deadlineMs === 0n ? " (paused)" : "") + (turn.overdue ? " over time" : "");
  el.classList.toggle("low", left < 15_000);
}

function drawChat(model: RoomModel): void {
  const log = byId("chat-log");
  const lines = model.chat;
  const sig = lines.map((l) => l.key).join(",");
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  redraw(log, sig, lines.map((l) => {
    const priv = l.scope !== ChatScope.ROOM;
    const label = l.scope === ChatScope.FACILITATORS ? " → facilitators" : l.scope === ChatScope.PRIVATE ? ` → ${model.name(l.to)}` : "";
    return h("li", { class: priv ? "private" : "" },
      h("span", { class: "from" }, `${model.name(l.from)}${label}: `),
      l.text);
  }));
  if (atBottom) {
    log.scrollTop = log.scrollHeight;
  }
  const typing = [...model.typing].filter((id) => id !== model.myId).map((id) => model.name(id));
  byId("typing").textContent = typing.length ? `${typing.join(", ")} typing…` : "";
  // Who the person may write to: the room, the facilitators, or (staff) anyone.
  const to = byId<HTMLSelectElement>("chat-to");
  const here = model.breakouts.here;
  const options: [string, string][] = [["room", here === 0 ? "Everyone" : `Everyone in ${model.breakouts.roomName(here)}`]];
  if (model.staff) {
    for (const m of model.roster()) {
      if (m.memberId !== model.myId) {
        options.push([`p${m.memberId}`, `${m.displayName} (private)`]);
      }
    }
  } else {
    options.push(["fac", "Facilitators only (private)"]);
    for (const m of model.roster()) {
      if (isStaff(m.role) && m.memberId !== model.myId) {
        options.push([`p${m.memberId}`, `${m.displayName} (private)`]);
      }
    }
  }
  const chosen = to.value;
  redraw(to, JSON.stringify(options), options.map(([v, t]) => h("option", { value: v }, t)));
  if (options.some(([v]) => v === chosen)) {
    to.value = chosen;
  }
}

function drawPolls(model: RoomModel, act: RoomActions): void {
  const polls = [...model.polls.values()].slice(-3);
  const sig = JSON.stringify(polls.map((p) => [p.pollId, p.open, p.answered, p.counts, [...p.answers]]));
  redraw(byId("polls"), sig, polls.length === 0 ? [h("p", { class: "hint" }, "No check-in yet.")] : polls.map((p) => {
    const mine = p.answers.get(model.myId);
    const values = p.scale ? Array.from({ length: p.scale.max - p.scale.min + 1 }, (_, i) => p.scale!.min + i) : (p.choices ?? []).map((_, i) => i);
    const labelOf = (v: number) => (p.scale ? String(v) : p.choices?.[v] ?? String(v));
    const canAnswer = p.open && !model.staff && model.me?.role !== Role.OBSERVER;
    return h("div", { class: "poll-item" },
      h("p", {}, h("strong", {}, p.question), p.open ? " (open)" : " (closed)"),
      canAnswer && h("div", { class: "actions", role: "group", "aria-label": p.question },
        ...values.map((v) => h("button", { type: "button", class: "small", "data-key": `poll${p.pollId}-${v}`, "aria-pressed": String(mine === v),
          click: () => act.answerPoll(p.pollId, v, !p.scale) }, labelOf(v)))),
      mine !== undefined && !model.staff && h("p", { class: "hint" }, `Your answer: ${labelOf(mine)}`),
      model.staff && h("p", { class: "hint" }, `${p.answers.size} answered: ` +
        [...p.answers].map(([id, v]) => `${model.name(id)} ${labelOf(v)}`).join(", ")),
      !model.staff && !p.open && p.counts.length > 0 && h("p", { class: "hint" }, "Group: " + p.counts.map((c, i) => `${labelOf(p.scale ? p.scale.min + i : i)}: ${c}`).join(", ")),
    );
  }));
}

function drawOwnSignal(model: RoomModel): void {
  const mine = [...model.alerts.values()].filter((a) => a.from === model.myId).pop();
  const status = byId("distress-status");
  if (!mine) {
    status.textContent = "";
    return;
  }
  status.textContent = mine.acknowledgedBy
    ? `${model.name(mine.acknowledgedBy)} saw your signal and will reach out.`
    : "Signal sent. Only the facilitators can see it.";
}
