/**
 * The end-to-end scenarios, run inside VS Code's extension host through the `vscode` API (no DOM):
 * what test/e2e/electron/run.ts loads into desktop VS Code via @vscode/test-electron, and what
 * test/e2e/electron-suite.test.ts runs inside code-server (through a small driver extension) so the
 * suite itself is verified on machines without a desktop VS Code.
 *
 * Exports `run()` (the contract of `extensionTestsPath`): resolves when every scenario passed,
 * rejects with the first failure. The workspace is the one prepareWorkspace() builds.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import * as vscode from "vscode";
import type { ModtasksApi } from "../../../client/src/extension";
import type { QueueSnapshot, TaskSummary } from "../../../client/src/runtime-api";

const EXTENSION_ID = "modtasks.modtasks";
const TIMEOUT_MS = 30_000;

function fail(message: string): never {
  throw new Error(message);
}

/** Resolves when `check` holds, re-checking on each event; rejects after the timeout. */
function until<T>(what: string, event: vscode.Event<unknown>, check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sub.dispose();
      fn();
    };
    const test = async () => {
      try {
        const v = await check();
        if (v !== undefined && v !== false) finish(() => resolve(v));
      } catch (e) {
        finish(() => reject(e));
      }
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${what}`))), TIMEOUT_MS);
    const sub = event(() => void test());
    void test();
  });
}

function allTasks(s: QueueSnapshot | undefined): TaskSummary[] {
  return s ? [...s.active, ...s.failed, ...s.completed, ...s.cancelled] : [];
}

function taskIn(api: ModtasksApi, pred: (t: TaskSummary) => boolean): Promise<TaskSummary> {
  const q = api.services.queue;
  // The runtime pushes every start and finish; the queue refreshes on those events by itself.
  q.refreshSoon(0);
  return until("a task in the queue", q.onDidRefresh, () => allTasks(q.current).find(pred));
}

/** Problems that are not the extension's, reported with the results instead of failing them. */
const warnings: string[] = [];

type Scenario = [name: string, fn: (api: ModtasksApi, folder: vscode.Uri) => Promise<void>];

const scenarios: Scenario[] = [
  [
    "diagnostics: a broken runat is reported at the exact field; hover shows the next runs; the outline lists the tasks",
    async (_api, folder) => {
      const uri = vscode.Uri.joinPath(folder, "e2emod", "moduledefinition.xml");
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const line = doc.getText().split("\n").findIndex((l) => l.includes('runat="0 3 * * *"'));
      const hourCol = doc.lineAt(line).text.indexOf('runat="0 3') + 'runat="0 '.length;
      const symbols = await until("document symbols", vscode.languages.onDidChangeDiagnostics, async () => {
        const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>("vscode.executeDocumentSymbolProvider", uri);
        return s?.length ? s : undefined;
      });
      const names = JSON.stringify(symbols.map(function flat(s: vscode.DocumentSymbol): unknown[] {
        return [s.name, ...s.children.flatMap(flat)];
      }));
      for (const n of ["slow", "failonce", "double", "nightly"]) if (!names.includes(n)) fail(`outline lacks ${n}: ${names}`);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", uri, new vscode.Position(line, hourCol));
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
      if (!/Next \d+ runs?/.test(text)) fail(`hover on the mask shows no next runs:\n${text}`);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, new vscode.Range(line, hourCol, line, hourCol + 1), "25");
      await vscode.workspace.applyEdit(edit);
      const d = await until("a diagnostic on the hour field", vscode.languages.onDidChangeDiagnostics, () =>
        vscode.languages.getDiagnostics(uri).find((x) => x.severity === vscode.DiagnosticSeverity.Error),
      );
      if (d.range.start.line !== line || d.range.start.character !== hourCol || d.range.end.character !== hourCol + 2) fail(`diagnostic at ${JSON.stringify(d.range)}, expected line ${line} ${hourCol}-${hourCol + 2}`);
      await vscode.commands.executeCommand("workbench.action.files.revert");
    },
  ],
  [
    "runtime: starts for the workspace",
    async (api) => {
      const ok = await vscode.commands.executeCommand<boolean>("modtasks.startRuntime");
      if (!ok || !api.services.runtime.connected) fail(`the runtime did not start: ${api.services.runtime.lastError}`);
    },
  ],
  [
    "Run Task: a managed task with JSON data completes",
    async (api) => {
      const id = await vscode.commands.executeCommand<number>("modtasks.runTask", { kind: "managed", name: "hello:greet", data: { name: "Desktop" } });
      if (!id) fail("modtasks.runTask returned no task id");
      await taskIn(api, (t) => t.id === id && t.outcome === "completed");
    },
  ],
  [
    "a failing task is Failed; Retry runs it again and it completes",
    async (api) => {
      const label = `desktop-${Date.now().toString(36)}`;
      const id = await vscode.commands.executeCommand<number>("modtasks.runTask", { kind: "managed", name: "e2emod:failonce", data: { label } });
      await taskIn(api, (t) => t.id === id && t.outcome === "failed");
      const again = await vscode.commands.executeCommand<number>("modtasks.retryTask", { taskId: id });
      await taskIn(api, (t) => t.id === again && t.outcome === "completed");
    },
  ],
  [
    "Cancel stops a long task",
    async (api) => {
      const id = await vscode.commands.executeCommand<number>("modtasks.runTask", { kind: "managed", name: "e2emod:slow", data: { seconds: 300 } });
      await taskIn(api, (t) => t.id === id && t.state === "running");
      const r = await vscode.commands.executeCommand<string>("modtasks.cancelTask", { taskId: id });
      if (r !== "cancelled") fail(`cancel answered ${r}`);
      await taskIn(api, (t) => t.id === id && t.outcome === "cancelled");
    },
  ],
  [
    "an ephemeral task returns its result",
    async () => {
      const r = await vscode.commands.executeCommand<unknown>("modtasks.runTask", { kind: "ephemeral", name: "e2emod:double", data: { n: 21 } });
      if (JSON.stringify(r) !== '{"doubled":42}') fail(`ephemeral result ${JSON.stringify(r)}`);
    },
  ],
  [
    "a scheduled task runs now, and can be disabled and enabled",
    async (api) => {
      const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string | null }>("modtasks.runScheduledNow", "e2emod:nightly");
      if (!r?.ok) fail(`trigger: ${JSON.stringify(r)}`);
      const q = api.services.queue;
      const state = (enabled: boolean) => () => q.current?.scheduled?.find((t) => t.name === "e2emod:nightly" && t.enabled === enabled);
      if (!(await vscode.commands.executeCommand<boolean>("modtasks.disableScheduledTask", "e2emod:nightly"))) fail("disable failed");
      q.refreshSoon(0);
      await until("e2emod:nightly disabled", q.onDidRefresh, state(false));
      if (!(await vscode.commands.executeCommand<boolean>("modtasks.enableScheduledTask", "e2emod:nightly"))) fail("enable failed");
      q.refreshSoon(0);
      const t = await until("e2emod:nightly enabled", q.onDidRefresh, state(true));
      if (!t.nextRun) fail("no next run after enabling");
    },
  ],
  [
    "runtime: stops",
    async (api) => {
      await vscode.commands.executeCommand("modtasks.stopRuntime");
      if (api.services.runtime.state !== "stopped") fail(`runtime state ${api.services.runtime.state}`);
    },
  ],
  [
    "attach: a runtime started outside VS Code (modtasks run in a terminal) is attached to, and its exit is noticed",
    async (api, folder) => {
      const rt = api.services.runtime;
      const bin = join(folder.fsPath, "node_modules", "modtasks", "runtime", "bin", "modtasks.js");
      const child = spawn("node", [bin, "run", folder.fsPath, "--quiet"], { cwd: folder.fsPath, stdio: ["ignore", "pipe", "pipe"] });
      try {
        let out = "";
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`the terminal runtime did not start:\n${out}`)), TIMEOUT_MS);
          const onData = (b: Buffer) => {
            out += b.toString();
            if (/started on/.test(out)) {
              clearTimeout(t);
              resolve();
            }
          };
          child.stdout.on("data", onData);
          child.stderr.on("data", onData);
          child.once("exit", (code) => reject(new Error(`the terminal runtime exited (${code}):\n${out}`)));
        });
        if (!(await vscode.commands.executeCommand<boolean>("modtasks.attachRuntime"))) fail("attach failed");
        if (!rt.connected || rt.owned) fail(`attached: connected=${rt.connected} owned=${rt.owned}`);
        const id = await vscode.commands.executeCommand<number>("modtasks.runTask", { kind: "managed", name: "hello:add", data: { a: 2, b: 3 } });
        await taskIn(api, (t) => t.id === id && t.outcome === "completed");
        const gone = until("the attached runtime's exit", rt.onDidChangeState, () => rt.state === "stopped");
        child.kill("SIGTERM");
        const stoppedBySigterm = await Promise.race([
          new Promise<boolean>((r) => child.once("exit", () => r(true))),
          new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
        ]);
        if (!stoppedBySigterm) {
          // Known runtime bug (reported): a stopping runtime awaits its control server's close()
          // before dropping client connections, so it hangs while VS Code stays attached.
          warnings.push("the runtime did not exit on SIGTERM within 10 s while VS Code was attached (control server close() waits for clients)");
          child.kill("SIGKILL");
        }
        await gone;
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    },
  ],
];

/** Runs every scenario in order; returns a report line per scenario, throws on the first failure. */
export async function run(): Promise<string[]> {
  const ext = vscode.extensions.getExtension<ModtasksApi>(EXTENSION_ID) ?? fail(`extension ${EXTENSION_ID} is not installed`);
  const api = await ext.activate();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? fail("no workspace folder is open");
  const report: string[] = [];
  for (const [name, fn] of scenarios) {
    const started = Date.now();
    try {
      await fn(api, folder);
    } catch (e) {
      report.push(`not ok - ${name}: ${(e as Error).message}`);
      const err = new Error(`${report.join("\n")}`);
      throw err;
    }
    report.push(`ok - ${name} (${Date.now() - started} ms)`);
  }
  for (const w of warnings.splice(0)) report.push(`# warning: ${w}`);
  return report;
}
