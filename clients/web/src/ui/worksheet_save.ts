// "Save as document" for the sheet on screen: asks the server for the sheet
// rendered as HTML, Markdown or PDF and hands it to the browser as a
// download (a Blob behind an <a download>: no new window, no other host).
import type { Reply } from "../gen/hearth/v1/envelope_pb";
import { WorksheetExportFormat } from "../gen/hearth/v1/worksheet_pb";
import type { ClientCommand } from "../proto/frame";
import { exportBlob, exportCommand, readExportReply, type ExportFile } from "../worksheets/export";
import { h } from "./dom";

export type Request = (command: ClientCommand) => Promise<Reply>;

function download(file: ExportFile): void {
  const url = URL.createObjectURL(exportBlob(file));
  const a = h("a", { href: url, download: file.filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // The click starts the download at once; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const SETTLE_MS = 10_000;

/**
 * Resolves once this client's edits to the sheet are stored (true), or after
 * SETTLE_MS (false): the server renders only the durable version, and a
 * person who saves right after typing expects their last words in the file.
 */
export function settled(idle: () => boolean): Promise<boolean> {
  const until = Date.now() + SETTLE_MS;
  return new Promise((resolve) => {
    const check = () => (idle() ? resolve(true) : Date.now() > until ? resolve(false) : setTimeout(check, 100));
    check();
  });
}

/**
 * The buttons and a status line; the status says what happened, in words.
 * `idle` tells whether every edit of this client to the sheet is stored.
 */
export function saveControls(instanceId: string, request: Request, idle: () => boolean): HTMLElement {
  const status = h("p", { class: "hint", id: "ws-save-status", role: "status" });
  const save = async (format: WorksheetExportFormat) => {
    status.textContent = idle() ? "Preparing the document…" : "Storing your latest changes first…";
    const complete = await settled(idle);
    try {
      const out = readExportReply(await request(exportCommand(instanceId, format)), instanceId, format);
      if (out.ok) {
        download(out.file);
        status.textContent = `Saved as ${out.file.filename}.` + (complete ? "" : " Your newest changes were not stored yet and may be missing from it.");
      } else {
        status.textContent = out.text;
      }
    } catch {
      status.textContent = "The connection dropped before the document arrived. Try again once connected.";
    }
  };
  return h("div", { id: "ws-save", class: "actions", role: "group", "aria-label": "Save as document" },
    h("button", { type: "button", class: "small", "data-key": "ws-save-html", click: () => void save(WorksheetExportFormat.HTML) }, "Save as document (web page)"),
    h("button", { type: "button", class: "small", "data-key": "ws-save-md", click: () => void save(WorksheetExportFormat.MARKDOWN) }, "Save as document (Markdown text)"),
    h("button", { type: "button", class: "small", "data-key": "ws-save-pdf", click: () => void save(WorksheetExportFormat.PDF) }, "Save as document (PDF)"),
    status);
}
