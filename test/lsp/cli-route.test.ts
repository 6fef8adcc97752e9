/**
 * The route the README gives Neovim and Helix users: `modtasks lsp --stdio`, which starts the
 * server bundle in a second Node process (runtime/src/cli/lsp.ts). Spoken to over real LSP:
 * initialize, a diagnostic, shutdown, exit, and the CLI's own exit code. Plus the editor
 * snippets the README hands out for that route.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureBuilt, fixtures, LspClient, rangeOf, repoRoot } from "./lsp-client";

const ws = join(fixtures, "ws");
const cliBin = join(repoRoot, "runtime", "bin", "modtasks.js");

describe("modtasks lsp --stdio (through the CLI)", { timeout: 120_000 }, () => {
  let c: LspClient;

  before(async () => {
    ensureBuilt();
    // The CLI bundle starts the server; build it too when only the server bundle was fresh.
    if (!existsSync(join(repoRoot, "dist", "runtime", "cli.js"))) {
      const r = spawnSync(process.execPath, [join(repoRoot, "scripts", "build.mjs")], { cwd: repoRoot, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
    }
    c = await LspClient.start({ command: [cliBin, "lsp", "--stdio"], folders: [ws], env: { MODTASKS_LSP_NOW: "2026-03-20T10:00:00Z" } });
  });
  after(async () => {
    await c.stop();
  });

  it("initializes, reports a diagnostic at its exact range, and exits 0 after shutdown + exit", async () => {
    assert.equal(c.initializeResult.serverInfo?.name, "modtasks");
    assert.ok(c.initializeResult.capabilities.diagnosticProvider);
    const uri = await c.open(join(ws, "broken", "moduledefinition.xml"));
    const diags = await c.pullDiagnostics(uri);
    const hour = diags.find((d) => d.code === "cron-out-of-range")!;
    assert.equal(hour.message, "hour 24 is out of range 0-23");
    assert.deepEqual(hour.range, rangeOf(c.text(uri), "24"));
    assert.equal(await c.conn.sendRequest("shutdown"), null);
    const exited = once(c.proc, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
    await c.conn.sendNotification("exit");
    const [code, signal] = await exited;
    assert.deepEqual([code, signal], [0, null], c.stderr);
  });
});

describe("the README's editor snippets for that route", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const serverReadme = readFileSync(join(repoRoot, "server", "README.md"), "utf8");
  const block = (text: string, lang: string, needle: string) => {
    const re = new RegExp("```" + lang + "\\n([^]*?)```", "g");
    for (const m of text.matchAll(re)) if (m[1]!.includes(needle)) return m[1]!;
    assert.fail(`no ${lang} block with ${needle}`);
  };

  it("Helix wires crontab files (crontab and crontab.system) to the server, not only XML", () => {
    for (const text of [readme, serverReadme]) {
      const toml = block(text, "toml", "[language-server.modtasks]");
      assert.match(toml, /command = "modtasks"\nargs = \["lsp", "--stdio"\]/);
      assert.match(toml, /\[\[language\]\]\nname = "xml"\nlanguage-servers = \["modtasks"\]/);
      assert.match(toml, /\[\[language\]\]\nname = "crontab"\nscope = "source\.crontab"\nfile-types = \[\{ glob = "crontab" \}, \{ glob = "crontab\.system" \}\]\ncomment-token = "#"\nlanguage-servers = \["modtasks"\]/);
    }
  });

  it("Neovim refreshes CodeLenses in crontab.system too", () => {
    for (const text of [readme, serverReadme]) {
      const lua = block(text, "lua", 'vim.lsp.config("modtasks"');
      assert.match(lua, /cmd = \{ "modtasks", "lsp", "--stdio" \}/);
      assert.match(lua, /pattern = \{ "moduledefinition\.xml", "crontab", "crontab\.system" \}/);
    }
  });
});
