/**
 * The server's logic without a connection (vscode-eslint style): pure functions from text,
 * settings and a workspace to results. The protocol tests cover the wiring; these cover the
 * cases that are awkward to set up over the wire.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { memoryFs } from "../../runtime/src/definition/module-fs";
import { analyzeDocument, type AnalysisEnv } from "../../server/src/analysis/analyze";
import { checkScheduleCalls, type DeclaredTask, type TaskLookup } from "../../server/src/analysis/check-calls";
import { fieldAt, explainField } from "../../server/src/analysis/cron-field";
import { resolveCrontabDocument } from "../../server/src/analysis/crontab";
import { documentCandidates } from "../../runtime/src/crontab/documents";
import { findScheduleCalls } from "../../server/src/analysis/schedule-calls";
import { formatNext, formatRelative, scheduleView } from "../../server/src/analysis/schedule-preview";
import { classStub, functionStub, maskForInterval } from "../../server/src/features/code-actions";
import { completion } from "../../server/src/features/completion";
import { FULL_SUPPORT, type FeatureContext } from "../../server/src/features/context";
import { foldingRanges } from "../../server/src/features/folding";
import { hover } from "../../server/src/features/hover";
import { ModuleFiles } from "../../server/src/module-files";
import { fileKind } from "../../server/src/paths";
import { DEFAULT_SETTINGS, readSettings } from "../../server/src/settings";
import { WorkspaceIndex } from "../../server/src/workspace-index";
import { parseCron } from "../../runtime/src/cron/index";
import { repoRoot } from "./lsp-client";

describe("scheduling calls in code (light lexer)", () => {
  it("finds calls and methods, with exact spans of the name", () => {
    const src = [
      `await tx.scheduleManagedTask("shop:mail", {});`,
      `scheduleEphemeralTask<Data>('shop:render');`,
      "scheduleTimedTask(`shop:cleanup`);",
      `rt.scheduleManagedTasks("shop:bulk", [1, 2]);`,
    ].join("\n");
    const calls = findScheduleCalls(src);
    assert.deepEqual(
      calls.map((c) => [c.fn, c.kind, c.name, src.slice(c.span.start, c.span.end), c.closed]),
      [
        ["scheduleManagedTask", "managed", "shop:mail", "shop:mail", true],
        ["scheduleEphemeralTask", "ephemeral", "shop:render", "shop:render", true],
        ["scheduleTimedTask", "scheduled", "shop:cleanup", "shop:cleanup", true],
        ["scheduleManagedTasks", "managed", "shop:bulk", "shop:bulk", true],
      ],
    );
  });

  it("ignores comments, strings, templates with substitutions, regexes and declarations", () => {
    const src = [
      `// scheduleManagedTask("a:comment")`,
      `/* scheduleManagedTask("a:block") */`,
      `const s = "scheduleManagedTask('a:string')";`,
      "const t = `${scheduleManagedTask}(\"a:template\")`;",
      `const r = /scheduleManagedTask("a:regex")/;`,
      `async function scheduleManagedTask(type: string) {}`,
      "scheduleManagedTask(`a:${x}`);",
      `scheduleManagedTask(name);`,
    ].join("\n");
    assert.deepEqual(findScheduleCalls(src), []);
  });

  it("keeps a literal that is still being typed (for completion)", () => {
    const calls = findScheduleCalls(`scheduleManagedTask("sho\nfoo();`);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.name, "sho");
    assert.equal(calls[0]!.closed, false);
  });

  const tasks: DeclaredTask[] = [
    { fullName: "shop:mail", module: "shop", name: "mail", kind: "managed" },
    { fullName: "shop:render", module: "shop", name: "render", kind: "ephemeral" },
    { fullName: "shop:Cleanup", module: "shop", name: "Cleanup", kind: "scheduled" },
  ];
  const lookup: TaskLookup = {
    tasksOf: (m) => (m.toLowerCase() === "shop" ? tasks : undefined),
    allTasks: () => tasks,
    hasModules: () => true,
  };
  const check = (src: string) => checkScheduleCalls(findScheduleCalls(src), lookup).map((f) => [f.code, f.severity, f.message, f.data?.replacement]);

  it("accepts declared names (types case-insensitively, tags exactly)", () => {
    assert.deepEqual(check(`scheduleManagedTask("Shop:MAIL"); scheduleEphemeralTask("shop:render"); scheduleTimedTask("shop:Cleanup");`), []);
    assert.deepEqual(check(`scheduleTimedTask("shop:cleanup")`), [["unknown-scheduled-task", "error", "No such scheduled task 'shop:cleanup'; did you mean 'shop:Cleanup'?", "shop:Cleanup"]]);
  });

  it("reports unknown names, wrong kinds, bare names and foreign modules", () => {
    assert.deepEqual(check(`scheduleManagedTask("shop:mial")`), [["unknown-task-type", "error", "No such managed task type 'shop:mial'; did you mean 'shop:mail'?", "shop:mail"]]);
    assert.deepEqual(check(`scheduleEphemeralTask("shop:mail")`), [["task-kind-mismatch", "error", "'shop:mail' is declared as <managedtask>, not <ephemeraltask>: schedule it with scheduleManagedTask", undefined]]);
    assert.deepEqual(check(`scheduleManagedTask("shop:Cleanup")`)[0]![0], "task-kind-mismatch");
    assert.deepEqual(check(`scheduleManagedTask("mail")`), [["invalid-task-name", "error", "Invalid task type 'mail': scheduleManagedTask needs 'module:type'; did you mean 'shop:mail'?", "shop:mail"]]);
    assert.deepEqual(check(`scheduleManagedTask("shp:mail")`), [["unknown-task-type", "warning", "No module 'shp' in the workspace; did you mean 'shop:mail'?", "shop:mail"]]);
    assert.deepEqual(check(`scheduleManagedTask("other:x")`), [["task-module-not-in-workspace", "info", "Module 'other' is not in the workspace; 'other:x' was not checked", undefined]]);
  });

  it("says nothing when the workspace has no modules", () => {
    assert.deepEqual(checkScheduleCalls(findScheduleCalls(`scheduleManagedTask("x:y")`), { ...lookup, hasModules: () => false }), []);
  });
});

describe("crontab documents", () => {
  it("tries the module-relative candidates in a fixed order", () => {
    assert.deepEqual(documentCandidates("/tasks/cleanup/"), [
      "tasks/cleanup.ts",
      "tasks/cleanup.mts",
      "tasks/cleanup.cts",
      "tasks/cleanup.js",
      "tasks/cleanup.mjs",
      "tasks/cleanup.cjs",
      "tasks/cleanup/index.ts",
      "tasks/cleanup/index.mts",
      "tasks/cleanup/index.js",
      "tasks/cleanup/index.mjs",
      "tasks/cleanup/default.ts",
      "tasks/cleanup/default.js",
    ]);
    assert.deepEqual(documentCandidates("/tasks/x.js"), ["tasks/x.js"]);
  });

  it("resolves to the first file that exists, and refuses to leave the module", () => {
    const fs = memoryFs({ "/m/tasks/a/index.js": "", "/m/tasks/a.js": "", "/m/tasks/b/default.ts": "" });
    assert.deepEqual(resolveCrontabDocument("/m/crontab", "/tasks/a/", fs), { ok: true, file: "/m/tasks/a.js" });
    assert.deepEqual(resolveCrontabDocument("/m/crontab", "/tasks/b/", fs), { ok: true, file: "/m/tasks/b/default.ts" });
    assert.equal(resolveCrontabDocument("/m/crontab", "/../etc/x/", fs).ok, false);
    assert.equal(resolveCrontabDocument("/m/crontab", "<% x %>", fs).ok, false);
  });
});

describe("settings", () => {
  it("reads the section, a wrapper object or flat keys, and ignores junk", () => {
    assert.deepEqual(readSettings({ cronDialect: "prudence", previewRuns: 3 }).cronDialect, "prudence");
    assert.equal(readSettings({ modtasks: { previewRuns: 7 } }).previewRuns, 7);
    assert.deepEqual(readSettings({ "modtasks.diagnostics.disabled": ["a"], "modtasks.maintenanceOffset": 90 }).diagnostics.disabled, ["a"]);
    assert.equal(readSettings({ "modtasks.maintenanceOffset": 90 }).maintenanceOffset, 90);
    assert.deepEqual(readSettings({ cronDialect: "cobol", previewRuns: "x", maintenanceOffset: 5000, diagnostics: { debounceMs: -3 } }), { ...DEFAULT_SETTINGS, diagnostics: { disabled: [], debounceMs: 0 } });
    assert.equal(readSettings(null), DEFAULT_SETTINGS);
  });
});

describe("schedule formatting", () => {
  it("says when, relative to now", () => {
    const now = Date.parse("2026-03-20T10:00:00Z");
    assert.equal(formatRelative(now + 30_000, now), "in < 1 min");
    assert.equal(formatRelative(now + 25 * 60_000, now), "in 25 min");
    assert.equal(formatRelative(now + 80 * 60_000, now), "in 1 h 20 min");
    assert.equal(formatRelative(now + 3 * 3_600_000, now), "in 3 h");
    assert.equal(formatRelative(now + 12 * 86_400_000, now), "in 12 d");
    const view = scheduleView("0 15 * * 1", "Europe/Amsterdam", "webhare", 0);
    const next = view.schedule!.next(now, view.zone!)!;
    assert.equal(formatNext(next, view.zone!, now), "Mon 15:00 (in 3 d)");
    // A week later the clocks have gone forward: still 15:00 on the wall, with the date.
    const after = view.schedule!.next(next, view.zone!)!;
    assert.equal(formatNext(after, view.zone!, now), "Mon 2026-03-30 15:00 (in 10 d)");
  });

  it("explains the field under the cursor from the compiled pattern", () => {
    const mask = "*/20 8,12 * * 1";
    const schedule = parseCron(mask, "webhare").schedule;
    assert.equal(explainField(fieldAt(mask, 0)!, schedule), "**minute** field `*/20` (0-59): 0, 20 and 40");
    assert.equal(explainField(fieldAt(mask, 6)!, schedule), "**hour** field `8,12` (0-23): 8 and 12");
    assert.equal(explainField(fieldAt(mask, 14)!, schedule), "**day of week** field `1` (0-7, 0 and 7 = Sunday): Monday");
    assert.equal(explainField(fieldAt(mask, 11)!, schedule), "**day of month** field `*` (1-31): every day of month");
  });

  it("derives a runat for runinterval when one exists", () => {
    assert.equal(maskForInterval(15), "*/15 * * * *");
    assert.equal(maskForInterval(60), "0 * * * *");
    assert.equal(maskForInterval(120), "0 */2 * * *");
    assert.equal(maskForInterval(1440), "0 0 * * *");
    assert.equal(maskForInterval(7), undefined);
    assert.equal(maskForInterval(90), undefined);
  });
});

describe("stubs", () => {
  it("type-check against the real modtasks API", () => {
    const dir = mkdtempSync(join(tmpdir(), "modtasks-stub-"));
    try {
      writeFileSync(join(dir, "cls.ts"), classStub("MyTask", "ts", true));
      writeFileSync(join(dir, "fn.ts"), functionStub("myTask", "ts", true));
      writeFileSync(join(dir, "both.ts"), `import { ManagedTaskBase } from "modtasks";\nimport type { TaskRequest } from "modtasks";\n\n${classStub("A", "ts", false)}\n${functionStub("b", "ts", false)}`);
      const program = ts.createProgram([join(dir, "cls.ts"), join(dir, "fn.ts"), join(dir, "both.ts")], {
        strict: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [join(repoRoot, "node_modules", "@types")],
        baseUrl: repoRoot,
        paths: { modtasks: ["./runtime/src/api/index.ts"] },
      });
      const problems = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName.startsWith(dir));
      assert.deepEqual(problems.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("features on plain text", () => {
  const file = "/ws/shop/moduledefinition.xml";
  const text = `<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition">\n  <servicemanager>\n    <task tag="a" script="s.ts" runat="0 3 * * *" />\n    <task \n  </servicemanager>\n</module>\n`;
  const context = (src: string): FeatureContext => {
    const fs = new ModuleFiles(memoryFs({ "/ws/shop/s.ts": "" }));
    const index = new WorkspaceIndex();
    const env: AnalysisEnv = { dialect: "webhare", maintenance: { offsetMinutes: 60, source: "override" }, crontabZone: { kind: "utc" }, fs, lookup: index, services: index, now: Date.parse("2026-03-20T10:00:00Z") };
    const doc = analyzeDocument({ uri: "file:///ws/shop/moduledefinition.xml", path: file, version: 1, text: src, kind: fileKind(file) }, env);
    return { doc, settings: DEFAULT_SETTINGS, maintenance: env.maintenance, crontabZone: env.crontabZone, index, fs, now: env.now, uriOf: (p) => `file://${p}`, client: FULL_SUPPORT };
  };

  it("completes required attributes first on a tag being typed", () => {
    const ctx = context(text);
    const list = completion(ctx, { line: 3, character: 10 })!;
    const first = [...list.items].sort((a, b) => (a.sortText! < b.sortText! ? -1 : 1)).slice(0, 2);
    assert.deepEqual(first.map((i) => i.label), ["tag", "script"]);
    assert.deepEqual(first[0]!.textEdit, { range: { start: { line: 3, character: 10 }, end: { line: 3, character: 10 } }, newText: 'tag="$1"' });
  });

  it("does not pop up on a space typed in text", () => {
    assert.equal(completion(context(text), { line: 1, character: 2 }, " "), null);
  });

  it("hovers the runat of a task with a fixed clock and offset", () => {
    const h = hover(context(text), { line: 2, character: 40 })!;
    assert.match((h.contents as { value: string }).value, /\| Sat 2026-03-21 03:00 · in 17 h \|/);
  });

  it("folds what spans lines", () => {
    assert.deepEqual(foldingRanges(context(text)), [
      { startLine: 0, endLine: 4 },
      { startLine: 1, endLine: 3 },
    ]);
  });
});

describe("symbols for clients without hierarchical outlines", () => {
  it("flattens the outline with container names", async () => {
    const { documentSymbols } = await import("../../server/src/features/document-symbols");
    const fs = new ModuleFiles(memoryFs({}));
    const index = new WorkspaceIndex();
    const env: AnalysisEnv = { dialect: "webhare", maintenance: { offsetMinutes: 0, source: "override" }, crontabZone: { kind: "utc" }, fs, lookup: index, services: index, now: 0 };
    const text = `<module><servicemanager><managedtask type="a" taskrunner="x.ts#a" /></servicemanager></module>`;
    const doc = analyzeDocument({ uri: "file:///m/moduledefinition.xml", path: "/m/moduledefinition.xml", version: 1, text, kind: "moduledefinition" }, env);
    const ctx: FeatureContext = { doc, settings: DEFAULT_SETTINGS, maintenance: env.maintenance, crontabZone: env.crontabZone, index, fs, now: 0, uriOf: (p) => p, client: FULL_SUPPORT };
    const flat = documentSymbols(ctx, false) as { name: string; containerName?: string }[];
    assert.deepEqual(flat.map((s) => [s.name, s.containerName]), [["servicemanager", undefined], ["managedtask a", "servicemanager"]]);
  });
});

describe("service names in the workspace index", () => {
  it("re-checks code only when the set of registered names changes", () => {
    const index = new WorkspaceIndex();
    const g0 = index.declarationGeneration;
    index.update("/ws/a/svc.ts", `runBackendService("shop:basket", f);`);
    const g1 = index.declarationGeneration;
    assert.ok(g1 > g0, "a new name");
    index.update("/ws/a/svc.ts", `// edited\nrunBackendService("Shop:Basket", f);`);
    index.update("/ws/b/client.ts", `openBackendService("shop:basket");`);
    assert.equal(index.declarationGeneration, g1, "the same name again, and a use, change nothing to check against");
    index.update("/ws/b/other.ts", `runBackendService("shop:basket", g);`);
    index.update("/ws/a/svc.ts", undefined);
    assert.equal(index.declarationGeneration, g1, "still registered by the other file");
    index.update("/ws/b/other.ts", `runBackendService("shop:orders", g);`);
    assert.ok(index.declarationGeneration > g1, "basket gone, orders new");
    assert.deepEqual(index.serviceSites().map((f) => [f.file, f.sites.map((s) => `${s.kind} ${s.name}`)]), [
      ["/ws/b/client.ts", ["open shop:basket"]],
      ["/ws/b/other.ts", ["run shop:orders"]],
    ]);
    assert.deepEqual([...index.serviceFiles()], ["/ws/b/client.ts", "/ws/b/other.ts"]);
  });
});

describe("file generations scoped to a folder", () => {
  it("moves only for changes inside the folder (or changes that concern all)", () => {
    const fs = new ModuleFiles(memoryFs({}));
    const a0 = fs.generationUnder("/ws/modules");
    fs.setOverlay("/ws/app/src/x.ts", "1");
    assert.equal(fs.generationUnder("/ws/modules"), a0, "an edit elsewhere does not concern the modules");
    fs.setOverlay("/ws/modules/shop/lib/t.ts", "1");
    const a1 = fs.generationUnder("/ws/modules");
    assert.ok(a1 > a0);
    fs.invalidate("/ws/app/src/y.ts");
    assert.equal(fs.generationUnder("/ws/modules"), a1);
    fs.clear();
    assert.ok(fs.generationUnder("/ws/modules") > a1);
    // A definition's own edits move nothing (others only check that it exists).
    const a2 = fs.generationUnder("/ws/modules");
    fs.setOverlay("/ws/modules/shop/moduledefinition.xml", "<module/>");
    fs.setOverlay("/ws/modules/shop/moduledefinition.xml", "<module></module>");
    assert.equal(fs.generationUnder("/ws/modules"), a2 + 1, "opening it does (it now exists in the overlay), editing it does not");
  });
});

describe("another tool's moduledefinition.xml in the workspace index", () => {
  it("is no module (as the runtime's discovery sees it); turning it into a WebHare module makes it one, and back", () => {
    const index = new WorkspaceIndex();
    const file = "/ws/nexacro/moduledefinition.xml";
    index.update(file, `<?xml version="1.0" encoding="utf-8"?>\n<ModuleDefinition version="2.3"><Modules/></ModuleDefinition>`);
    assert.equal(index.hasModules(), false);
    assert.deepEqual(index.modulesNamed("nexacro"), []);
    const g = index.declarationGeneration;
    index.update(file, `<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition"><servicemanager><managedtask type="t" objectname="t.ts#T"/></servicemanager></module>`);
    assert.equal(index.hasModules(), true);
    assert.deepEqual(index.modulesNamed("nexacro").map((e) => e.file), [file]);
    assert.ok(index.declarationGeneration > g);
    index.update(file, `<ModuleDefinition version="2.3"/>`);
    assert.equal(index.hasModules(), false);
    assert.deepEqual(index.modulesNamed("nexacro"), []);
  });
});
