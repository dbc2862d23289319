// Entry point: reads the join link's token from the URL fragment (which
// browsers never send to a server), connects, and wires the page's controls.
import { Connection, type LinkState } from "./net/connection";
import { RoomModel, type Announcement } from "./state/room_model";
import { byId, show } from "./ui/dom";
import { drawClock, drawRoom } from "./ui/room_view";
import { drawConsole, handButtons, memberButtons, type ConsoleActions } from "./ui/console_view";
import { chatTarget, errorText, floor, lobby, moderate, moderation, poll } from "./ui/commands";
import { wireControls } from "./ui/controls";
import { drawBreakoutClock, drawBreakouts, wireBreakoutView } from "./ui/breakout_view";
import { breakout, drawBreakoutConsole, wireBreakoutConsole, type BreakoutConsoleDeps } from "./ui/breakout_console";
import { ConsentState } from "./gen/hearth/v1/lobby_pb";
import type { ClientCommand } from "./proto/frame";

function takeToken(): string {
  const params = new URLSearchParams(location.hash.slice(1));
  const fromLink = params.get("token");
  if (fromLink) {
    sessionStorage.setItem("hearth.token", fromLink);
    // Out of the address bar and history, so it is not shared by accident.
    history.replaceState(null, "", location.pathname);
    return fromLink;
  }
  return sessionStorage.getItem("hearth.token") ?? "";
}

const model = new RoomModel();
let clockOffset = 0; // server time minus local time
let toastTimer: ReturnType<typeof setTimeout> | undefined;

function toast(text: string): void {
  const el = byId("toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 5000);
}

function announce(items: Announcement[]): void {
  for (const a of items) {
    const el = byId(a.urgent ? "alert" : "announce");
    // Clear first so that the same words twice are announced twice.
    el.textContent = "";
    setTimeout(() => (el.textContent = a.text), 50);
  }
}

function showScreen(state: LinkState, detail: string): void {
  const link = byId("link-state");
  link.dataset.state = state;
  const words: Record<LinkState, string> = {
    connecting: "Connecting…", waiting: "Connected — waiting room", online: "Connected",
    reconnecting: detail.startsWith("Reconnecting") ? detail : "Reconnecting…", closed: "Disconnected",
  };
  link.textContent = words[state];
  if (state === "closed") {
    byId("closed-text").textContent = detail;
  }
  show(byId("closed"), state === "closed");
  show(byId("lobby"), state === "waiting");
  // While reconnecting the room stays on screen (greyed by the status bar).
  if (state === "online" || state === "closed" || state === "waiting") {
    show(byId("room"), state === "online");
  }
}

const token = takeToken();
const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/ws`;

function run(command: ClientCommand, done?: string): void {
  conn.request(command).then((reply) => {
    if (reply.outcome.case === "error") {
      toast(errorText(reply.outcome.value.code));
    } else if (done) {
      toast(done);
    }
  }, (e: Error) => toast(e.message));
}

const consoleActions: ConsoleActions = {
  acknowledge: (signalId) => run({ case: "acknowledgeDistress", value: { signalId } }),
  admit: (p) => run(lobby({ case: "admit", value: { waitingId: p.waitingId, attestConsent: p.consent === ConsentState.NONE && confirm(`Attest that ${p.displayName} gave consent to observe?`) } })),
  deny: (waitingId) => run(lobby({ case: "deny", value: { waitingId } })),
  moderate: (memberId, what) => {
    if ((what === "remove" || what === "ban") && !confirm(`${what === "ban" ? "Ban" : "Remove"} ${model.name(memberId)}?`)) {
      return;
    }
    run(moderate(memberId, what));
  },
  grant: (memberId) => run(floor({ case: "grantFloor", value: { memberId } })),
  lowerHand: (memberId) => run(floor({ case: "lowerHand", value: { memberId } })),
  moveHand: (memberId, position) => run(floor({ case: "moveHand", value: { memberId, position } })),
  privateTo: (memberId) => {
    byId<HTMLSelectElement>("chat-to").value = `p${memberId}`;
    byId("chat-text").focus();
  },
};

function draw(): void {
  drawRoom(model, {
    answerPoll: (pollId, value, isChoice) => run(poll({ case: "answer", value: { pollId, answer: { case: isChoice ? "choice" : "value", value } } })),
    memberActions: (id) => memberButtons(model, id, consoleActions),
    handActions: (id, i) => handButtons(model, id, i, consoleActions),
  });
  drawConsole(model, consoleActions);
  drawBreakouts(model);
  drawBreakoutConsole(model, breakoutDeps);
}

const breakoutDeps: BreakoutConsoleDeps = { model, run: (c, done) => run(c, done), toast, redrawAll: () => draw() };

const conn = new Connection({
  url,
  token,
  handlers: {
    state: showScreen,
    hello: () => {},
    joined: (result, fresh) => {
      if (fresh) {
        model.reset(result);
      }
      draw();
    },
    moved: (result) => {
      model.moved(result);
      announce([{ text: result.breakoutId === 0 ? "You are in the main room." : `You are in the breakout room ${model.breakouts.roomName(result.breakoutId)}.`, urgent: false }]);
      draw();
    },
    lobby: (status) => {
      byId("lobby-message").textContent = status.message;
      if (status.message) {
        announce([{ text: `Message from the facilitator: ${status.message}`, urgent: false }]);
      }
    },
    event: (event) => {
      announce(model.apply(event));
      draw();
    },
    serverTime: (ms) => (clockOffset = ms - Date.now()),
    outboxChanged: (pending) => {
      const note = byId("pending-note");
      note.textContent = pending.length ? `${pending.length} message${pending.length > 1 ? "s" : ""} waiting to send` : "";
      show(note, pending.length > 0);
      const list = byId("outbox");
      list.replaceChildren(...pending.map((p) => Object.assign(document.createElement("li"), { textContent: `Sending: ${p.text}` })));
    },
    chatRefused: (item, reply) => {
      const box = byId<HTMLTextAreaElement>("chat-text");
      if (!box.value) {
        box.value = item.text; // give the words back rather than lose them
      }
      toast(reply.outcome.case === "error" ? errorText(reply.outcome.value.code) : "Not sent.");
    },
  },
});

wireControls({ model, conn, run, chatTarget, floor, lobby, moderation, poll, toast });
wireBreakoutView(() => conn.request(breakout({ case: "callFacilitator", value: {} })).then((reply) => {
  if (reply.outcome.case === "error") {
    byId("call-status").textContent = `The call did not go through: ${errorText(reply.outcome.value.code)}`;
  }
}, (e: Error) => (byId("call-status").textContent = e.message)), draw);
wireBreakoutConsole(breakoutDeps);
setInterval(() => {
  drawClock(model, Date.now() + clockOffset);
  drawBreakoutClock(model, Date.now() + clockOffset);
}, 250);
addEventListener("online", () => conn.retryNow());

if (!token) {
  showScreen("closed", "Open this page from your join link.");
} else {
  conn.start();
}
