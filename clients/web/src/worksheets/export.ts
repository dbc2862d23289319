// Worksheet export over the protocol (ExportWorksheet -> WorksheetExport):
// the command, the reply read into a file to save or a refusal in plain
// words, and the Blob the browser downloads. No DOM here, so Node tests it.
import type { Reply } from "../gen/hearth/v1/envelope_pb";
import { ErrorCode } from "../gen/hearth/v1/errors_pb";
import { WorksheetExportFormat } from "../gen/hearth/v1/worksheet_pb";
import type { ClientCommand } from "../proto/frame";

export interface ExportFile {
  filename: string;
  mediaType: string;
  body: string | Uint8Array; // text for Markdown and HTML; the file's bytes for PDF
}

export type ExportOutcome = { ok: true; file: ExportFile } | { ok: false; text: string };

export function exportCommand(instanceId: string, format: WorksheetExportFormat): ClientCommand {
  return { case: "worksheet", value: { kind: { case: "export", value: { instanceId, format } } } } as ClientCommand;
}

const EXTENSION: Record<number, string> = {
  [WorksheetExportFormat.MARKDOWN]: "md",
  [WorksheetExportFormat.HTML]: "html",
  [WorksheetExportFormat.PDF]: "pdf",
};

const MEDIA: Record<number, string> = {
  [WorksheetExportFormat.MARKDOWN]: "text/markdown; charset=utf-8",
  [WorksheetExportFormat.HTML]: "text/html; charset=utf-8",
  [WorksheetExportFormat.PDF]: "application/pdf",
};

/**
 * The server suggests a name of [A-Za-z0-9._-]; anything else (or nothing)
 * is replaced, so a name never points outside the downloads folder, and the
 * extension always matches the format asked for.
 */
export function safeFilename(suggested: string, format: WorksheetExportFormat): string {
  const ext = EXTENSION[format] ?? "txt";
  const base = suggested.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[._]+/, "").replace(/\.[A-Za-z0-9]*$/, "");
  return `${base.slice(0, 100) || "worksheet"}.${ext}`;
}

export function exportRefusalText(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.NOT_FOUND: return "This worksheet could not be found, or you can no longer read it, so it was not saved.";
    case ErrorCode.LIMIT_EXCEEDED: return "This worksheet is too large to save over this connection. Ask the clinic for a copy.";
    case ErrorCode.TOO_MANY_REQUESTS: return "The server is busy: wait a moment and save again.";
    case ErrorCode.FAILED_PRECONDITION: return "This server does not make PDF files. Save it as a web page and print that to PDF.";
    case ErrorCode.INTERNAL: return "The worksheet could not be saved just now. Try again in a moment.";
    default: return "The worksheet could not be saved.";
  }
}

/** The reply to exportCommand(instanceId, format), as a file or a refusal. */
export function readExportReply(reply: Reply, instanceId: string, format: WorksheetExportFormat): ExportOutcome {
  if (reply.outcome.case === "error") {
    return { ok: false, text: exportRefusalText(reply.outcome.value.code) };
  }
  const got = reply.outcome.case === "worksheet" ? reply.outcome.value.export : undefined;
  // A document for another sheet or format would be saved under the wrong name.
  if (!got || got.instanceId !== instanceId || got.format !== format) {
    return { ok: false, text: "The worksheet could not be saved." };
  }
  return {
    ok: true,
    // The type follows the format asked for, whatever the reply says.
    file: {
      filename: safeFilename(got.filename, format),
      mediaType: MEDIA[format] ?? "text/plain; charset=utf-8",
      body: format === WorksheetExportFormat.PDF ? got.data : got.body,
    },
  };
}

/** The bytes to download: UTF-8 text, or a PDF's bytes, with the format's media type. */
export function exportBlob(file: ExportFile): Blob {
  return new Blob([file.body as BlobPart], { type: file.mediaType });
}
