// One group session in real Chromium: a facilitator and two participants go
// through the waiting room, a hand queue, a round with a pass and an expiry,
// chat (room and private), a distress signal acknowledged, and a dropped
// connection that resumes without losing what was typed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, person, shot, startServer } from "./harness.mjs";

const ROOM = "group-7";
let server;
let browser;
let fac;
let sam;
let kim;

const text = (p, selector) => p.page.locator(selector).innerText();
const see = (p, words, within = "body") => p.page.locator(within).getByText(words).first().waitFor({ timeout: 10_000 });
const press = (p, name) => p.page.getByRole("button", { name, exact: true }).click();

before(async () => {
  server = await startServer("--default-lobby-policy", "everyone_waits");
  browser = await launchBrowser();
  fac = await person(browser, server, server.mint(ROOM, "facilitator", "f-1", "Dr Rivera"));
  await see(fac, "Connected", "#link-state");
});

after(async () => {
  await browser?.close();
  const code = await server?.stop();
  assert.equal(code, 0, "hearthd exits cleanly");
});

test("the waiting room shows the facilitator's message; facilitators admit", async () => {
  sam = await person(browser, server, server.mint(ROOM, "participant", "p-1", "Sam"), { width: 360, height: 740 });
  kim = await person(browser, server, server.mint(ROOM, "participant", "p-2", "Kim"));
  await see(sam, "Waiting room", "#lobby");
  assert.equal(new URL(sam.page.url()).hash, "", "the token leaves the address bar");
  await see(fac, "Sam (participant)", "#waiting");
  await see(fac, "Kim (participant)", "#waiting");
  await fac.page.fill("#lobby-msg", "We start at ten past. Get comfortable.");
  await fac.page.locator("#lobby-msg-form button").click();
  await see(sam, "We start at ten past", "#lobby-message");
  await shot(sam.page, "01-participant-waiting-room-360px");
  await shot(fac.page, "02-facilitator-lobby");
  await press(fac, "Admit Sam");
  await sam.page.locator("#room").waitFor({ state: "visible" });
  await press(fac, "Admit all");
  await kim.page.locator("#room").waitFor({ state: "visible" });
  await see(fac, "Kim", "#roster");
  await see(sam, "Dr Rivera", "#roster");
  assert.match(await text(kim, "#roster"), /Sam/);
});

test("the hand queue is in server order; the facilitator reorders and grants", async () => {
  await press(sam, "Raise hand");
  await see(fac, "Sam", "#hands");
  await press(kim, "Raise hand");
  await kim.page.waitForFunction(() => document.querySelectorAll("#hands li").length === 2);
  assert.deepEqual(await kim.page.locator("#hands li").allInnerTexts().then((t) => t.map((s) => s.split(/\s/)[0])), ["Sam", "You"]);
  await fac.page.waitForFunction(() => document.querySelectorAll("#hands li").length === 2);
  await press(fac, "Move Kim up");
  await sam.page.waitForFunction(() => document.querySelector("#hands li")?.textContent?.startsWith("Kim"));
  await shot(fac.page, "03-facilitator-hand-queue");
  await press(fac, "Give Kim the floor");
  await see(kim, "It is your turn.", "#floor-now");
  await see(sam, "Kim has the floor.", "#floor-now");
  // The assertive live region, which screen readers announce at once.
  await see(kim, "It is your turn to speak.", "#alert");
  await press(kim, "I'm done");
  await see(sam, "The floor is free.", "#floor-now");
  await press(sam, "Lower hand");
  await fac.page.waitForFunction(() => document.querySelector("#hands")?.textContent?.includes("No hands raised"));
});

test("a round: Sam passes, Kim's turn runs out, the summary records both", async () => {
  await fac.page.fill("#round-label", "Check-in");
  await fac.page.fill("#round-budget", "3");
  await press(fac, "Start round");
  await see(sam, "It is your turn.", "#floor-now");
  await see(kim, "Round: Check-in", "#floor-round");
  await sam.page.locator("#floor-clock").getByText(/0:0[1-3]/).waitFor();
  await shot(sam.page, "04-participant-round-turn-360px");
  await press(sam, "Pass");
  await see(kim, "It is your turn.", "#floor-now");
  await see(fac, "Sam — passed", "#floor-round");
  // Nobody presses anything: the server's clock ends Kim's turn and the round.
  await see(fac, "Check-in", "#summaries");
  const summary = await text(fac, "#summaries");
  assert.match(summary, /Sam passed/);
  assert.match(summary, /Kim spoke \(3 s\)/);
  await see(kim, "The floor is free.", "#floor-now");
  assert.match(await text(fac, "#airtime"), /Sam: not yet/, "airtime puts who has not spoken first");
  await shot(fac.page, "05-facilitator-round-summary");
});

test("chat to the room, and privately to the facilitators", async () => {
  await sam.page.fill("#chat-text", "Glad to be here tonight");
  await sam.page.press("#chat-text", "Enter");
  await see(kim, "Glad to be here tonight", "#chat-log");
  await see(fac, "Glad to be here tonight", "#chat-log");
  await kim.page.selectOption("#chat-to", "fac");
  await kim.page.fill("#chat-text", "Can we talk after group?");
  await kim.page.locator("#chat-form button").click();
  await see(fac, "Can we talk after group?", "#chat-log");
  await see(kim, "You → facilitators", "#chat-log");
  await sam.page.waitForTimeout(300);
  assert.doesNotMatch(await text(sam, "#chat-log"), /talk after group/);
});

test("a distress signal needs a confirmation, reaches only facilitators, and its acknowledgement is shown", async () => {
  await press(sam, "I need support");
  await sam.page.getByRole("button", { name: "Yes, send the signal" }).waitFor();
  await shot(sam.page, "06-participant-distress-confirm-360px");
  await press(sam, "Yes, send the signal");
  await see(sam, "Signal sent", "#distress-status");
  await see(fac, "Sam signalled", "#alert-list");
  await see(fac, "Distress signal from Sam.", "#alert");
  await shot(fac.page, "07-facilitator-distress-alert");
  assert.equal(await kim.page.locator("#alerts").isVisible(), false);
  await press(fac, "Acknowledge Sam");
  await see(sam, "Dr Rivera saw your signal", "#distress-status");
  await see(fac, "acknowledged by You", "#alert-list");
});

test("a dropped connection resumes, and a message typed while offline arrives once", async () => {
  await kim.context.setOffline(true);
  await kim.page.evaluate(() => window.__sockets.at(-1).close());
  await see(kim, "Reconnecting", "#link-state");
  await see(fac, "reconnecting", "#roster");
  await kim.page.selectOption("#chat-to", "room");
  await kim.page.fill("#chat-text", "Sorry, my train went into a tunnel");
  await kim.page.press("#chat-text", "Enter");
  await see(kim, "Sending: Sorry, my train", "#outbox");
  await see(kim, "1 message waiting to send", "#pending-note");
  await kim.page.fill("#chat-text", "still typing this");
  await shot(kim.page, "08-participant-offline-with-pending-chat");
  await kim.context.setOffline(false);
  await kim.page.evaluate(() => window.dispatchEvent(new Event("online")));
  await see(kim, "Connected", "#link-state");
  await see(sam, "Sorry, my train went into a tunnel", "#chat-log");
  await fac.page.waitForFunction(() => !document.querySelector("#roster")?.textContent?.includes("reconnecting"));
  assert.equal(await kim.page.inputValue("#chat-text"), "still typing this");
  assert.equal(await kim.page.locator("#outbox li").count(), 0);
  await sam.page.waitForTimeout(500);
  const copies = (await text(sam, "#chat-log")).split("Sorry, my train").length - 1;
  assert.equal(copies, 1, "delivered exactly once");
  assert.match(await text(kim, "#chat-log"), /Glad to be here tonight/, "the room kept its history");
  await shot(kim.page, "09-participant-resumed");
});

test("an unsent chat draft survives a reload of the tab, in sessionStorage only, until it is sent", async () => {
  await kim.page.fill("#chat-text", "draft kept across a reload");
  await kim.page.reload();
  await see(kim, "Connected", "#link-state");
  assert.equal(await kim.page.inputValue("#chat-text"), "draft kept across a reload");
  assert.equal(await kim.page.evaluate(() => localStorage.length), 0, "never in localStorage");
  await kim.page.press("#chat-text", "Enter");
  await see(sam, "draft kept across a reload", "#chat-log");
  await kim.page.reload();
  await see(kim, "Connected", "#link-state");
  assert.equal(await kim.page.inputValue("#chat-text"), "", "sent: the draft is gone");
  assert.equal(await kim.page.evaluate(() => sessionStorage.getItem("hearth.chat-draft")), null);
});

test("keyboard only: Tab reaches the distress button and Enter opens its confirmation", async () => {
  const page = sam.page;
  await page.locator("body").focus();
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.id === "distress-open");
  }
  assert.ok(reached, "the distress button is in the tab order");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "distress-send");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.locator("#distress-open").waitFor();
});

test("a round in a custom order: the facilitator sets who goes first and leaves themself out", async () => {
  await fac.page.selectOption("#round-order", "2");
  const list = fac.page.locator("#round-custom-list li");
  await fac.page.waitForFunction(() => document.querySelectorAll("#round-custom-list li").length === 3);
  const first = (await list.allInnerTexts()).map((t) => t.split(" takes a turn")[0].trim());
  assert.deepEqual([...first].sort(), ["Dr Rivera", "Kim", "Sam"]);
  assert.equal(await fac.page.getByRole("checkbox", { name: "Dr Rivera takes a turn" }).isChecked(), false, "facilitators are out by default");
  // Whoever is last among the participants moves to the top, by keyboard.
  const people = first.filter((n) => n !== "Dr Rivera");
  const last = people[people.length - 1];
  const up = fac.page.getByRole("button", { name: `Move ${last} up` });
  await up.focus();
  for (let i = first.indexOf(last); i > 0; i--) {
    await fac.page.keyboard.press("Enter");
  }
  await fac.page.waitForFunction((name) => document.querySelector("#round-custom-list li")?.textContent?.startsWith(` ${name}`), last);
  await fac.page.fill("#round-label", "Custom order");
  await fac.page.fill("#round-budget", "0");
  await shot(fac.page, "10-facilitator-custom-round-order");
  await press(fac, "Start round");
  await see(sam, "Round: Custom order", "#floor-round");
  const entries = await sam.page.locator("#floor-round li").allInnerTexts();
  const expected = [last, ...people.filter((n) => n !== last)].map((n) => (n === "Sam" ? "You" : n));
  assert.deepEqual(entries.map((e) => e.split(" — ")[0]), expected);
  await press(fac, "End round");
  await see(sam, "The floor is free.", "#floor-now");
});

test("the page made no request to any other host and the token never reached the log", async () => {
  for (const p of [fac, sam, kim]) {
    assert.deepEqual(p.external, []);
  }
  assert.doesNotMatch(server.log(), /eyJ/);
});
