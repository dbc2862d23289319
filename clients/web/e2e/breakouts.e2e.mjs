// Breakout rooms in real Chromium: the facilitator splits two participants
// into two rooms by hand with a timer and a warning; chat stays in its room;
// a message reaches every room; the warning is announced; a participant calls
// a facilitator, who gets an alert and goes into that room; recall brings
// everyone back to the main room; an even split's timer ends it by itself.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, person, shot, startServer } from "./harness.mjs";

const ROOM = "group-9";
let server;
let browser;
let fac;
let sam;
let kim;

const text = (p, selector) => p.page.locator(selector).innerText();
const see = (p, words, within = "body") => p.page.locator(within).getByText(words).first().waitFor({ timeout: 10_000 });
const press = (p, name) => p.page.getByRole("button", { name, exact: true }).click();
// What the live regions said, in order (a later announcement replaces an earlier one on screen).
const said = (p, words) => p.page.waitForFunction((w) => window.__said.some((t) => t.includes(w)), words, { timeout: 15_000 });

async function listen(p) {
  await p.page.evaluate(() => {
    window.__said = [];
    for (const id of ["announce", "alert"]) {
      new MutationObserver(() => {
        const t = document.getElementById(id).textContent;
        if (t) window.__said.push(t);
      }).observe(document.getElementById(id), { childList: true, characterData: true, subtree: true });
    }
  });
}

before(async () => {
  server = await startServer("--default-lobby-policy", "open");
  browser = await launchBrowser();
  fac = await person(browser, server, server.mint(ROOM, "facilitator", "f-1", "Dr Rivera"));
  sam = await person(browser, server, server.mint(ROOM, "participant", "p-1", "Sam"), { width: 360, height: 740 });
  kim = await person(browser, server, server.mint(ROOM, "participant", "p-2", "Kim"));
  for (const p of [fac, sam, kim]) {
    await see(p, "Connected", "#link-state");
    await listen(p);
  }
  await see(fac, "Kim", "#roster");
  await see(fac, "Sam", "#roster");
});

after(async () => {
  await browser?.close();
  const code = await server?.stop();
  assert.equal(code, 0, "hearthd exits cleanly");
});

test("the facilitator assigns by hand and opens two rooms with a timer; each person is in their own", async () => {
  assert.equal(await sam.page.locator("#breakout-card").isVisible(), false, "nothing about breakouts before they open");
  await fac.page.selectOption("#bo-split", { label: "By hand" });
  await fac.page.fill("#bo-count", "2");
  await fac.page.fill("#bo-names", "Garden, Porch");
  await fac.page.getByLabel("Room for Sam").selectOption({ label: "Garden" });
  await fac.page.getByLabel("Room for Kim").selectOption({ label: "Porch" });
  // Two minutes, warned 1.9 minutes before the end: the warning comes after 6 s.
  await fac.page.fill("#bo-minutes", "2");
  await fac.page.fill("#bo-warn", "1.9");
  await shot(fac.page, "b01-facilitator-assigns-by-hand");
  // Enter in the form opens them: the console works from the keyboard.
  await fac.page.press("#bo-warn", "Enter");

  await see(sam, "Breakout: Garden", "#where");
  await see(kim, "Breakout: Porch", "#where");
  await see(sam, "You are in the breakout room Garden.", "#breakout-where");
  await said(sam, "You are in the breakout room Garden.");
  await sam.page.locator("#breakout-clock").getByText(/^1:5\d left$/).waitFor();
  await see(fac, "Main room", "#where");
  await fac.page.locator("#bo-rooms [aria-label=Garden]").getByText("Sam").waitFor();
  await fac.page.locator("#bo-rooms [aria-label=Porch]").getByText("Kim").waitFor();
  await see(kim, "in Garden", "#roster");
  assert.equal(await kim.page.locator("#call-fac").isVisible(), true, "a participant in a breakout can call a facilitator");
  assert.equal(await fac.page.locator("#call-box").isVisible(), false);
  await shot(sam.page, "b02-participant-in-breakout-360px");
  await shot(fac.page, "b03-facilitator-rooms");
});

test("chat stays in its breakout; a broadcast reaches every room; the warning is announced", async () => {
  await sam.page.fill("#chat-text", "Hello from the garden");
  await sam.page.press("#chat-text", "Enter");
  await see(sam, "Hello from the garden", "#chat-log");
  await fac.page.fill("#bo-broadcast", "A few more minutes, then we come back together");
  await press(fac, "Broadcast");
  for (const p of [sam, kim]) {
    await see(p, "A few more minutes", "#broadcast-text");
    await said(p, "Message to every room from Dr Rivera");
  }
  // The broadcast came after Sam's chat on the server: Kim would have had it first.
  assert.doesNotMatch(await text(kim, "#chat-log"), /garden/);
  assert.doesNotMatch(await text(fac, "#chat-log"), /garden/, "the facilitator is in the main room");
  await shot(kim.page, "b04-participant-broadcast");
  await press(kim, "Dismiss");
  await kim.page.locator("#broadcast").waitFor({ state: "hidden" });

  await see(kim, "Ending soon", "#breakout-soon");
  await said(kim, "Breakout rooms end in 2 minutes.");
  await said(fac, "Breakout rooms end in");
});

test("a call for a facilitator is confirmed to the caller and alerts the facilitator, who goes into that room", async () => {
  await press(sam, "Call a facilitator");
  await see(sam, "A facilitator has been called", "#call-status");
  await see(fac, "Sam asks for a facilitator in Garden", "#call-list");
  await said(fac, "Sam asks for a facilitator in Garden.");
  assert.equal(await kim.page.locator("#calls").isVisible(), false);
  await shot(fac.page, "b05-facilitator-call-alert");
  await shot(sam.page, "b06-participant-call-confirmed-360px");

  await press(fac, "Go to Garden");
  await see(fac, "Breakout: Garden", "#where");
  await see(fac, "Hello from the garden", "#chat-log");
  await fac.page.locator("#calls").waitFor({ state: "hidden" });
  await fac.page.locator("#bo-rooms [aria-label=Garden]").getByText("Dr Rivera (you)").waitFor();
  await fac.page.fill("#chat-text", "I'm here, Sam");
  await fac.page.press("#chat-text", "Enter");
  await see(sam, "I'm here, Sam", "#chat-log");
  await shot(fac.page, "b07-facilitator-in-breakout");

  // Moved by the facilitator: Kim's screen becomes the garden's, history included.
  await fac.page.getByLabel("Room to move Kim to").selectOption({ label: "Garden" });
  await press(fac, "Move Kim");
  await see(kim, "Breakout: Garden", "#where");
  await see(kim, "Hello from the garden", "#chat-log");
  await fac.page.locator("#bo-rooms [aria-label=Garden]").getByText("Kim").waitFor();
});

test("recall brings everyone back to the main room with its own chat", async () => {
  await press(fac, "Recall everyone");
  for (const p of [fac, sam, kim]) {
    await p.page.locator("#where").waitFor({ state: "hidden" });
    await p.page.locator("#breakout-card").waitFor({ state: "hidden" });
  }
  await said(sam, "You are in the main room.");
  await kim.page.fill("#chat-text", "Good to be back together");
  await kim.page.press("#chat-text", "Enter");
  for (const p of [fac, sam]) {
    await see(p, "Good to be back together", "#chat-log");
  }
  assert.doesNotMatch(await text(sam, "#chat-log"), /Hello from the garden|I'm here, Sam/, "the garden's chat stayed in the garden");
  assert.doesNotMatch(await text(kim, "#chat-log"), /garden|I'm here/, "Kim's screen is the main room's again");
  await shot(sam.page, "b08-participant-back-in-main-room-360px");
});

test("an even split with a short timer warns and then brings everyone back by itself", async () => {
  await fac.page.selectOption("#bo-split", { label: "Evenly" });
  await fac.page.fill("#bo-count", "2");
  await fac.page.fill("#bo-names", "");
  // Nine seconds, warned three seconds before the end.
  await fac.page.fill("#bo-minutes", "0.15");
  await fac.page.fill("#bo-warn", "0.05");
  await fac.page.press("#bo-warn", "Enter");
  await see(sam, "Breakout: Room 1", "#where");
  await see(kim, "Breakout: Room 2", "#where");
  await see(sam, "Ending soon", "#breakout-soon");
  await said(sam, "Breakout rooms end in 3 seconds.");
  for (const p of [fac, sam, kim]) {
    await p.page.locator("#breakout-card").waitFor({ state: "hidden", timeout: 20_000 });
  }
  await said(fac, "The breakout rooms have closed.");
  await said(kim, "You are in the main room.");
  await fac.page.locator("#bo-open-form").waitFor();
  await shot(fac.page, "b09-facilitator-after-the-timer");
});

test("the page made no request to any other host", async () => {
  for (const p of [fac, sam, kim]) {
    assert.deepEqual(p.external, []);
  }
});
