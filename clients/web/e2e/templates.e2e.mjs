// Facilitators' own templates in real Chromium: the facilitator makes a
// template in the console (keyboard and mouse), pushes it as a session sheet
// that a participant fills in; a save the form or the server refuses says
// why; an edit saves version 2 while the sheet already made keeps version 1;
// retiring takes it out of the push menu, and "Show retired templates" lists
// it marked. What the participant writes is read from pages, never logged.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, person, shot, startServer } from "./harness.mjs";

const ROOM = "group-templates";
const ID = "c_weekly_check_in";
let server;
let browser;
let fac;
let sam;

const see = (p, words, within = "body") => p.page.locator(within).getByText(words).first().waitFor({ timeout: 10_000 });
const field = (p, id) => p.page.locator(`#ws-sheet [data-field="${id}"]`).locator("input, textarea, select").first();
const focused = (p) => p.page.evaluate(() => document.activeElement?.id ?? "");
const status = (p) => p.page.locator("#tpl-status");
const pushOptions = (p) => p.page.locator("#ws-push-template option").evaluateAll((os) => os.map((o) => o.value));

/** Presses "Add a field" from the keyboard; focus lands in the new field's label. */
async function addField(p, index, label) {
  await p.page.locator("#tpl-add-field").focus();
  await p.page.keyboard.press("Enter");
  assert.equal(await focused(p), `tpl-f${index}-label`, "focus moves to the new field");
  await p.page.keyboard.type(label);
}

before(async () => {
  server = await startServer("--default-lobby-policy", "open");
  browser = await launchBrowser();
  fac = await person(browser, server, server.mint(ROOM, "facilitator", "f-1", "Dr Rivera"));
  sam = await person(browser, server, server.mint(ROOM, "participant", "p-1", "Sam"), { width: 360, height: 740 });
  for (const p of [fac, sam]) {
    await see(p, "Connected", "#link-state");
  }
  await see(fac, "Sam", "#roster");
});

after(async () => {
  await browser?.close();
  const code = await server?.stop();
  assert.equal(code, 0, "hearthd exits cleanly");
});

test("a facilitator makes a template, pushes it, and a participant fills it in", async () => {
  // Built-in templates have no edit or retire.
  const builtIn = fac.page.locator('#tpl-list li[data-template="halt_checkin"]');
  await builtIn.waitFor({ timeout: 10_000 });
  assert.match(await builtIn.textContent(), /built-in/);
  assert.equal(await builtIn.locator("button").count(), 0);
  assert.equal(await sam.page.locator("#tpl-console").isVisible(), false, "participants have no template editor");

  await fac.page.getByRole("button", { name: "New template" }).click();
  await see(fac, "New template", "#tpl-form-h");
  assert.equal(await focused(fac), "tpl-title", "the form opens at its title");
  await fac.page.keyboard.type("Weekly check-in");
  await fac.page.keyboard.press("Tab");
  await fac.page.keyboard.type("Before group, in a few words.");
  // The first field is there already.
  await fac.page.locator("#tpl-f0-label").fill("What I want from today");
  await fac.page.locator("#tpl-f0-max-length").fill("140");

  await addField(fac, 1, "How strong is the craving");
  await fac.page.selectOption("#tpl-f1-type", { label: "Scale" });
  assert.equal(await focused(fac), "tpl-f1-type", "focus stays on the type after the form changes");
  await fac.page.locator("#tpl-f1-max").fill("5");

  await addField(fac, 2, "Feeling");
  await fac.page.selectOption("#tpl-f2-type", { label: "Choice" });
  await fac.page.locator("#tpl-f2-options").fill("Calm\nTense\nHopeful");

  await addField(fac, 3, "People I can call");
  await fac.page.selectOption("#tpl-f3-type", { label: "List" });
  await fac.page.getByRole("button", { name: "Add an item field to field 4" }).press("Enter");
  assert.equal(await focused(fac), "tpl-f3-0-label");
  await fac.page.keyboard.type("Name");

  await addField(fac, 4, "Facilitator's note");
  await fac.page.selectOption("#tpl-f4-type", { label: "Long text" });
  await fac.page.locator("#tpl-f4-fac").focus();
  await fac.page.keyboard.press("Space");
  assert.equal(await fac.page.locator("#tpl-f4-fac").isChecked(), true);
  await shot(fac.page, "templates-01-new-template-form");

  await fac.page.getByRole("button", { name: "Save template" }).click();
  await see(fac, "Version 1 of “Weekly check-in” saved.", "#tpl-status");
  await see(fac, "Edit “Weekly check-in” (version 1", "#tpl-form-h");
  const row = fac.page.locator(`#tpl-list li[data-template="${ID}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /Weekly check-in — version 1/);
  await fac.page.waitForFunction((id) => [...document.querySelectorAll("#ws-push-template option")].some((o) => o.value === id), ID);

  await fac.page.selectOption("#ws-push-template", ID);
  await fac.page.selectOption("#ws-push-scope", "1");
  await fac.page.getByRole("button", { name: "Push worksheet" }).click();
  await see(sam, "Weekly check-in", "#ws-title");
  await field(sam, "what_i_want_from_today").fill("Less anxious evenings");
  await field(sam, "how_strong_is_the_craving").selectOption("3");
  await field(sam, "feeling").selectOption({ label: "Hopeful" });
  await sam.page.getByRole("button", { name: "Add to People I can call" }).click();
  await sam.page.locator('#ws-sheet [data-field="people_i_can_call"] input').first().fill("My sister");
  assert.equal(await field(sam, "facilitator_s_note").getAttribute("readonly"), "", "facilitators fill in their note");

  await see(fac, "Weekly check-in", "#ws-title");
  await fac.page.waitForFunction(() => document.querySelector('#ws-sheet [data-field="what_i_want_from_today"] input')?.value === "Less anxious evenings");
  await fac.page.waitForFunction(() => document.querySelector('#ws-sheet [data-field="feeling"] select')?.value === "hopeful");
  await shot(sam.page, "templates-02-participant-fills-the-new-sheet-360px");
});

test("a save the form or the server refuses says why and makes no version", async () => {
  await fac.page.locator("#tpl-title").fill("");
  await fac.page.getByRole("button", { name: "Save template" }).click();
  await see(fac, "Not saved: the template needs a title.", "#tpl-status");
  assert.equal(await focused(fac), "tpl-title");
  await fac.page.keyboard.type("Weekly check-in");

  // One option is not a choice: the server's reason (107) is shown as it is.
  await fac.page.locator("#tpl-f2-options").fill("Calm");
  await fac.page.locator("#tpl-title").press("Enter"); // Enter in the form saves it
  await see(fac, "Not saved: invalid template: field 'feeling': a choice needs 2 to 30 options.", "#tpl-status");
  await shot(fac.page, "templates-03-server-refusal");
  assert.match(await fac.page.locator(`#tpl-list li[data-template="${ID}"]`).textContent(), /version 1/);
  await fac.page.getByRole("button", { name: "Close the form" }).click();
  assert.equal(await fac.page.locator("#tpl-form").isVisible(), false);
});

test("an edit saves version 2; retiring takes it out of the push menu; retired templates are listed on request", async () => {
  await fac.page.getByRole("button", { name: "Edit “Weekly check-in” (version 1)" }).click();
  await see(fac, "Edit “Weekly check-in” (version 1", "#tpl-form-h");
  assert.equal(await fac.page.locator("#tpl-f2-options").inputValue(), "Calm\nTense\nHopeful", "the saved version, not the refused one");
  await fac.page.locator("#tpl-f0-label").fill("What I want from this group");
  await addField(fac, 5, "Next meeting");
  await fac.page.selectOption("#tpl-f5-type", { label: "Date" });
  await fac.page.getByRole("button", { name: "Save template" }).click();
  await see(fac, "Version 2 of “Weekly check-in” saved.", "#tpl-status");
  const row = fac.page.locator(`#tpl-list li[data-template="${ID}"]`);
  await fac.page.waitForFunction((id) => /version 2/.test(document.querySelector(`#tpl-list li[data-template="${id}"]`)?.textContent ?? ""), ID);
  // The sheet made from version 1 keeps its form.
  await see(sam, "What I want from today", "#ws-sheet");

  await fac.page.getByRole("button", { name: "Retire “Weekly check-in” (version 2)…" }).click();
  await see(fac, "“Weekly check-in” retired.", "#tpl-status");
  await row.waitFor({ state: "detached" });
  assert.equal(await fac.page.locator("#tpl-form").isVisible(), false, "the form of a retired template closes");
  await fac.page.waitForFunction((id) => ![...document.querySelectorAll("#ws-push-template option")].some((o) => o.value === id), ID);
  assert.ok(!(await pushOptions(fac)).includes(ID));
  assert.ok((await pushOptions(fac)).includes("halt_checkin"));

  await fac.page.locator("#tpl-show-retired").focus();
  await fac.page.keyboard.press("Space");
  await row.waitFor();
  assert.match(await row.textContent(), /Weekly check-in — version 2.*retired/);
  assert.equal(await row.locator("button").count(), 0, "a retired template takes no new version");
  assert.ok(!(await pushOptions(fac)).includes(ID), "still not offered for a push");
  await row.scrollIntoViewIfNeeded();
  await shot(fac.page, "templates-04-retired-listed");

  // The sheet made from it keeps working.
  await field(sam, "what_i_want_from_today").fill("Less anxious evenings, and sleep");
  await fac.page.waitForFunction(() => document.querySelector('#ws-sheet [data-field="what_i_want_from_today"] input')?.value === "Less anxious evenings, and sleep");

  await fac.page.setViewportSize({ width: 360, height: 740 });
  const overflow = await fac.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, "the template library fits a 360 px screen");
});

test("no worksheet text reaches the server's log", () => {
  const log = server.log();
  for (const words of ["Less anxious", "My sister"]) {
    assert.ok(!log.includes(words));
  }
});
