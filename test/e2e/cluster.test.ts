/**
 * End to end, a PostgreSQL cluster in the Task Queue: a fresh database on the machine's
 * PostgreSQL (MODTASKS_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432, trust auth), two
 * `modtasks run --db <url> --node-name n1|n2` processes started by the suite, one long task
 * running on each node (n1 runs e2emod, n2 a copy named e2emod2: a node claims only the types it
 * can run, so each task lands on its own node however fast the other one claims), and VS Code (code-server + Chromium, the harness of test/e2e/lib) on the
 * same workspace with only `modtasks.runtime.database` set. The extension finds a node of the
 * cluster on this machine by itself (runtime-discovery.ts), and the tree shows the running tasks
 * per node. Screenshots: test-results/e2e/cluster-*.png.
 *
 *   node test/run.mjs e2e/cluster        MODTASKS_E2E_KEEP=1 keeps the temp folder (logs)
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freshPgDatabase } from "../helpers/pg";
import { CodeServer, cleanup, E2E_DIR, makeRunDir, prepareWorkspace, REPO_ROOT } from "./lib/code-server";
import { CHROMIUM_ARGS, loadPlaywright, type Browser, type Page } from "./lib/playwright";
import { Workbench } from "./lib/workbench";

const CLI = join(REPO_ROOT, "runtime", "bin", "modtasks.js");

interface Node {
  name: string;
  proc: ChildProcess;
  exited: Promise<void>;
  output: () => string;
}

let runDir: string;
let ws: string;
let db: { url: string; drop: () => Promise<void> } | undefined;
let pgProblem: string | undefined;
let tools: { codeServer: string; chromium: string };
let browser: Browser | undefined;
let server: CodeServer | undefined;
let page: Page;
let wb: Workbench;
const nodes: Node[] = [];

/** A node of the cluster on one module of the workspace; resolves once it serves. */
async function startNode(name: string, module: string): Promise<Node> {
  const proc = spawn(process.execPath, [CLI, "run", join(ws, module), "--db", db!.url, "--node-name", name, "--workers", "1"], { cwd: ws, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes("started on")) resolve();
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`node ${name} exited (${code}) before it started:\n${out}`)));
  });
  return { name, proc, exited, output: () => out };
}

/** Runs `modtasks <args>` against the cluster's database; its stdout. */
function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args, "--db", db!.url], { cwd: ws, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`modtasks ${args.join(" ")}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Waits (on the runtime's own answers, bounded) until every slow task runs, one per node. */
async function untilRunningOnEachNode(ids: number[], timeoutMs: number): Promise<Map<number, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // `tasks list` reads the rows: the lease owner is `<node>/<pid>/<start>`.
    const rows = JSON.parse(cli("tasks", "list", "--json", "--state", "running", "--limit", "50")) as { id: number; leaseOwner: string | null }[];
    const where = new Map(rows.filter((r) => ids.includes(r.id)).map((r) => [r.id, String(r.leaseOwner).split("/")[0]!]));
    if (where.size === ids.length && new Set(where.values()).size === nodes.length) return where;
    if (Date.now() > deadline) throw new Error(`the tasks did not run on both nodes: ${JSON.stringify([...where])}\n${nodes.map((n) => `--- ${n.name}\n${n.output()}`).join("\n")}`);
    // Each node claims within its poll interval; ask again shortly (a test waiting on external processes).
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  try {
    db = await freshPgDatabase();
  } catch (e) {
    pgProblem = (e as Error).message;
    return;
  }
  // @ts-expect-error: setup.mjs is plain JavaScript without declarations.
  const setup = (await import("./setup.mjs")) as { ensureE2eTools: () => { codeServer: string; chromium: string } };
  tools = setup.ensureE2eTools();
  // @ts-expect-error: package-vsix.mjs is plain JavaScript without declarations.
  const pack = (await import("./package-vsix.mjs")) as { packageVsix: (out: string, o: { quiet: boolean }) => number };
  runDir = makeRunDir();
  const vsix = join(runDir, "modtasks.vsix");
  pack.packageVsix(vsix, { quiet: true });
  ws = prepareWorkspace(join(runDir, "cluster"));
  // The second node's module: the same tasks under another module name (its services are e2emod's).
  cpSync(join(ws, "e2emod"), join(ws, "e2emod2"), { recursive: true, filter: (src) => !src.endsWith("modtasks.json") });
  // The only setting: the database. The extension finds a node on this machine by itself.
  mkdirSync(join(ws, ".vscode"), { recursive: true });
  writeFileSync(join(ws, ".vscode", "settings.json"), JSON.stringify({ "modtasks.runtime.database": db.url }, null, 2));
  const { chromium } = loadPlaywright(E2E_DIR);
  browser = await chromium.launch({ executablePath: tools.chromium, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await page?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
  for (const n of nodes) {
    if (n.proc.exitCode === null && n.proc.signalCode === null) n.proc.kill("SIGTERM");
    const t = setTimeout(() => n.proc.kill("SIGKILL"), 15_000);
    await n.exited;
    clearTimeout(t);
  }
  await db?.drop().catch(() => {});
  if (runDir) cleanup(runDir);
});

describe("e2e: a PostgreSQL cluster in the Task Queue", { timeout: 300_000 }, () => {
  it("two nodes, one long task on each: the tree shows both nodes with their running tasks", async (t) => {
    if (pgProblem) {
      t.skip(`PostgreSQL is not reachable: ${pgProblem}`);
      return;
    }
    nodes.push(await startNode("n1", "e2emod"), await startNode("n2", "e2emod2"));
    // A 5-minute task for each node.
    const ids = ["e2emod", "e2emod2"].map((m) => Number(cli("schedule", `${m}:slow`, JSON.stringify({ seconds: 300 }), "--modules", join(ws, m)).trim()));
    const where = await untilRunningOnEachNode(ids, 60_000);
    assert.deepEqual([where.get(ids[0]!), where.get(ids[1]!)], ["n1", "n2"]);

    server = await CodeServer.start({ entry: tools.codeServer, vsix: join(runDir, "modtasks.vsix"), dir: runDir, workspaceTrust: false, name: "cs-cluster" });
    page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(30_000);
    wb = new Workbench(page, "cluster");
    try {
      await wb.open(server.url(ws));
      await wb.runCommand("modtasks: Show Task Queue");
      // Attached without being told a node name: the status bar counts both nodes' running tasks.
      await page.locator(".statusbar-item", { hasText: "2 running" }).first().waitFor({ state: "visible", timeout: 60_000 });
      for (const n of ["n1", "n2"]) await wb.treeRow("Task Queue", `runtime node ${n}, 1 running`).waitFor({ state: "visible" });
      await wb.treeRow("Task Queue", `e2emod:slow, task ${ids[0]}, running`).waitFor({ state: "visible" });
      await wb.treeRow("Task Queue", `e2emod2:slow, task ${ids[1]}, running`).waitFor({ state: "visible" });
      // Each task sits under the node that runs it (the rows follow their node in the tree).
      const order = await page.evaluate(() => {
        const d = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null }> } }).document;
        return [...d.querySelectorAll(".monaco-list-row")].map((r) => r.getAttribute("aria-label") ?? "");
      }, null);
      const nodeAt = (name: string) => order.findIndex((l) => l.startsWith(`runtime node ${name},`));
      for (const id of ids) {
        const taskAt = order.findIndex((l) => /^e2emod2?:slow, task (\d+),/.exec(l)?.[1] === String(id));
        const mine = where.get(id)!;
        const other = mine === "n1" ? "n2" : "n1";
        const [a, b] = [nodeAt(mine), nodeAt(other)];
        assert.ok(a >= 0 && taskAt > a && (b < a ? true : taskAt < b), `task ${id} (on ${mine}) is listed under ${mine}: ${order.join(" | ")}`);
      }
      await wb.screenshot("two-nodes-running");
      // The status bar's tooltip names the node the window is attached to.
      await page.locator(".statusbar-item", { hasText: "2 running" }).first().hover();
      await page.locator(".monaco-hover:not(.hidden), .workbench-hover", { hasText: /node n\d, pid \d+, attached/ }).first().waitFor({ state: "visible" });
      await wb.screenshot("attached-node-tooltip");
    } catch (e) {
      await wb.screenshot("FAILED").catch(() => {});
      throw e;
    }
  });
});
