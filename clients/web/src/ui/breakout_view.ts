// Breakout rooms as everyone sees them: which room of the session one is in
// (in the status bar and on a card), the countdown to the end, the warning,
// the latest message to every room, and, in a breakout, the button that
// calls a facilitator with the confirmation that the call went.
import { Role } from "../gen/hearth/v1/role_pb";
import type { RoomModel } from "../state/room_model";
import { byId, show } from "./dom";
import { clockText } from "./text";

let dismissedBroadcast = "";

export function wireBreakoutView(callFacilitator: () => void, redrawAll: () => void): void {
  byId("call-fac").addEventListener("click", () => {
    byId("call-status").textContent = "Calling a facilitator…";
    callFacilitator();
  });
  byId("broadcast-dismiss").addEventListener("click", () => {
    dismissedBroadcast = byId("broadcast").dataset.key ?? "";
    redrawAll();
    byId("main").focus();
  });
}

export function drawBreakouts(model: RoomModel): void {
  const bo = model.breakouts;
  const visible = bo.open || bo.here !== 0;
  const where = byId("where");
  where.textContent = bo.whereText();
  show(where, visible);
  show(byId("breakout-card"), visible);
  byId("breakout-where").textContent = bo.here === 0
    ? "You are in the main room."
    : `You are in the breakout room ${bo.roomName(bo.here)}.`;

  const me = model.me;
  const canCall = bo.here !== 0 && me !== undefined && (me.role === Role.PARTICIPANT || me.role === Role.FAMILY_MEMBER || me.role === Role.OBSERVER);
  show(byId("call-box"), canCall);
  const call = bo.myCall(model.myId);
  const status = byId("call-status");
  if (call) {
    status.textContent = `A facilitator has been called (${new Date(call.atMs).toLocaleTimeString()}) and will join you.`;
  } else if (!canCall) {
    status.textContent = ""; // otherwise "Calling…" or why the call did not go stays
  }

  const latest = bo.broadcasts.at(-1);
  const box = byId("broadcast");
  const showIt = latest !== undefined && latest.key !== dismissedBroadcast;
  show(box, showIt);
  if (latest && showIt) {
    box.dataset.key = latest.key;
    byId("broadcast-h").textContent = `Message to every room from ${model.name(latest.from)}`;
    byId("broadcast-text").textContent = latest.text;
  }
}

/** Redrawn every 250 ms: the time left, from the server's ends_at_ms. */
export function drawBreakoutClock(model: RoomModel, serverNow: number): void {
  const state = model.breakouts.state;
  const clock = byId("breakout-clock");
  const soon = byId("breakout-soon");
  const ends = Number(state?.endsAtMs ?? 0n);
  if (!state || ends === 0) {
    clock.textContent = state ? "No timer" : "";
    show(soon, false);
    return;
  }
  const left = Math.max(0, ends - serverNow);
  clock.textContent = `${clockText(left)} left`;
  const warnAt = Number(state.warningAtMs);
  const ending = warnAt !== 0 && serverNow >= warnAt;
  clock.classList.toggle("soon-clock", ending);
  show(soon, ending);
  soon.textContent = ending ? "Ending soon: everyone goes back to the main room when the time is up." : "";
}
