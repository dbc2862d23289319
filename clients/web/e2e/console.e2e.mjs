// The console's remaining pieces in real Chromium: a participant saves their
// personal worksheet as a document and the downloaded file holds what they
// typed; the facilitator saves a session sheet as a web page (with the
// keyboard); attendance so far, from the clinic's record, lists someone who
// left before the facilitator's console opened and follows people dropping,
// coming back and leaving; only the console asks for it. Worksheet text is
// read from files and pages, never logged.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { launchBrowser, person, sentCommands, shot, startServer } from "./harness.mjs";

const ROOM = "group-console";
let server;
let browser;
let fac;
let sam;
let kim;

const see = (p, words, within = "body") => p.page.locator(within).getByText(words).first().waitFor({ timeout: 10_000 });
const field = (p, id) => p.page.locator(`#ws-sheet [data-field="${id}"]`).locator("input, textarea, select").first();
const attendanceOf = (p, memberName) => p.page.locator("#attendance-list li").filter({ has: p.page.locator("strong", { hasText: memberName }) }).first();
const ATTENDANCE_QUERY = 24; // ClientMessage.attendance

/** Waits until `who`'s attendance sentence matches `re`. */
async function attendanceLine(p, who, re) {
  await p.page.waitForFunction(([name, source]) => [...document.querySelectorAll("#attendance-list li")]
    .some((li) => li.querySelector("strong")?.textContent === name && new RegExp(source).test(li.textContent)),
  [who, re.source], { timeout: 10_000 });
  return attendanceOf(p, who).textContent();
}

async function download(p, buttonName, { keyboard = false } = {}) {
  const button = p.page.getByRole("button", { name: buttonName });
  const press = keyboard ? button.focus().then(() => p.page.keyboard.press("Enter")) : button.click();
  const [file] = await Promise.all([p.page.waitForEvent("download", { timeout: 10_000 }), press]);
  const bytes = readFileSync(await file.path());
  return { name: file.suggestedFilename(), body: bytes.toString("utf8"), bytes };
}

before(async () => {
  // A short grace period, so that a drop that never comes back ends soon.
  server = await startServer("--default-lobby-policy", "open", "--reconnect-grace-ms", "3000");
  browser = await launchBrowser();
  // Jo comes and goes before the facilitator's console opens: Kim sees her
  // arrive, and sees her gone once the grace period is over.
  kim = await person(browser, server, server.mint(ROOM, "participant", "p-2", "Kim"), { record: true });
  await see(kim, "Connected", "#link-state");
  const jo = await person(browser, server, server.mint(ROOM, "participant", "p-3", "Jo"));
  const joInRoster = kim.page.locator("#roster .who", { hasText: /^Jo$/ });
  await joInRoster.waitFor({ timeout: 10_000 });
  await jo.context.close();
  await joInRoster.waitFor({ state: "detached", timeout: 10_000 });
  fac = await person(browser, server, server.mint(ROOM, "facilitator", "f-1", "Dr Rivera"), { record: true });
  sam = await person(browser, server, server.mint(ROOM, "participant", "p-1", "Sam"), { width: 360, height: 740, record: true });
  for (const p of [fac, sam, kim]) {
    await see(p, "Connected", "#link-state");
  }
  await see(fac, "Kim", "#roster");
  await see(fac, "Sam", "#roster");
});

after(async () => {
  await browser?.close();
  const code = await server?.stop();
  assert.equal(code, 0, "hearthd exits cleanly");
});

test("a participant saves their personal sheet as a document holding what they typed", async () => {
  await sam.page.selectOption("#ws-template", "decisional_balance");
  await sam.page.getByRole("button", { name: "Start worksheet" }).click();
  await see(sam, "Weighing a change", "#ws-title");
  // Saved straight after typing: the page waits until the edit is stored.
  await field(sam, "behavior").fill("Evening walks by the river");
  const md = await download(sam, "Save as document (Markdown text)");
  assert.match(md.name, /^[A-Za-z0-9._-]+\.md$/);
  assert.ok(md.body.includes("Weighing a change"), "the template's title");
  assert.ok(md.body.includes("Evening walks by the river"), "what Sam typed");
  await see(sam, `Saved as ${md.name}.`, "#ws-save-status");

  const html = await download(sam, "Save as document (web page)");
  assert.match(html.name, /\.html$/);
  assert.match(html.body, /^<!DOCTYPE html>/i);
  assert.ok(html.body.includes("Evening walks by the river"));
  assert.ok(!/<script/i.test(html.body), "the page runs nothing");

  // The PDF is laid out by the server off the room; read back as a records
  // system would (poppler's pdftotext).
  const pdf = await download(sam, "Save as document (PDF)");
  assert.match(pdf.name, /^[A-Za-z0-9._-]+\.pdf$/);
  assert.equal(pdf.bytes.subarray(0, 5).toString("latin1"), "%PDF-");
  const text = execFileSync("pdftotext", ["-enc", "UTF-8", "-", "-"], { input: pdf.bytes }).toString("utf8");
  assert.ok(text.includes("Weighing a change"), text);
  assert.ok(text.includes("Evening walks by the river"), text);
  await see(sam, `Saved as ${pdf.name}.`, "#ws-save-status");

  assert.equal(sam.context.pages().length, 1, "no new window");
  assert.deepEqual(sam.external, [], "no request to another host");
  const overflow = await sam.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, "the save buttons fit a 360 px screen");
  await shot(sam.page, "console-01-saved-personal-sheet-360px");
});

test("the facilitator saves a session sheet as a web page with what a participant wrote, from the keyboard", async () => {
  await fac.page.locator("#ws-push-template option").first().waitFor({ state: "attached" });
  await fac.page.selectOption("#ws-push-template", "change_plan");
  await fac.page.selectOption("#ws-push-scope", "1");
  await fac.page.getByRole("button", { name: "Push worksheet" }).click();
  await see(kim, "My plan for change", "#ws-sheet");
  await see(fac, "My plan for change", "#ws-title");
  await field(kim, "success_signs").fill("Sleeping through the night");
  await fac.page.waitForFunction(() => document.querySelector('#ws-sheet [data-field="success_signs"] textarea, #ws-sheet [data-field="success_signs"] input')?.value === "Sleeping through the night");
  // Another member's edit reaches a page only once it is stored.
  const doc = await download(fac, "Save as document (web page)", { keyboard: true });
  assert.ok(doc.body.includes("Sleeping through the night"), "what Kim typed");
  assert.ok(doc.body.includes("My plan for change"));
  assert.match(doc.name, /\.html$/);
  assert.equal(fac.context.pages().length, 1, "no new window");
  assert.deepEqual(fac.external, [], "no request to another host");
});

test("attendance so far from the clinic's record: who left before the console opened, a drop and a return, a departure", async () => {
  // Only the console shows it.
  assert.equal(await sam.page.locator("#attendance").isVisible(), false);
  await see(fac, "From the clinic's attendance record", "#attendance-note");
  // Jo left before this console opened; the old console could not know her.
  assert.match(await attendanceLine(fac, "Jo", /: left at \d/),
    /^Jo \(participant\): left at \d[^.]*\. (Under a minute|\d+ min) present so far, first came at \d/);
  for (const who of ["Sam", "Kim"]) {
    assert.match(await attendanceLine(fac, who, /: here now/),
      new RegExp(`^${who} \\(participant\\): here now\\. (Under a minute|\\d+ min) present so far, first came at \\d`));
  }
  await attendanceLine(fac, "Dr Rivera", /^Dr Rivera \(you, facilitator\): here now\./);
  await see(fac, "Participants so far: 3 (2 here now).", "#attendance-count");
  // In order of first arrival: Kim, Jo, then the facilitator and Sam.
  const order = await fac.page.locator("#attendance-list li strong").allTextContents();
  assert.deepEqual(order, ["Kim", "Jo", "Dr Rivera", "Sam"]);

  // Kim's line dies and comes back: one stay, never "left".
  await kim.context.setOffline(true);
  await kim.page.evaluate(() => window.__sockets.at(-1).close());
  await attendanceLine(fac, "Kim", /^Kim \(participant\): connection dropped, may come back\./);
  await shot(fac.page, "console-02-attendance-reconnecting");
  await kim.context.setOffline(false);
  await kim.page.evaluate(() => window.dispatchEvent(new Event("online")));
  await see(kim, "Connected", "#link-state");
  await attendanceLine(fac, "Kim", /^Kim \(participant\): here now\./);
  assert.doesNotMatch(await attendanceOf(fac, "Kim").textContent(), /separate stays/);

  // The console asks; a participant's client never does.
  assert.ok((await sentCommands(fac.page)).includes(ATTENDANCE_QUERY), "the facilitator's console asked");
  for (const p of [sam, kim]) {
    const commands = await sentCommands(p.page);
    assert.ok(commands.includes(11), "the frames were read (JoinRoom is there)");
    assert.ok(!commands.includes(ATTENDANCE_QUERY), "a participant never asks for attendance");
  }

  // Sam closes the page and does not come back: after the grace period, left.
  await sam.context.close();
  await attendanceLine(fac, "Sam", /^Sam \(participant\): left at \d/);
  await see(fac, "Participants so far: 3 (1 here now).", "#attendance-count");

  // Readable on a phone: nothing wider than the screen.
  await fac.page.setViewportSize({ width: 360, height: 740 });
  const overflow = await fac.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, "the console fits a 360 px screen");
  await fac.page.locator("#attendance").scrollIntoViewIfNeeded();
  await shot(fac.page, "console-03-attendance-360px");
});

test("no worksheet text reaches the server's log", () => {
  const log = server.log();
  for (const words of ["Evening walks", "Sleeping through"]) {
    assert.ok(!log.includes(words));
  }
});
