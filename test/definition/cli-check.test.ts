import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { build } from "esbuild";
import { checkModuleDefinition, nodeFs, parseModuleDefinition } from "../../runtime/src/definition";
import { corpus, fixtures, repoRoot } from "./helpers";

/**
 * `modtasks check` as users run it: the CLI entry (runtime/src/cli/main.ts) bundled by esbuild the
 * way scripts/build.mjs does, then run as a separate process. Commands of other engineers that do
 * not exist yet are left out of this bundle, so the test depends only on `check`.
 */
const dir = mkdtempSync(join(tmpdir(), "modtasks-cli-"));
const cli = join(dir, "cli.js");

before(async () => {
  await build({
    entryPoints: [join(repoRoot, "runtime", "src", "cli", "main.ts")],
    outfile: cli,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "silent",
    external: ["better-sqlite3", "pg", "pg-native", "tsx", "tsx/*"],
    define: { MODTASKS_VERSION: JSON.stringify("test") },
    plugins: [
      {
        name: "missing-commands",
        setup(b) {
          // A sibling command that is not written yet must not break this bundle.
          b.onResolve({ filter: /^\.\/(lsp|next|run|status|worker)$/ }, async (args) => {
            if (args.pluginData === "retry") return undefined;
            const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: "retry" });
            return r.errors.length > 0 ? { path: args.path, external: true } : undefined;
          });
        },
      },
    ],
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], cwd = repoRoot) {
  const r = spawnSync(process.execPath, [cli, "check", ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("the corpus checks clean", () => {
  it("through the API: 0 errors, 0 warnings", () => {
    for (const m of ["system", "publisher"]) {
      const file = join(corpus, m, "moduledefinition.xml");
      const findings = checkModuleDefinition(parseModuleDefinition(readFileSync(file, "utf8"), { file }), { fs: nodeFs });
      const loud = findings.filter((f) => f.severity === "error" || f.severity === "warning");
      assert.deepEqual(loud, [], `${m}: ${loud.map((f) => f.message).join("; ")}`);
      // Only HareScript notes remain: the corpus is HareScript.
      assert.ok(findings.every((f) => f.code === "harescript-needs-webhare"));
    }
  });

  it("through the built CLI: exit 0 and the summary", () => {
    const r = run([corpus, "--quiet"]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(r.out.trim(), "2 files, 0 errors, 0 warnings");
  });
});

describe("modtasks check output", () => {
  it("prints file:line:col: severity: message [code] and exits 1 on errors", () => {
    const r = run([join("test", "fixtures", "definition", "semantics")]);
    assert.equal(r.code, 1);
    const lines = r.out.trim().split("\n");
    assert.equal(lines[0], "test/fixtures/definition/semantics/mymod/moduledefinition.xml:3:31: error: Unable to find 'scripts/a.ts' [target-not-found]");
    assert.ok(lines.includes("test/fixtures/definition/semantics/mymod/moduledefinition.xml:4:16: error: Duplicate <task> tag 'daily': already declared on line 3 [duplicate-tag]"));
    assert.match(lines.at(-1)!, /^1 file, 26 errors, 7 warnings$/);
  });

  it("--json prints 0-based LSP ranges", () => {
    const r = run([join("test", "fixtures", "definition", "semantics", "mymod", "moduledefinition.xml"), "--json"]);
    assert.equal(r.code, 1);
    const items = JSON.parse(r.out) as { file: string; range: { start: { line: number; character: number }; end: { line: number; character: number } }; severity: string; message: string; code: string }[];
    const dup = items.find((i) => i.code === "duplicate-tag")!;
    assert.deepEqual(dup.range, { start: { line: 3, character: 15 }, end: { line: 3, character: 20 } });
    assert.equal(dup.severity, "error");
    assert.equal(dup.file, join(fixtures, "semantics", "mymod", "moduledefinition.xml"));
  });

  it("--dialect switches the runat dialect", () => {
    const path = join("test", "fixtures", "definition", "cron");
    assert.match(run([path]).out, /range '1-5' in the day of week field \(0-7\) is not supported by WebHare/);
    assert.doesNotMatch(run([path, "--dialect", "extended"]).out, /range '1-5'/);
  });

  it("defaults to the current folder and skips node_modules, .git and dist", () => {
    const tmp = mkdtempSync(join(tmpdir(), "modtasks-walk-"));
    try {
      const mod = `<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition"><servicemanager><task tag="a" script="a.ts" runat="0 0 * * *"/></servicemanager></module>`;
      for (const d of ["mymod", "node_modules/x", ".git/y", "dist/z"]) {
        mkdirSync(join(tmp, d), { recursive: true });
        writeFileSync(join(tmp, d, "moduledefinition.xml"), mod);
        writeFileSync(join(tmp, d, "a.ts"), "");
      }
      const r = run([], tmp);
      assert.equal(r.code, 0, r.out + r.err);
      assert.equal(r.out.trim(), "1 file, 0 errors, 0 warnings");
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("a folder walk passes over another tool's moduledefinition.xml, and counts the infos it prints", () => {
    const tmp = mkdtempSync(join(tmpdir(), "modtasks-walk-"));
    try {
      mkdirSync(join(tmp, "mymod"));
      writeFileSync(join(tmp, "mymod", "moduledefinition.xml"), `<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition"><servicemanager><task tag="a" script="a.ts" runat="0 0 * * *"/></servicemanager></module>`);
      writeFileSync(join(tmp, "mymod", "a.ts"), "");
      mkdirSync(join(tmp, "nexacro"));
      writeFileSync(join(tmp, "nexacro", "moduledefinition.xml"), `<?xml version="1.0" encoding="utf-8"?>\n<ModuleDefinition version="2.3">\n  <Modules><Module url="CompBase.json"/></Modules>\n</ModuleDefinition>\n`);
      let r = run([], tmp);
      assert.equal(r.code, 0, r.out + r.err);
      assert.deepEqual(r.out.trim().split("\n"), [
        `${join("nexacro", "moduledefinition.xml")}:2:2: info: Not a WebHare module definition (its root is <ModuleDefinition>, not <module>, and it does not use WebHare's namespace): modtasks does not check it [foreign-module-definition]`,
        "2 files, 0 errors, 0 warnings, 1 info",
      ]);
      r = run(["--quiet"], tmp);
      assert.equal(r.out.trim(), "2 files, 0 errors, 0 warnings");
      // A misspelt root in a WebHare module is still an error.
      writeFileSync(join(tmp, "mymod", "moduledefinition.xml"), `<modul xmlns="http://www.webhare.net/xmlns/system/moduledefinition"/>`);
      r = run(["--quiet"], tmp);
      assert.equal(r.code, 1);
      assert.match(r.out, /mymod.moduledefinition\.xml:1:2: error: The root element of a module definition must be <module>, not <modul> \[not-a-module-definition\]/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("usage errors exit 2 with a clear message", () => {
    let r = run(["no/such/folder"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /no such file or folder: no\/such\/folder/);
    r = run(["--dialect", "cron4j"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--dialect' must be one of webhare, prudence, extended/);
    r = run(["package.json"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /not a file modtasks checks/);
  });
});
