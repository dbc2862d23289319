// The worksheets panel for everyone who reads sheets: the list of readable
// sheets, a personal sheet started from the template library, the chosen
// sheet as a form, sharing for its owner, and presence (who is in which
// field), and saving the sheet as a document. Presence goes out on focus
// and blur of the form's controls.
import { Role } from "../gen/hearth/v1/role_pb";
import { WorksheetError, WorksheetScope, WorksheetSharing } from "../gen/hearth/v1/worksheet_pb";
import type { ClientCommand } from "../proto/frame";
import type { RoomModel } from "../state/room_model";
import type { SheetEntry, Viewer, Worksheets } from "../worksheets/sheets";
import type { WorksheetSync } from "../worksheets/sync";
import { byId, h, redraw, show } from "./dom";
import { SheetForm } from "./worksheet_fields";
import { saveControls, type Request } from "./worksheet_save";

export interface WorksheetViewDeps {
  model: RoomModel;
  sheets: Worksheets;
  sync: WorksheetSync;
  run(command: ClientCommand, done?: string): void;
  /** Like run, without a toast on success; resolves with the reply's instance ids. */
  ask(command: ClientCommand): Promise<string[]>;
  /** The plain request, for replies that carry data (an exported sheet). */
  request: Request;
  toast(text: string): void;
  say(text: string): void;
  newItemId(): string;
}

const ws = (kind: Record<string, unknown> & { case: string }): ClientCommand =>
  ({ case: "worksheet", value: { kind } }) as ClientCommand;
export { ws as worksheetCommand };

export function viewer(model: RoomModel): Viewer {
  return { id: model.myId, role: model.me?.role ?? Role.UNSPECIFIED, name: (id) => model.name(id) };
}

export function refusalText(e: WorksheetError | "room"): string {
  switch (e) {
    case WorksheetError.TOO_LONG: return "That is longer than this field allows. The worksheet shows what was saved.";
    case WorksheetError.NOT_ALLOWED:
    case "room": return "That change was not accepted. The worksheet shows what was saved.";
    case WorksheetError.TOO_MANY_ITEMS: return "This list is full.";
    case WorksheetError.OUT_OF_RANGE: return "That value is outside the scale.";
    case WorksheetError.BAD_DATE: return "That is not a valid date.";
    default: return "That change could not be saved. The worksheet shows what was saved.";
  }
}

export function sheetLabel(model: RoomModel, e: SheetEntry): string {
  switch (e.meta.scope) {
    case WorksheetScope.SESSION: return `${e.form.title} (everyone)`;
    case WorksheetScope.FAMILY: return `${e.form.title} (family)`;
    default: {
      const owner = e.meta.ownerMember === model.myId ? "yours" : `${model.name(e.meta.ownerMember)}'s`;
      const shared = e.sharing === WorksheetSharing.GROUP ? ", shared with the group" : e.sharing === WorksheetSharing.FAMILY ? ", shared with the family" : "";
      return `${e.form.title} (${owner}${shared})`;
    }
  }
}

const presenceRefreshMs = 50_000;

export class WorksheetView {
  private active: string | undefined;
  private readonly forms = new Map<string, SheetForm>();
  private sentSpot = "";
  private templatesAsked = false;
  private formRole: Role | undefined;

  constructor(private readonly d: WorksheetViewDeps) {
    const box = byId("ws-sheet");
    box.addEventListener("focusin", () => this.presenceSoon());
    box.addEventListener("focusout", () => this.presenceSoon());
    // The server forgets a presence nobody repeats (worksheet-presence-ms,
    // two minutes by default): while in a field, say so again now and then.
    setInterval(() => {
      if (this.sentSpot) {
        this.sentSpot = "";
        this.presenceSoon();
      }
    }, presenceRefreshMs);
    byId<HTMLFormElement>("ws-open-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const templateId = byId<HTMLSelectElement>("ws-template").value;
      if (templateId) {
        d.ask(ws({ case: "open", value: { templateId } })).then((ids) => {
          this.active = ids[0] ?? this.active;
          this.draw();
        }, () => {});
      }
    });
  }

  /** The sheet shown now (tests and the console read it). */
  get activeId(): string | undefined {
    return this.active;
  }

  show(instanceId: string): void {
    this.active = instanceId;
    this.draw();
    this.presenceSoon(); // the field left behind may not report its blur
  }

  /** Once online: the template library, for starting a personal sheet or pushing one. */
  loadTemplates(): void {
    if (this.templatesAsked) {
      return;
    }
    this.templatesAsked = true;
    this.d.ask(ws({ case: "listTemplates", value: {} })).catch(() => (this.templatesAsked = false));
  }

  /** Presence is cleared by the server on a drop: say again where we are. */
  rejoined(): void {
    this.sentSpot = "";
    this.presenceSoon();
  }

  draw(): void {
    const { model, sheets } = this.d;
    const me = viewer(model);
    const canOpen = me.role === Role.PARTICIPANT || me.role === Role.FAMILY_MEMBER;
    show(byId("ws-open-form"), canOpen && sheets.templates.length > 0);
    const select = byId<HTMLSelectElement>("ws-template");
    redraw(select, sheets.templates.map((t) => t.id).join(","), sheets.templates.map((t) => h("option", { value: t.id }, t.title)));

    // Forms are built for one role (what is read-only); a new role rebuilds them.
    if (this.formRole !== me.role) {
      this.formRole = me.role;
      this.forms.clear();
      byId("ws-sheet").dataset.instance = "";
    }
    for (const id of this.forms.keys()) {
      if (!sheets.sheets.has(id)) {
        this.forms.delete(id);
      }
    }
    const all = [...sheets.sheets.values()];
    if (!this.active || !sheets.sheets.has(this.active)) {
      this.active = all.length ? all[all.length - 1].instanceId : undefined;
    }
    redraw(byId("ws-list"), JSON.stringify([all.map((e) => [e.instanceId, sheetLabel(model, e)]), this.active]), all.length === 0
      ? [h("li", { class: "hint" }, "No worksheet yet.")]
      : all.map((e) => h("li", {}, h("button", {
        type: "button", class: "small", "data-key": `wsl-${e.instanceId}`, "aria-pressed": String(e.instanceId === this.active),
        click: () => this.show(e.instanceId),
      }, sheetLabel(model, e)))));
    this.drawActive(me);
  }

  private drawActive(me: Viewer): void {
    const box = byId("ws-sheet");
    const entry = this.active ? this.d.sheets.sheets.get(this.active) : undefined;
    if (!entry) {
      box.replaceChildren();
      box.dataset.instance = "";
      return;
    }
    let form = this.forms.get(entry.instanceId);
    if (!form) {
      form = new SheetForm(entry, {
        edit: (op) => this.d.sync.edit(entry.instanceId, op),
        mayWrite: (field, author) => this.d.sheets.mayWrite(entry, viewer(this.d.model), field, author),
        whoIsAt: (field, item) => this.d.sheets.whoIsAt(entry.instanceId, field, item).filter((id) => id !== this.d.model.myId).map((id) => this.d.model.name(id)),
        newItemId: this.d.newItemId,
        refused: (e) => this.d.toast(refusalText(e)),
        name: (id) => this.d.model.name(id),
      });
      this.forms.set(entry.instanceId, form);
    }
    if (box.dataset.instance !== entry.instanceId) {
      box.dataset.instance = entry.instanceId;
      box.replaceChildren(
        h("h3", { id: "ws-title" }, entry.form.title),
        entry.form.purpose ? h("p", { class: "hint" }, entry.form.purpose) : "",
        h("p", { id: "ws-stale", class: "soon", hidden: true }, "This worksheet missed changes from the server. Reload the page to see the latest version."),
        h("div", { id: "ws-share", class: "actions" }),
        saveControls(entry.instanceId, this.d.request, () => this.d.sheets.sheets.get(entry.instanceId)?.replica.idle ?? true),
        form.root,
      );
    }
    show(byId("ws-stale"), entry.outOfSync);
    this.drawSharing(entry, me);
    form.update();
  }

  private drawSharing(entry: SheetEntry, me: Viewer): void {
    const mine = entry.meta.scope === WorksheetScope.PERSONAL && entry.meta.ownerMember === me.id;
    const share = (sharing: WorksheetSharing, done: string) =>
      this.d.run(ws({ case: "share", value: { instanceId: entry.instanceId, sharing } }), done);
    const state = entry.sharing === WorksheetSharing.GROUP ? "Shared with the group." : entry.sharing === WorksheetSharing.FAMILY ? "Shared with your family." : "Only you and the facilitators see this worksheet.";
    redraw(byId("ws-share"), JSON.stringify([entry.instanceId, mine, entry.sharing]), !mine ? [] : [
      h("p", { class: "hint", id: "ws-share-state" }, state),
      entry.sharing !== WorksheetSharing.GROUP && h("button", { type: "button", class: "small", "data-key": "ws-share-group",
        click: () => share(WorksheetSharing.GROUP, "Shared with the group.") }, "Share with the group"),
      entry.sharing !== WorksheetSharing.FAMILY && h("button", { type: "button", class: "small", "data-key": "ws-share-family",
        click: () => share(WorksheetSharing.FAMILY, "Shared with your family.") }, "Share with my family"),
      entry.sharing !== WorksheetSharing.UNSPECIFIED && h("button", { type: "button", class: "small", "data-key": "ws-share-stop",
        click: () => share(WorksheetSharing.UNSPECIFIED, "You stopped sharing this worksheet.") }, "Stop sharing"),
    ].filter((n) => n !== false) as HTMLElement[]);
  }

  // Focus moves in steps (blur, then focus): decide once it has settled,
  // and send only a change.
  private presenceSoon(): void {
    setTimeout(() => {
      const el = document.activeElement as HTMLElement | null;
      const box = byId("ws-sheet");
      const instanceId = box.dataset.instance ?? "";
      const inside = el && box.contains(el) && el.dataset.wsField !== undefined;
      const field = inside ? el.dataset.wsField! : "";
      const item = inside ? el.dataset.wsItem ?? "" : "";
      const spot = instanceId && field ? `${instanceId}/${field}/${item}` : "";
      if (spot === this.sentSpot || !instanceId || (spot === "" && this.sentSpot === "")) {
        return;
      }
      const leaving = this.sentSpot.split("/")[0];
      this.sentSpot = spot;
      this.d.ask(ws({ case: "presence", value: { instanceId: spot ? instanceId : leaving, fieldId: field, itemId: item } })).catch(() => {});
    }, 0);
  }
}
