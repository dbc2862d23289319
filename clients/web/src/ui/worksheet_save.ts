// "Save as document" for the sheet on screen: asks the server for the sheet
// rendered as HTML or Markdown and hands the body to the browser as a
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

/** The buttons and a status line; the status says what happened, in words. */
export function saveControls(instanceId: string, request: Request): HTMLElement {
  const status = h("p", { class: "hint", id: "ws-save-status", role: "status" });
  const save = (format: WorksheetExportFormat) => {
    status.textContent = "Preparing the document…";
    request(exportCommand(instanceId, format)).then((reply) => {
      const out = readExportReply(reply, instanceId, format);
      if (out.ok) {
        download(out.file);
        status.textContent = `Saved as ${out.file.filename}.`;
      } else {
        status.textContent = out.text;
      }
    }, () => (status.textContent = "The connection dropped before the document arrived. Try again once connected."));
  };
  return h("div", { id: "ws-save", class: "actions", role: "group", "aria-label": "Save as document" },
    h("button", { type: "button", class: "small", "data-key": "ws-save-html", click: () => save(WorksheetExportFormat.HTML) }, "Save as document (web page)"),
    h("button", { type: "button", class: "small", "data-key": "ws-save-md", click: () => save(WorksheetExportFormat.MARKDOWN) }, "Save as document (Markdown text)"),
    status);
}
