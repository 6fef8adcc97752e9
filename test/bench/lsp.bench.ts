/**
 * Language server benchmark (not a test: it prints figures with their targets beside them, and
 * never fails on speed). A generated module with 5,000 declarations (tasks with zones, managed and
 * ephemeral tasks with real target files), spoken to over real LSP by the same client the
 * protocol tests use, through three routes: the bundle with Node's defaults, the bundle with
 * `--max-semi-space-size=8`, and `modtasks lsp --stdio` (the route the README gives Neovim and
 * Helix users: the CLI starts the server with that flag in a second Node process).
 *
 *   didChange → publishDiagnostics  p50 ≤ 50 ms  (debounce 0 via initializationOptions; also shown with the default debounce)
 *   hover                          p50 ≤ 5 ms
 *   cold start → first diagnostics     ≤ 500 ms
 *   server RSS                         ≤ 100 MB idle, 30 s after the work (VmRSS from /proc/<pid>/status), shown beside RSS right after it
 *
 * Needs `npm run build` (dist/server/server.js and, for the CLI route, dist/runtime/cli.js).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { LspClient, positionOf, repoRoot } from "../lsp/lsp-client";

const DECLARATIONS = 5000;

function generateModule(dir: string): string {
  mkdirSync(join(dir, "lib"), { recursive: true });
  mkdirSync(join(dir, "scripts"), { recursive: true });
  writeFileSync(join(dir, "lib", "tasks.ts"), 'import { ManagedTaskBase, type TaskRequest } from "modtasks";\nexport class Work extends ManagedTaskBase { async runTask() { this.resolveByCompletion(null); } }\nexport async function run(req: TaskRequest) { return req.resolveByCompletion(null); }\n');
  writeFileSync(join(dir, "scripts", "job.ts"), "console.log(1);\n");
  const zones = ["Europe/Amsterdam", "America/New_York", "maintenance", "", "Asia/Tokyo"];
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition">', "  <servicemanager>"];
  for (let i = 0; i < DECLARATIONS; i++) {
    switch (i % 3) {
      case 0: {
        const tz = zones[i % zones.length]!;
        lines.push(`    <task tag="t${i}" runat="${i % 60} ${i % 24} * * *"${tz ? ` runtz="${tz}"` : ""} script="scripts/job.ts" description="task ${i}" />`);
        break;
      }
      case 1:
        lines.push(`    <managedtask type="m${i}" objectname="lib/tasks.ts#Work" priority="background" />`);
        break;
      default:
        lines.push(`    <ephemeraltask type="e${i}" taskrunner="lib/tasks.ts#run" timeout="60000" />`);
    }
  }
  lines.push("  </servicemanager>", "</module>", "");
  const file = join(dir, "moduledefinition.xml");
  writeFileSync(file, lines.join("\n"));
  return file;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The server's pid: the process itself, or for `modtasks lsp` the one child the CLI started. */
function serverPid(client: LspClient, viaCli: boolean): number {
  const pid = client.proc.pid!;
  if (!viaCli) return pid;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  if (children.length !== 1) throw new Error(`modtasks lsp (pid ${pid}) has ${children.length} child processes, expected the server alone`);
  return children[0]!;
}

/** Missed targets, counted for the summary (benchmarks report; they do not fail). */
const missed: string[] = [];

function row(name: string, value: string, target: string, ok: boolean): void {
  if (!ok) missed.push(`${name}: ${value} (target ${target})`);
  console.log(`${name.padEnd(52)} ${value.padStart(16)}   target ${target.padEnd(9)} ${ok ? "ok" : "MISSED"}`);
}

/** How the server is started: the bundle (with Node flags) or the shipped CLI route. */
interface Route {
  name: string;
  execArgv?: string[];
  /** `modtasks lsp --stdio`: the CLI process starts the server as its child. */
  viaCli?: boolean;
}

const CLI = join(repoRoot, "runtime", "bin", "modtasks.js");

async function coldStart(folder: string, file: string, opts: { debounceMs?: number; route?: Route } = {}): Promise<{ ms: number; client: LspClient; uri: string }> {
  const t0 = performance.now();
  const route = opts.route ?? { name: "bundle" };
  const client = await LspClient.start({
    folders: [folder],
    pull: false,
    initializationOptions: opts.debounceMs === undefined ? {} : { modtasks: { diagnostics: { debounceMs: opts.debounceMs } } },
    ...(route.execArgv ? { execArgv: route.execArgv } : {}),
    ...(route.viaCli ? { command: [CLI, "lsp", "--stdio"] } : {}),
  });
  const uri = await client.open(file);
  await client.diagnosticsForVersion(uri, 1);
  return { ms: performance.now() - t0, client, uri };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Edits, hovers and memory for one server configuration. */
async function measure(dir: string, file: string, route: Route) {
  const { ms: start, client, uri } = await coldStart(dir, file, { debounceMs: 0, route });
  // didChange → diagnostics, debounce 0: alternate a valid and an invalid minute in one runat.
  const at = positionOf(client.text(uri), 'runat="', 7, Math.floor(DECLARATIONS / 6));
  const edits: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    const v = await client.change(uri, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: i % 2 ? "7" : "x" }]);
    await client.diagnosticsForVersion(uri, v);
    edits.push(performance.now() - t0);
  }
  // Hover: on runat values (next runs computed per hover) and on element names.
  const hovers: number[] = [];
  const lines = client.text(uri).split("\n");
  for (let i = 0; i < 300; i++) {
    const line = 3 + ((i * 37) % DECLARATIONS);
    const l = lines[line]!;
    const col = i % 2 ? l.indexOf('runat="') + 8 : l.indexOf("<") + 2;
    const t0 = performance.now();
    await client.hover(uri, { line, character: Math.max(0, col) });
    hovers.push(performance.now() - t0);
  }
  const server = serverPid(client, route.viaCli === true);
  const busy = rssMb(server);
  // The server collects garbage once idle (server/src/idle-gc.ts); V8's memory reducer returns
  // the freed pages to the OS some seconds later (measured: ~13 s after the last edit, RSS
  // 116 -> 76 MB), so idle is read after 30 s.
  await sleep(30_000);
  const idle = rssMb(server);
  // The CLI route costs a second Node process: the wrapper that started the server.
  const wrapper = route.viaCli ? rssMb(client.proc.pid!) : undefined;
  await client.stop();
  return { start, edits, hovers, busy, idle, wrapper };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "modtasks-lsp-bench-"));
  const file = generateModule(join(dir, "bench"));
  console.log(`module: ${DECLARATIONS} declarations, ${(readFileSync(file).length / 1024).toFixed(0)} KiB; ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  try {
    // Cold start: a fresh process per measurement (the first run warms the OS file cache).
    const small = join(repoRoot, "examples", "hello", "moduledefinition.xml");
    await (await coldStart(join(repoRoot, "examples"), small)).client.stop();
    const smallStart = await coldStart(join(repoRoot, "examples"), small);
    await smallStart.client.stop();
    const smallCli = await coldStart(join(repoRoot, "examples"), small, { route: { name: "cli", viaCli: true } });
    await smallCli.client.stop();

    const routes: Route[] = [
      { name: "the bundle, Node defaults" },
      { name: "the bundle, --max-semi-space-size=8", execArgv: ["--max-semi-space-size=8"] },
      { name: "modtasks lsp --stdio (shipped CLI route)", viaCli: true },
    ];
    const results: [Route, Awaited<ReturnType<typeof measure>>][] = [];
    for (const r of routes) results.push([r, await measure(dir, file, r)]);

    // The same edits with the default debounce (150 ms): what a user sees once typing stops.
    const d = await coldStart(dir, file);
    const at = positionOf(d.client.text(d.uri), 'runat="', 7, Math.floor(DECLARATIONS / 6));
    const debounced: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const v = await d.client.change(d.uri, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: i % 2 ? "7" : "x" }]);
      await d.client.diagnosticsForVersion(d.uri, v);
      debounced.push(performance.now() - t0);
    }
    await d.client.stop();

    for (const [route, m] of results) {
      console.log(`\n-- ${route.name}`);
      const p50 = percentile(m.edits, 50);
      row("didChange → diagnostics p50 (debounce 0)", `${p50.toFixed(1)} ms`, "≤ 50 ms", p50 <= 50);
      row("didChange → diagnostics p95 (debounce 0)", `${percentile(m.edits, 95).toFixed(1)} ms`, "-", true);
      const h50 = percentile(m.hovers, 50);
      row("hover p50", `${h50.toFixed(2)} ms`, "≤ 5 ms", h50 <= 5);
      row("hover p95", `${percentile(m.hovers, 95).toFixed(2)} ms`, "-", true);
      row(`cold start → first diagnostics (${DECLARATIONS} decl.)`, `${m.start.toFixed(0)} ms`, "≤ 500 ms", m.start <= 500);
      // Busy next to idle: what the work costs, and what the server keeps once it is done.
      row("server RSS busy (after the edits) → idle (30 s later)", `${m.busy.toFixed(0)} → ${m.idle.toFixed(0)} MB`, "≤ 100 MB", m.idle <= 100);
      if (m.wrapper !== undefined) row("  + the CLI wrapper process (idle)", `${m.wrapper.toFixed(0)} MB`, "-", true);
    }
    console.log("\n-- either");
    row("didChange → diagnostics p50 (debounce 150)", `${percentile(debounced, 50).toFixed(1)} ms`, "-", true);
    row("cold start → first diagnostics (examples/hello)", `${smallStart.ms.toFixed(0)} ms`, "≤ 500 ms", smallStart.ms <= 500);
    row("  the same through modtasks lsp --stdio", `${smallCli.ms.toFixed(0)} ms`, "≤ 500 ms", smallCli.ms <= 500);
    const bundle = readFileSync(join(repoRoot, "dist", "server", "server.js")).length;
    console.log(`bundle dist/server/server.js: ${(bundle / 1024).toFixed(0)} KiB (minified: see README)`);
    // A benchmark reports; it does not fail (speed depends on the machine's load). The misses, once more:
    console.log(missed.length === 0 ? "\nall targets met" : `\n${missed.length} target(s) missed on this run (load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}):\n${missed.map((m) => `  ${m}`).join("\n")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
