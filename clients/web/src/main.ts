// Entry point: reads the join link's token from the URL fragment (which
// browsers never send to a server), connects, and wires the page's controls.
import { Connection, type LinkState } from "./net/connection";
import { RoomModel, type Announcement } from "./state/room_model";
import { byId, show } from "./ui/dom";
import { drawClock, drawRoom } from "./ui/room_view";
import { drawConsole, handButtons, memberButtons, type ConsoleActions } from "./ui/console_view";
import { chatTarget, errorText, floor, lobby, moderate, moderation, poll } from "./ui/commands";
import { wireControls } from "./ui/controls";
import { saveDraft } from "./ui/chat_draft";
import { RoundOrderEditor } from "./ui/round_order";
import { drawBreakoutClock, drawBreakouts, wireBreakoutView } from "./ui/breakout_view";
import { breakout, drawBreakoutConsole, wireBreakoutConsole, type BreakoutConsoleDeps } from "./ui/breakout_console";
import { ConsentState } from "./gen/hearth/v1/lobby_pb";
import type { ClientCommand } from "./proto/frame";
import { Worksheets } from "./worksheets/sheets";
import { WorksheetSync } from "./worksheets/sync";
import { refusalText, viewer, WorksheetView } from "./ui/worksheet_view";
import { Attendance } from "./state/attendance";
import { AttendanceSync } from "./state/attendance_sync";
import { drawAttendance } from "./ui/attendance_view";
import { drawWorksheetConsole, wireWorksheetConsole, type WorksheetConsoleDeps } from "./ui/worksheet_console";
import { TemplateConsole } from "./ui/template_console";

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

/**
 * The worksheet client id: the tab's id (kept in sessionStorage) and the
 * page load's number in that tab. It survives reconnects; a reload gets a
 * new one, since client_seq restarts at 1 and the server would take the new
 * batches for resubmissions of the old ones.
 */
function worksheetClientId(): string {
  let tab = sessionStorage.getItem("hearth.tab") ?? "";
  if (!/^[a-z0-9]{12}$/.test(tab)) {
    tab = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => (b % 36).toString(36)).join("");
    sessionStorage.setItem("hearth.tab", tab);
  }
  const load = Number(sessionStorage.getItem("hearth.loads") ?? "0") + 1;
  sessionStorage.setItem("hearth.loads", String(load));
  return `${tab}-${load}`;
}

const model = new RoomModel();
const attendance = new Attendance();
const sheets = new Worksheets(worksheetClientId());
let nextItem = 1;
let clockOffset = 0; // server time minus local time
let roomEpoch = "";
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
  if (state === "online") {
    // After every join: what was in flight goes again at once, and presence
    // (cleared by the server on the drop) is said again.
    sync.rejoined();
    wsView.rejoined();
    wsView.loadTemplates();
    templateConsole.joined();
    attendanceSync.joined();
  } else if (state === "reconnecting" || state === "closed") {
    attendanceSync.offline();
  }
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
  roundOrder.draw();
  drawBreakouts(model);
  drawBreakoutConsole(model, breakoutDeps);
  wsView.draw();
  drawWorksheetConsole(wsConsole);
  templateConsole.draw();
  drawAttendance(model, attendance, Date.now() + clockOffset);
}

// Worksheet commands answered with data: sheets made, or the template library.
function ask(command: ClientCommand): Promise<string[]> {
  return conn.request(command).then((reply) => {
    if (reply.outcome.case === "error") {
      toast(errorText(reply.outcome.value.code));
      throw new Error("refused");
    }
    if (reply.outcome.case === "worksheet" && reply.outcome.value.templates.length > 0) {
      sheets.templates = reply.outcome.value.templates;
      draw();
    }
    return reply.outcome.case === "worksheet" ? reply.outcome.value.instanceIds : [];
  });
}

const sync = new WorksheetSync(sheets, {
  request: (c) => conn.request(c),
  online: () => conn.linkState === "online",
  changed: () => draw(),
  refused: (_id, e) => {
    toast(refusalText(e));
    announce([{ text: refusalText(e), urgent: false }]);
  },
});
const wsView = new WorksheetView({
  model, sheets, sync, run: (c, done) => run(c, done), ask, toast, request: (c) => conn.request(c),
  say: (text) => announce([{ text, urgent: false }]),
  newItemId: () => `${sheets.clientId}-${nextItem++}`,
});
const wsConsole: WorksheetConsoleDeps = { model, sheets, ask, toast, showSheet: (id) => wsView.show(id) };
const templateConsole = new TemplateConsole({ model, sheets, request: (c) => conn.request(c),
  online: () => conn.linkState === "online", redrawAll: () => draw() });

// The console's attendance so far, from the clinic's record; only facilitators ask.
const attendanceSync = new AttendanceSync(attendance, {
  request: (c) => conn.request(c),
  mayAsk: () => model.staff && conn.linkState === "online",
  changed: () => drawAttendance(model, attendance, Date.now() + clockOffset),
});

const breakoutDeps: BreakoutConsoleDeps = { model, run: (c, done) => run(c, done), toast, redrawAll: () => draw() };

const conn = new Connection({
  url,
  token,
  handlers: {
    state: showScreen,
    hello: () => {},
    joined: (result, fresh) => {
      if (fresh) {
        if (result.epoch !== roomEpoch) {
          attendance.clear(); // a restarted room numbers its members anew
          roomEpoch = result.epoch;
        }
        model.reset(result);
        announce(sheets.reset(result.snapshot?.worksheets ?? [], viewer(model)));
      }
      sheets.clearPresence(); // never replayed: others say again where they are
      draw();
    },
    moved: (result) => {
      model.moved(result);
      announce(sheets.reset(result.snapshot?.worksheets ?? [], viewer(model)));
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
      if (["memberJoined", "memberLeft", "memberPresence", "memberRoleChanged"].includes(event.body.case ?? "")) {
        attendanceSync.rosterChanged();
      }
      announce(sheets.apply(event, viewer(model)));
      if (event.body.case === "worksheetCommitted") {
        sync.flush(event.body.value.commit?.instanceId ?? "");
      }
      draw();
    },
    serverTime: (ms) => {
      clockOffset = ms - Date.now();
    },
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
        saveDraft(box.value);
      }
      toast(reply.outcome.case === "error" ? errorText(reply.outcome.value.code) : "Not sent.");
    },
  },
});

const roundOrder = new RoundOrderEditor(model);
wireControls({ model, conn, run, chatTarget, floor, lobby, moderation, poll, toast, customOrder: () => roundOrder.customOrder() });
wireBreakoutView(() => conn.request(breakout({ case: "callFacilitator", value: {} })).then((reply) => {
  if (reply.outcome.case === "error") {
    byId("call-status").textContent = `The call did not go through: ${errorText(reply.outcome.value.code)}`;
  }
}, (e: Error) => (byId("call-status").textContent = e.message)), draw);
wireBreakoutConsole(breakoutDeps);
wireWorksheetConsole(wsConsole);
setInterval(() => {
  drawClock(model, Date.now() + clockOffset);
  drawBreakoutClock(model, Date.now() + clockOffset);
  drawAttendance(model, attendance, Date.now() + clockOffset); // the minutes go on
}, 250);
addEventListener("online", () => conn.retryNow());

if (!token) {
  showScreen("closed", "Open this page from your join link.");
} else {
  conn.start();
}
