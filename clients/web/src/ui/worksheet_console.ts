// The facilitator console's worksheet panel: push a template as one session
// sheet, a personal sheet per participant, or a sheet per family; and the
// progress of personal sheets (which fields hold something), kept up to date
// by WorksheetProgress events.
import { WorksheetScope } from "../gen/hearth/v1/worksheet_pb";
import type { ClientCommand } from "../proto/frame";
import type { RoomModel } from "../state/room_model";
import type { Worksheets } from "../worksheets/sheets";
import { byId, h, redraw } from "./dom";
import { worksheetCommand } from "./worksheet_view";

export interface WorksheetConsoleDeps {
  model: RoomModel;
  sheets: Worksheets;
  ask(command: ClientCommand): Promise<string[]>;
  toast(text: string): void;
  showSheet(instanceId: string): void;
}

export function wireWorksheetConsole(d: WorksheetConsoleDeps): void {
  byId<HTMLFormElement>("ws-push-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const templateId = byId<HTMLSelectElement>("ws-push-template").value;
    const scope = Number(byId<HTMLSelectElement>("ws-push-scope").value) as WorksheetScope;
    const words = scope === WorksheetScope.SESSION ? "one sheet for everyone" : scope === WorksheetScope.PERSONAL ? "a sheet for each participant" : "a sheet for each family";
    if (templateId) {
      d.ask(worksheetCommand({ case: "push", value: { templateId, scope } })).then((ids) => {
        d.toast(`Worksheet pushed: ${words}.`);
        if (ids.length === 1) {
          d.showSheet(ids[0]); // one sheet for everyone: the facilitator sees it at once
        }
      }, () => {});
    }
  });
}

export function drawWorksheetConsole(d: WorksheetConsoleDeps): void {
  const { model, sheets } = d;
  if (!model.staff) {
    return;
  }
  const select = byId<HTMLSelectElement>("ws-push-template");
  redraw(select, sheets.templates.map((t) => t.id).join(","), sheets.templates.map((t) => h("option", { value: t.id }, t.title)));
  const rows = [...sheets.progress].map(([id, p]) => ({ id, p, entry: sheets.sheets.get(id) })).filter((r) => r.entry);
  const sig = JSON.stringify(rows.map((r) => [r.id, r.p.filled, model.name(r.p.owner)]));
  redraw(byId("ws-progress"), sig, rows.length === 0 ? [h("li", { class: "hint" }, "No personal worksheet yet.")] : rows.map(({ id, p, entry }) => {
    const form = entry!.form;
    const labels = form.fields.filter((f) => p.filled.includes(f.id)).map((f) => f.label);
    return h("li", { "data-instance": id },
      h("strong", {}, model.name(p.owner)), ` — ${form.title}: ${labels.length} of ${form.fields.length} filled`,
      labels.length ? ` (${labels.join(", ")})` : "", " ",
      h("button", { type: "button", class: "small", "data-key": `wsp-${id}`, click: () => d.showSheet(id) }, `Open ${model.name(p.owner)}'s ${form.title}`));
  }));
}
