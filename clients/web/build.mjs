// Builds the browser client: generates the protocol types from proto/ with
// Debian's protoc and protoc-gen-es, then bundles src/ with esbuild.
//   node build.mjs --out DIR [--tests DIR]
// --out gets index.html, app.js and app.css; --tests gets the unit tests,
// bundled for Node's test runner.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const protoRoot = resolve(here, "../../proto");
const { values } = parseArgs({ options: { out: { type: "string" }, tests: { type: "string" } } });
if (!values.out) {
  console.error("usage: node build.mjs --out DIR [--tests DIR]");
  process.exit(2);
}

// Generated code lives in src/gen (ignored by git), rebuilt every time so it
// always matches the .proto files.
const gen = join(here, "src/gen");
rmSync(gen, { recursive: true, force: true });
mkdirSync(gen, { recursive: true });
const protoDir = join(protoRoot, "hearth/v1");
const protos = readdirSync(protoDir).filter((f) => f.endsWith(".proto")).map((f) => join(protoDir, f));
execFileSync("protoc", [
  `--plugin=protoc-gen-es=${join(here, "node_modules/.bin/protoc-gen-es")}`,
  `--es_out=${gen}`, "--es_opt=target=ts", `-I${protoRoot}`, ...protos,
], { stdio: "inherit" });

const out = resolve(values.out);
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [join(here, "src/main.ts")],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  outfile: join(out, "app.js"),
  logLevel: "warning",
});
cpSync(join(here, "static"), out, { recursive: true });

if (values.tests) {
  const testDir = join(here, "test");
  const tests = readdirSync(testDir).filter((f) => f.endsWith(".test.ts")).map((f) => join(testDir, f));
  const testOut = resolve(values.tests);
  rmSync(testOut, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: tests,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: testOut,
    outExtension: { ".js": ".mjs" },
    entryNames: "[name]",
    external: ["node:*"],
    logLevel: "warning",
  });
}
