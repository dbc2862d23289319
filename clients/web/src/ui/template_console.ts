// The console's template library: every template with its version, built-in
// ones marked as such, and for facilitators' own (c_) templates "Edit" (the
// form, to save the next version) and "Retire" (after a confirmation).
// "Show retired templates" lists retired ones too, marked. After a save or a
// retirement the library is asked again, so that the push menu is current:
// the server announces neither (decision 0008).
import type { Reply } from "../gen/hearth/v1/envelope_pb";
import { ErrorCode } from "../gen/hearth/v1/errors_pb";
import type { WorksheetTemplate } from "../gen/hearth/v1/worksheet_pb";
import type { RoomModel } from "../state/room_model";
import type { Worksheets } from "../worksheets/sheets";
import {
  draftFromTemplate, newDraft, templateFromDraft, templateRows, type TemplateDraft, type TemplateRow,
} from "../worksheets/template_draft";
import { errorText } from "./commands";
import { byId, h, redraw } from "./dom";
import { TemplateEditor } from "./template_editor";
import { worksheetCommand } from "./worksheet_view";
import type { Request } from "./worksheet_save";

export interface TemplateConsoleDeps {
  model: RoomModel;
  sheets: Worksheets;
  request: Request;
  online(): boolean;
  /** Draws the page again (the push menu and the personal-sheet library). */
  redrawAll(): void;
}

/**
 * A refusal of a save or retirement in words. The server's reason is shown
 * for a template it found wrong (107), retired or built-in (117) or over a
 * limit (106): it names the field and the rule, and carries no therapy content.
 */
export function templateRefusal(code: ErrorCode, message: string, done = "saved"): string {
  switch (code) {
    case ErrorCode.BAD_REQUEST:
    case ErrorCode.FAILED_PRECONDITION:
    case ErrorCode.LIMIT_EXCEEDED:
      return `Not ${done}: ${message}.`;
    case ErrorCode.TOO_MANY_REQUESTS:
    case ErrorCode.INTERNAL:
      return `Not ${done} yet: ${message}.`;
    default:
      return `Not ${done}: ${errorText(code)}`;
  }
}

const failed = (reply: Reply, done?: string): string | undefined =>
  reply.outcome.case === "error" ? templateRefusal(reply.outcome.value.code, reply.outcome.value.message, done) : undefined;

export class TemplateConsole {
  private all: WorksheetTemplate[] | undefined;
  private asked = false;
  private showRetired = false;
  private saving = false;
  private readonly editor: TemplateEditor;

  constructor(private readonly d: TemplateConsoleDeps) {
    this.editor = new TemplateEditor({ save: (draft) => void this.save(draft), closed: () => byId("tpl-new").focus() });
    byId("tpl-new").addEventListener("click", () => {
      this.status("");
      this.editor.open(newDraft());
    });
    const toggle = byId<HTMLInputElement>("tpl-show-retired");
    toggle.addEventListener("change", () => {
      this.showRetired = toggle.checked;
      this.draw();
      void this.refresh();
    });
  }

  /** After every join: templates may have changed meanwhile. */
  joined(): void {
    this.asked = false;
    this.draw();
  }

  /** Asks for the library, with and without retired templates (the difference is what is retired). */
  async refresh(): Promise<void> {
    this.asked = true;
    const list = (includeRetired: boolean) => this.d.request(worksheetCommand({ case: "listTemplates", value: { includeRetired } }))
      .then((r) => (r.outcome.case === "worksheet" ? r.outcome.value.templates : undefined));
    try {
      const [current, all] = await Promise.all([list(false), list(true)]);
      if (current) {
        this.d.sheets.templates = current;
      }
      if (all) {
        this.all = all;
      }
    } catch {
      this.asked = false; // not connected: asked again once online
      return;
    }
    this.d.redrawAll();
  }

  draw(): void {
    if (!this.d.model.staff) {
      return;
    }
    // A member made co-facilitator gets the library here too.
    if (!this.asked && this.d.online()) {
      void this.refresh();
    }
    const rows = templateRows(this.d.sheets.templates, this.all).filter((r) => this.showRetired || !r.retired);
    const sig = JSON.stringify(rows.map((r) => [r.template.id, r.template.version, r.template.title, r.retired]));
    redraw(byId("tpl-list"), sig, rows.map((r) => this.row(r)));
  }

  private row({ template: t, custom, retired }: TemplateRow): HTMLElement {
    const what = `“${t.title}” (version ${t.version})`;
    return h("li", { "data-template": t.id },
      h("strong", {}, t.title), ` — version ${t.version}`,
      !custom ? h("span", { class: "tag" }, "built-in") : false,
      retired ? h("span", { class: "tag retired" }, "retired") : false,
      custom && !retired ? h("span", { class: "member-actions" },
        h("button", { type: "button", class: "small", "data-key": `tple-${t.id}`, "aria-label": `Edit ${what}`,
          click: () => {
            this.status("");
            this.editor.open(draftFromTemplate(t));
          } }, "Edit"),
        h("button", { type: "button", class: "small", "data-key": `tplr-${t.id}`, "aria-label": `Retire ${what}…`,
          click: () => void this.retire(t) }, "Retire…")) : false);
  }

  private status(text: string): void {
    byId("tpl-status").textContent = text;
  }

  private async save(draft: TemplateDraft): Promise<void> {
    // A second press while the first save is out would make a second version.
    if (this.saving) {
      return;
    }
    this.saving = true;
    try {
      await this.trySave(draft);
    } finally {
      this.saving = false;
    }
  }

  private async trySave(draft: TemplateDraft): Promise<void> {
    if (!draft.title.trim()) {
      this.status("Not saved: the template needs a title.");
      this.editor.focusTitle();
      return;
    }
    if (!draft.id) {
      await this.refresh(); // a new id must not be one saved meanwhile
    }
    const known = (this.all ?? this.d.sheets.templates).map((t) => t.id);
    const template = templateFromDraft(draft, known);
    this.status("Saving…");
    try {
      const reply = await this.d.request(worksheetCommand({ case: "saveTemplate", value: { template } }));
      const refused = failed(reply);
      const saved = reply.outcome.case === "worksheet" ? reply.outcome.value.savedTemplate : undefined;
      if (refused || !saved) {
        this.status(refused ?? "Not saved: the server did not say.");
        return;
      }
      // The form goes on as the edit of what was stored: saving again makes the next version.
      this.editor.open(draftFromTemplate(saved));
      this.status(`Version ${saved.version} of “${saved.title}” saved.`);
      await this.refresh();
    } catch {
      this.status("Not saved: the connection dropped. Try again once connected.");
    }
  }

  private async retire(t: WorksheetTemplate): Promise<void> {
    if (!confirm(`Retire “${t.title}”? No new worksheet can be made from it and it takes no new version; worksheets already made from it keep working. This cannot be undone.`)) {
      return;
    }
    try {
      const reply = await this.d.request(worksheetCommand({ case: "retireTemplate", value: { templateId: t.id } }));
      const refused = failed(reply, "retired");
      if (refused) {
        this.status(refused);
        return;
      }
      if (this.editor.editing === t.id) {
        this.editor.close();
      }
      this.status(`“${t.title}” retired.`);
      await this.refresh();
      if (document.activeElement === document.body) {
        byId("tpl-new").focus(); // its row, and the button pressed, are gone
      }
    } catch {
      this.status("Not retired: the connection dropped. Try again once connected.");
    }
  }
}
