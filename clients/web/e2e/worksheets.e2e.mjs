// Worksheets in real Chromium: the facilitator pushes a session sheet, two
// participants type into one long-text field at the same time and every page
// converges; a list item added by one is edited by the other; a participant
// keeps typing through a dropped connection and every character arrives
// exactly once; a personal sheet is shared and unshared; the console shows
// progress. A text box's value is read from the page, never logged.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, person, shot, startServer } from "./harness.mjs";

const ROOM = "group-ws";
let server;
let browser;
let fac;
let sam;
let kim;

const see = (p, words, within = "body") => p.page.locator(within).getByText(words).first().waitFor({ timeout: 10_000 });
const field = (p, id) => p.page.locator(`#ws-sheet [data-field="${id}"]`).locator("input, textarea, select").first();
const valueOf = (p, id) => field(p, id).inputValue();

// Waits until the field holds `expected` on every page (convergence).
async function converged(pages, id, expected) {
  for (const p of pages) {
    await p.page.waitForFunction(([sel, want]) => {
      const el = document.querySelector(sel);
      return el !== null && el.value === want;
    }, [`#ws-sheet [data-field="${id}"] textarea, #ws-sheet [data-field="${id}"] input`, expected], { timeout: 15_000 });
  }
}

before(async () => {
  server = await startServer("--default-lobby-policy", "open");
  browser = await launchBrowser();
  fac = await person(browser, server, server.mint(ROOM, "facilitator", "f-1", "Dr Rivera"));
  sam = await person(browser, server, server.mint(ROOM, "participant", "p-1", "Sam"), { width: 360, height: 740 });
  kim = await person(browser, server, server.mint(ROOM, "participant", "p-2", "Kim"));
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

test("a pushed session sheet: two people type into one field at once and every page converges", async () => {
  await fac.page.locator("#ws-push-template option").first().waitFor({ state: "attached" });
  await fac.page.selectOption("#ws-push-template", "change_plan");
  await fac.page.selectOption("#ws-push-scope", "1");
  await fac.page.getByRole("button", { name: "Push worksheet" }).click();
  for (const p of [fac, sam, kim]) {
    await see(p, "My plan for change", "#ws-sheet");
  }
  await see(kim, "opened a worksheet for you: My plan for change", "#announce");

  // A word in the middle first, so that one types before it and one after it.
  await field(fac, "success_signs").fill("middle");
  await converged([fac, sam, kim], "success_signs", "middle");

  const samBox = field(sam, "success_signs");
  const kimBox = field(kim, "success_signs");
  await samBox.focus();
  await sam.page.keyboard.press("Control+Home");
  await kimBox.focus();
  await kim.page.keyboard.press("Control+End");
  // Presence: each sees the other in the field.
  // (The facilitator, who typed there last, is still in it too.)
  await see(kim, /^Dr Rivera, Sam are here$/, '#ws-sheet [data-field="success_signs"] .ws-presence');
  await see(sam, /^Dr Rivera, Kim are here$/, '#ws-sheet [data-field="success_signs"] .ws-presence');
  await shot(kim.page, "ws-01-presence-in-a-field");

  // Interleaved keystrokes, an emoji and a combining accent among them.
  const samText = [..."Sam\u{1F9E1} walks "];
  const kimText = [..." Kim: cafe\u0301 tea"];
  for (let i = 0; i < Math.max(samText.length, kimText.length); i++) {
    await Promise.all([
      i < samText.length ? sam.page.keyboard.insertText(samText[i]) : undefined,
      i < kimText.length ? kim.page.keyboard.insertText(kimText[i]) : undefined,
    ]);
  }
  const expected = `${samText.join("")}middle${kimText.join("")}`;
  await converged([fac, sam, kim], "success_signs", expected);
  await shot(sam.page, "ws-02-converged-360px");
  await shot(fac.page, "ws-03-facilitator-session-sheet");

  // A list item added by Sam, edited by Kim.
  await sam.page.getByRole("button", { name: "Add to Steps I will take" }).click();
  await sam.page.keyboard.insertText("Call my sponsor");
  const kimWhen = kim.page.locator('#ws-sheet [data-field="steps"] .ws-item').first().locator('[data-field$="-when"] input');
  await kimWhen.waitFor({ timeout: 10_000 });
  await kimWhen.fill("Friday");
  for (const p of [fac, sam, kim]) {
    const item = p.page.locator('#ws-sheet [data-field="steps"] .ws-item');
    await p.page.waitForFunction(() => {
      const row = document.querySelector('#ws-sheet [data-field="steps"] .ws-item');
      return row?.querySelector('[data-field$="-step"] input')?.value === "Call my sponsor"
        && row?.querySelector('[data-field$="-when"] input')?.value === "Friday";
    }, null, { timeout: 10_000 });
    assert.equal(await item.count(), 1, "one item, on every page");
  }
  await shot(kim.page, "ws-04-list-item-edited-by-two");

  // A second item, moved above the first by Kim; then Sam removes it.
  await kim.page.getByRole("button", { name: "Add to Steps I will take" }).click();
  await kim.page.keyboard.insertText("Walk first");
  await kim.page.getByRole("button", { name: "Move item 2 up" }).click();
  const stepsAre = (p, want) => p.page.waitForFunction((w) => [...document.querySelectorAll('#ws-sheet [data-field="steps"] .ws-item')]
    .map((row) => row.querySelector('[data-field$="-step"] input')?.value).join("|") === w, want, { timeout: 10_000 });
  for (const p of [fac, sam, kim]) {
    await stepsAre(p, "Walk first|Call my sponsor");
  }
  await sam.page.getByRole("button", { name: "Remove item 1" }).click();
  for (const p of [fac, sam, kim]) {
    await stepsAre(p, "Call my sponsor");
  }
});

test("typing through a dropped connection: every character arrives once, on every page", async () => {
  // Every state the status bar shows, so that a short one is not missed.
  await kim.page.evaluate(() => {
    window.__linkStates = [];
    const bar = document.getElementById("link-state");
    new MutationObserver(() => window.__linkStates.push(bar.textContent)).observe(bar, { childList: true, characterData: true, subtree: true });
  });
  const box = field(kim, "fallback");
  await box.focus();
  await kim.page.keyboard.insertText("one ");
  await converged([sam], "fallback", "one ");
  // The line dies: what the page sends from now on never reaches the
  // server. A keystroke's batch goes into the void and stays in flight, so
  // only its resend after the reconnect can deliver it.
  await kim.page.evaluate(() => {
    window.__sockets.at(-1).send = () => {};
  });
  await kim.page.keyboard.insertText("t");
  await kim.page.evaluate(() => window.__sockets.at(-1).close());
  await kim.context.setOffline(true);
  await kim.page.waitForFunction(() => window.__linkStates.some((t) => t.startsWith("Reconnecting")));
  for (const ch of "wo three") {
    await kim.page.keyboard.insertText(ch);
  }
  // Presence is cleared for the others when Kim's connection drops.
  await sam.page.waitForFunction(() => !document.querySelector('#ws-sheet [data-field="fallback"] .ws-presence')?.textContent);
  await shot(kim.page, "ws-05-typing-while-offline");
  assert.equal(await valueOf(kim, "fallback"), "one two three", "what was typed stays on screen");
  await kim.context.setOffline(false);
  await kim.page.evaluate(() => window.dispatchEvent(new Event("online")));
  await see(kim, "Connected", "#link-state");
  await converged([fac, sam, kim], "fallback", "one two three");
  // And it stays that way: nothing is applied twice by a late resend.
  await kim.page.keyboard.insertText("!");
  await converged([fac, sam, kim], "fallback", "one two three!");
  await shot(sam.page, "ws-06-after-resume-360px");
});

test("a personal sheet shared with the group and unshared; the console shows progress", async () => {
  await sam.page.selectOption("#ws-template", "decisional_balance");
  await sam.page.getByRole("button", { name: "Start worksheet" }).click();
  await see(sam, "Weighing a change", "#ws-title");
  await see(fac, "Sam — Weighing a change: 0 of 8 filled", "#ws-progress");
  await field(sam, "behavior").fill("Evening walks");
  await see(fac, "1 of 8 filled (The habit I am thinking about changing)", "#ws-progress");
  await field(sam, "importance").selectOption("7");
  await see(fac, "2 of 8 filled", "#ws-progress");
  await field(sam, "date").fill("2026-11-27");
  await see(fac, "3 of 8 filled", "#ws-progress");
  await shot(fac.page, "ws-07-console-progress");
  assert.equal(await kim.page.locator("#ws-list").getByText("Weighing a change").count(), 0, "not Kim's to see yet");

  await sam.page.getByRole("button", { name: "Share with the group" }).click();
  await see(sam, "Shared with the group.", "#ws-share-state");
  await see(kim, "Sam shared Weighing a change with you.", "#announce");
  const shared = kim.page.getByRole("button", { name: "Weighing a change (Sam's, shared with the group)" });
  await shared.waitFor({ timeout: 10_000 });
  await shared.click();
  await see(kim, "Weighing a change", "#ws-title");
  assert.equal(await valueOf(kim, "behavior"), "Evening walks");
  assert.equal(await field(kim, "behavior").evaluate((el) => el.readOnly), true, "only its owner writes it");
  await shot(kim.page, "ws-08-shared-sheet-seen-by-another");

  await sam.page.getByRole("button", { name: "Stop sharing" }).click();
  await see(kim, "stopped sharing Weighing a change", "#announce");
  await kim.page.waitForFunction(() => !document.querySelector("#ws-list")?.textContent?.includes("Weighing a change"));
  assert.doesNotMatch(await kim.page.locator("#ws-sheet").innerText(), /Weighing a change/);
  await see(fac, "Weighing a change", "#ws-list");
});

test("facilitator-only fields and other members' rows are read-only", async () => {
  await fac.page.selectOption("#ws-push-template", "halt_checkin");
  await fac.page.selectOption("#ws-push-scope", "1");
  await fac.page.getByRole("button", { name: "Push worksheet" }).click();
  for (const p of [sam, kim]) {
    await p.page.getByRole("button", { name: "HALT check-in (everyone)" }).click();
    await see(p, "HALT check-in", "#ws-title");
    assert.equal(await field(p, "follow_up").evaluate((el) => el.readOnly), true);
    assert.equal(await field(p, "date").isDisabled(), true);
  }
  await see(fac, "HALT check-in", "#ws-title");
  assert.equal(await field(fac, "follow_up").evaluate((el) => el.readOnly), false);
  // Sam's row: Sam fills it in, Kim reads it but cannot change or remove it.
  await sam.page.getByRole("button", { name: "Add to Check-ins" }).click();
  await sam.page.locator('#ws-sheet [data-field="checkins"] .ws-item [data-field$="-tired"] input').check();
  const kimRow = kim.page.locator('#ws-sheet [data-field="checkins"] .ws-item').first();
  await kim.page.waitForFunction(() => document.querySelector('#ws-sheet [data-field="checkins"] .ws-item [data-field$="-tired"] input')?.checked === true);
  assert.match(await kimRow.locator("legend").innerText(), /Check-ins: item 1 \(Sam\)/);
  assert.equal(await kimRow.locator('[data-field$="-tired"] input').isDisabled(), true);
  assert.equal(await kimRow.locator('[data-field$="-plan"] textarea').evaluate((el) => el.readOnly), true);
  assert.equal(await kimRow.getByRole("button", { name: /Remove/ }).count(), 0);
  await shot(kim.page, "ws-09-read-only-row-and-facilitator-fields");
});

test("keyboard only: Tab reaches a worksheet field, typing fills it", async () => {
  const page = sam.page;
  await page.getByRole("button", { name: /My plan for change/ }).click();
  await page.locator("body").focus();
  let reached = false;
  for (let i = 0; i < 80 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.closest('[data-field="importance"]') !== null);
  }
  assert.ok(reached, "the scale is in the tab order");
  await page.keyboard.press("ArrowDown");
  await fac.page.waitForFunction(() => document.querySelector('#ws-sheet [data-field="importance"] select')?.value !== "");
});

test("no request to any other host, and no worksheet text in the server's log", async () => {
  for (const p of [fac, sam, kim]) {
    assert.deepEqual(p.external, []);
  }
  assert.doesNotMatch(server.log(), /middle|sponsor|Evening walks|three/);
});
