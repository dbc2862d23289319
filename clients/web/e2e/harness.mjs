// End-to-end harness: a real hearthd on loopback serving the built client,
// tokens from `hearthd mint-token`, and Debian's Chromium driven headless by
// playwright-core with a fresh profile.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.HEARTH_CHROMIUM ?? "/usr/bin/chromium";
const BIN = process.env.HEARTH_BIN;
const WEB_ROOT = process.env.HEARTH_WEB_ROOT;
export const OUT = process.env.HEARTH_E2E_OUT ?? join(tmpdir(), "hearth-web-e2e");

export async function startServer(...extraArgs) {
  if (!BIN || !WEB_ROOT) {
    throw new Error("set HEARTH_BIN and HEARTH_WEB_ROOT (ctest does)");
  }
  const dir = mkdtempSync(join(tmpdir(), "hearth-e2e-"));
  const dataDir = join(dir, "data");
  const portFile = join(dir, "port");
  const log = openSync(join(dir, "hearthd.log"), "a");
  const proc = spawn(BIN, ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--port-file", portFile,
    "--insecure-plaintext", "--web-root", WEB_ROOT, ...extraArgs], { stdio: ["ignore", log, log] });
  const deadline = Date.now() + 10_000;
  while (!existsSync(portFile) || readFileSync(portFile, "utf8").trim() === "") {
    if (proc.exitCode !== null || Date.now() > deadline) {
      throw new Error(`hearthd did not start:\n${readFileSync(join(dir, "hearthd.log"), "utf8")}`);
    }
    await sleep(20);
  }
  const port = Number(readFileSync(portFile, "utf8").trim());
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    log: () => readFileSync(join(dir, "hearthd.log"), "utf8"),
    mint(room, role, subject, name) {
      return execFileSync(BIN, ["mint-token", "--data-dir", dataDir, "--room", room, "--role", role,
        "--subject", subject, "--name", name], { encoding: "utf8" }).trim();
    },
    async stop() {
      if (proc.exitCode === null) {
        proc.kill("SIGTERM");
        await new Promise((r) => proc.once("exit", r));
      }
      rmSync(dir, { recursive: true, force: true });
      return proc.exitCode;
    },
  };
}

export async function launchBrowser() {
  mkdirSync(OUT, { recursive: true });
  // Playwright gives every launch a new, empty profile directory.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/**
 * A person in their own browser context (separate storage), at `width` px.
 * Every WebSocket the page opens is kept in window.__sockets so the test can
 * cut the connection the way a network drop would. With `record`, every
 * frame the page sends is kept too (window.__sent, as byte arrays).
 */
export async function person(browser, server, token, { width = 1280, height = 900, record = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  await context.addInitScript((keepSent) => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.__sent = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
      send(data) {
        if (keepSent && typeof data !== "string") {
          const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
          window.__sent.push(Array.from(bytes));
        }
        super.send(data);
      }
    };
  }, record);
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  const external = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(server.origin) && !r.url().startsWith(`ws://127.0.0.1:${server.port}`)) {
      external.push(r.url());
    }
  });
  await page.goto(`${server.origin}/#token=${token}`);
  return { page, context, external };
}

/**
 * The commands (ClientMessage oneof field numbers) in the frames a page sent
 * (`record` above): each frame holds varint-length-prefixed records, and each
 * record's top-level fields are walked by their wire type.
 */
export async function sentCommands(page) {
  const frames = await page.evaluate(() => window.__sent);
  const out = [];
  for (const frame of frames) {
    let at = 0;
    const varint = () => {
      let value = 0;
      for (let scale = 1; at < frame.length; scale *= 128) {
        const b = frame[at++];
        value += (b & 0x7f) * scale;
        if (b < 0x80) return value;
      }
      throw new Error("truncated varint in a sent frame");
    };
    while (at < frame.length) {
      const length = varint();
      const end = at + length;
      while (at < end) {
        const tag = varint();
        const [field, wire] = [Math.floor(tag / 8), tag & 7];
        const skip = wire === 0 ? (varint(), 0) : wire === 2 ? varint() : wire === 1 ? 8 : wire === 5 ? 4 : NaN;
        if (Number.isNaN(skip)) throw new Error("unexpected wire type in a sent frame");
        at += skip;
        if (field >= 10) out.push(field);
      }
    }
  }
  return out;
}

export async function shot(page, name) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}
