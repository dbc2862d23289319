// Worksheet export, the protocol side: the command on the wire, the reply
// read into a file (name made safe, type from the format), refusals in
// plain words (104, 106), and a reply that does not match the request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ClientMessageSchema, ReplySchema, type Reply } from "../src/gen/hearth/v1/envelope_pb";
import { ErrorCode } from "../src/gen/hearth/v1/errors_pb";
import { WorksheetExportFormat as F } from "../src/gen/hearth/v1/worksheet_pb";
import { clientMessage } from "../src/proto/frame";
import { exportBlob, exportCommand, readExportReply, safeFilename } from "../src/worksheets/export";
import { settled } from "../src/ui/worksheet_save";

const exported = (instanceId: string, format: F, filename: string, body: string): Reply =>
  create(ReplySchema, { requestId: 7, outcome: { case: "worksheet", value: { export: { instanceId, format, mediaType: "text/html; charset=utf-8", filename, body } } } });
const refused = (code: ErrorCode): Reply =>
  create(ReplySchema, { requestId: 7, outcome: { case: "error", value: { code, message: "no" } } });

test("the export command goes out as WorksheetCommand.export with the sheet and the format", () => {
  const wire = toBinary(ClientMessageSchema, clientMessage(7, exportCommand("ws-42", F.MARKDOWN)));
  const back = fromBinary(ClientMessageSchema, wire);
  assert.equal(back.requestId, 7);
  assert.equal(back.command.case, "worksheet");
  const kind = back.command.case === "worksheet" ? back.command.value.kind : undefined;
  assert.equal(kind?.case, "export");
  assert.deepEqual(kind?.case === "export" ? [kind.value.instanceId, kind.value.format] : [], ["ws-42", F.MARKDOWN]);
});

test("a document comes back as a file to save, with the type of the format asked for", async () => {
  const body = "# Plan\n\nWhat helps: walking 🚶 and café";
  const out = readExportReply(exported("ws-42", F.MARKDOWN, "relapse-plan-ws-42.md", body), "ws-42", F.MARKDOWN);
  assert.ok(out.ok);
  assert.equal(out.file.filename, "relapse-plan-ws-42.md");
  assert.equal(out.file.mediaType, "text/markdown; charset=utf-8");
  const blob = exportBlob(out.file);
  assert.equal(blob.type, "text/markdown; charset=utf-8");
  assert.equal(await blob.text(), body);
  assert.equal(blob.size, new TextEncoder().encode(body).length);

  const html = readExportReply(exported("ws-42", F.HTML, "plan-ws-42.html", "<!doctype html>"), "ws-42", F.HTML);
  assert.ok(html.ok);
  assert.equal(html.file.filename, "plan-ws-42.html");
  assert.equal(html.file.mediaType, "text/html; charset=utf-8");
});

test("a PDF comes back as its bytes, saved as application/pdf whatever the text body says", async () => {
  const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x80]); // "%PDF-" and bytes no text holds
  const reply = create(ReplySchema, { requestId: 7, outcome: { case: "worksheet", value: { export: { instanceId: "ws-42", format: F.PDF, mediaType: "text/html", filename: "plan-ws-42.pdf", body: "ignored", data: bytes } } } });
  const out = readExportReply(fromBinary(ReplySchema, toBinary(ReplySchema, reply)), "ws-42", F.PDF);
  assert.ok(out.ok);
  assert.equal(out.file.filename, "plan-ws-42.pdf");
  assert.equal(out.file.mediaType, "application/pdf");
  const blob = exportBlob(out.file);
  assert.equal(blob.type, "application/pdf");
  assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), bytes);
  assert.equal(safeFilename("plan-ws-42.html", F.PDF), "plan-ws-42.pdf");
  const off = readExportReply(refused(ErrorCode.FAILED_PRECONDITION), "ws-42", F.PDF);
  assert.ok(!off.ok);
  assert.match(off.text, /print that to PDF/);
});

test("refusals are said plainly, decided on the code", () => {
  const gone = readExportReply(refused(ErrorCode.NOT_FOUND), "ws-42", F.HTML);
  assert.ok(!gone.ok);
  assert.match(gone.text, /could not be found, or you can no longer read it/);
  const big = readExportReply(refused(ErrorCode.LIMIT_EXCEEDED), "ws-42", F.HTML);
  assert.ok(!big.ok);
  assert.match(big.text, /too large to save/);
  assert.notEqual(gone.text, big.text);
});

test("a document for another sheet or another format is not saved", () => {
  assert.equal(readExportReply(exported("ws-1", F.HTML, "a.html", "x"), "ws-42", F.HTML).ok, false);
  assert.equal(readExportReply(exported("ws-42", F.MARKDOWN, "a.md", "x"), "ws-42", F.HTML).ok, false);
  const empty = create(ReplySchema, { requestId: 7, outcome: { case: "worksheet", value: {} } });
  assert.equal(readExportReply(empty, "ws-42", F.HTML).ok, false);
});

test("file names stay inside the downloads folder and carry the format's extension", () => {
  const md = F.MARKDOWN;
  const html = F.HTML;
  assert.equal(safeFilename("halt-check-in-abc_1.md", md), "halt-check-in-abc_1.md");
  assert.equal(safeFilename("../../etc/passwd", md), "etc_passwd.md");
  assert.equal(safeFilename("", html), "worksheet.html");
  assert.equal(safeFilename("...", html), "worksheet.html");
  assert.equal(safeFilename("notes.html", md), "notes.md");
  assert.equal(safeFilename("plan.exe.html", html), "plan.exe.html");
  assert.match(safeFilename("x".repeat(500), html), /^x{100}\.html$/);
});

test("saving waits until this client's edits are stored", async () => {
  let stored = false;
  setTimeout(() => (stored = true), 250);
  const began = Date.now();
  assert.equal(await settled(() => stored), true);
  assert.ok(Date.now() - began >= 200, "it waited for the store");
  assert.equal(await settled(() => true), true);
});
