// The page's fixed controls: the floor buttons, the distress signal (press,
// then confirm), the chat form (its draft survives a reload), and the
// console's floor, round, lobby and poll forms.
import type { Connection } from "../net/connection";
import type { RoomModel } from "../state/room_model";
import type { ClientCommand } from "../proto/frame";
import { ChatScope } from "../gen/hearth/v1/room_pb";
import { ExpiryAction, FloorMode } from "../gen/hearth/v1/floor_pb";
import { byId, show } from "./dom";
import { clearDraft, loadDraft, saveDraft } from "./chat_draft";

type Build = (action: Record<string, unknown> & { case: string }) => ClientCommand;

export interface ControlDeps {
  model: RoomModel;
  conn: Connection;
  run(command: ClientCommand, done?: string): void;
  chatTarget(value: string): { scope: ChatScope; to: number };
  floor: Build;
  lobby: Build;
  moderation: Build;
  poll: Build;
  toast(text: string): void;
  /** The console's custom round order (member ids). */
  customOrder(): number[];
}

function click(id: string, fn: () => void): void {
  byId(id).addEventListener("click", fn);
}

export function wireControls(d: ControlDeps): void {
  const { run, floor, lobby, moderation, poll } = d;
  click("raise", () => run(floor({ case: "raiseHand", value: {} })));
  click("lower", () => run(floor({ case: "lowerHand", value: {} })));
  click("done", () => run(floor({ case: "yieldFloor", value: {} })));
  click("pass", () => run(floor({ case: "passTurn", value: {} })));

  // Two deliberate steps, so that the signal is never sent by a stray tap.
  const confirmBox = byId("distress-confirm");
  let cancelTimer: ReturnType<typeof setTimeout> | undefined;
  const closeConfirm = () => {
    show(confirmBox, false);
    show(byId("distress-open"), true);
    clearTimeout(cancelTimer);
  };
  click("distress-open", () => {
    show(confirmBox, true);
    show(byId("distress-open"), false);
    byId("distress-send").focus();
    cancelTimer = setTimeout(closeConfirm, 15_000);
  });
  click("distress-cancel", () => {
    closeConfirm();
    byId("distress-open").focus();
  });
  click("distress-send", () => {
    closeConfirm();
    run({ case: "signalDistress", value: {} });
    byId("distress-status").textContent = "Sending your signal…";
  });

  const text = byId<HTMLTextAreaElement>("chat-text");
  text.value = loadDraft(); // what was being typed before a reload
  text.addEventListener("input", () => saveDraft(text.value));
  byId<HTMLFormElement>("chat-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const body = text.value.trim();
    if (!body) {
      return;
    }
    const { scope, to } = d.chatTarget(byId<HTMLSelectElement>("chat-to").value);
    d.conn.sendChat(body, scope, to);
    text.value = "";
    clearDraft();
  });
  // Enter sends, Shift+Enter makes a new line.
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      byId<HTMLFormElement>("chat-form").requestSubmit();
    }
  });

  // Console: floor and rounds.
  byId<HTMLSelectElement>("floor-mode").addEventListener("change", (e) =>
    run(floor({ case: "setMode", value: { mode: Number((e.target as HTMLSelectElement).value) as FloorMode } })));
  click("grant-next", () => run(floor({ case: "grantFloor", value: { memberId: 0 } })));
  click("revoke", () => run(floor({ case: "revokeFloor", value: {} })));
  click("round-start", () => {
    const seconds = Number(byId<HTMLInputElement>("round-budget").value) || 0;
    const order = Number(byId<HTMLSelectElement>("round-order").value);
    run(floor({ case: "startRound", value: {
      order,
      customOrder: order === 2 ? d.customOrder() : [],
      label: byId<HTMLInputElement>("round-label").value,
      timing: { budgetMs: seconds * 1000, warningBeforeMs: seconds > 20 ? 10_000 : 0, onExpiry: ExpiryAction.ADVANCE },
    } }));
  });
  click("round-skip", () => run(floor({ case: "skipTurn", value: {} })));
  click("round-extend", () => run(floor({ case: "extendTurn", value: { extraMs: 30_000 } })));
  click("round-pause", () => run(floor({ case: "pause", value: {} })));
  click("round-resume", () => run(floor({ case: "resume", value: {} })));
  click("round-end", () => run(floor({ case: "endRound", value: {} })));

  // Console: lobby and room.
  click("admit-all", () => run(lobby({ case: "admitAll", value: {} })));
  click("deny-all", () => confirm("Deny everyone waiting?") && run(lobby({ case: "denyAll", value: {} })));
  byId<HTMLFormElement>("lobby-msg-form").addEventListener("submit", (e) => {
    e.preventDefault();
    run(lobby({ case: "setMessage", value: { text: byId<HTMLInputElement>("lobby-msg").value } }), "Message set for the waiting room.");
  });
  click("lock", () => run(moderation(d.model.locked ? { case: "unlock", value: {} } : { case: "lock", value: {} })));
  click("end-session", () => confirm("End the session for everyone?") && run(moderation({ case: "endSession", value: {} })));

  byId<HTMLFormElement>("poll-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const question = byId<HTMLInputElement>("poll-q").value.trim();
    const choices = byId<HTMLInputElement>("poll-choices").value.split(",").map((s) => s.trim()).filter(Boolean);
    const kind = choices.length >= 2 ? { case: "choices", value: { choices } } : { case: "scale", value: { min: 0, max: 10 } };
    run(poll({ case: "start", value: { question, kind } }));
  });
  byId<HTMLFormElement>("poll-form").insertAdjacentElement("afterend", closePollButton(d));
}

function closePollButton(d: ControlDeps): HTMLElement {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = "Close check-in";
  b.dataset.for = "staff";
  b.hidden = true;
  b.addEventListener("click", () => {
    const open = [...d.model.polls.values()].find((p) => p.open);
    if (open) {
      d.run(d.poll({ case: "close", value: { pollId: open.pollId } }));
    }
  });
  return b;
}
