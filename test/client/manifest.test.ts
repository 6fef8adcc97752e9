import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

/** package.json is the one place that says which command appears where; keep it and the code in step. */
const ROOT = join(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const c = pkg.contributes;

function sources(dir: string): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? readFileSync(join(dir, e.name), "utf8") : ""))
    .join("\n");
}
const code = sources(join(ROOT, "client", "src"));
const registered = new Set([...code.matchAll(/registerCommand\(\s*"([^"]+)"/g)].map((m) => m[1]));
// Registered through constants rather than literals (the timeline, issue #9).
for (const m of code.matchAll(/export const \w+_COMMAND = "([^"]+)"/g)) registered.add(m[1]);

describe("manifest (package.json contributes)", () => {
  const declared = new Set<string>(c.commands.map((x: { command: string }) => x.command));

  it("every declared command is registered, and every registered command is declared", () => {
    assert.deepEqual([...declared].filter((id) => !registered.has(id)), []);
    assert.deepEqual([...registered].filter((id) => !declared.has(id)), []);
  });

  it("commands carry the category modtasks; menus only name declared commands", () => {
    for (const cmd of c.commands) assert.equal(cmd.category, "modtasks", cmd.command);
    for (const [menu, entries] of Object.entries(c.menus) as [string, { command: string }[]][]) {
      for (const e of entries) assert.ok(declared.has(e.command), `${menu}: ${e.command}`);
    }
  });

  it("item-only commands are hidden from the palette", () => {
    const hidden = new Set(c.menus.commandPalette.filter((e: { when: string }) => e.when === "false").map((e: { command: string }) => e.command));
    assert.ok(hidden.has("modtasks.revealTask"));
  });

  it("tree menus use the contextValues the queue model produces", () => {
    const model = readFileSync(join(ROOT, "client", "src", "queue-model.ts"), "utf8");
    for (const e of c.menus["view/item/context"] as { when: string }[]) {
      for (const m of e.when.matchAll(/viewItem == ([\w.]+)/g)) assert.ok(model.includes(m[1]!.split(".")[0]!), m[1]);
      assert.match(e.when, /view == modtasks\.queue/);
    }
  });

  it("service actions: Restart and Stop on running services, Start on stopped ones; Start and Restart only when trusted", () => {
    const states = ["running", "starting", "restarting", "stopping", "stopped"];
    const entries = (c.menus["view/item/context"] as { command: string; when: string; group: string }[]).filter((e) => /Service$/.test(e.command));
    const offered = (state: string, inline: boolean) =>
      entries
        .filter((e) => e.group.startsWith("inline") === inline)
        .filter((e) => {
          const m = /viewItem =~ \/(.+)\/|viewItem == ([\w.]+)/.exec(e.when)!;
          return m[1] ? new RegExp(m[1]).test(`service.${state}`) : m[2] === `service.${state}`;
        })
        .map((e) => e.command.replace("modtasks.", ""))
        .sort();
    for (const inline of [true, false]) {
      assert.deepEqual(
        states.map((st) => [st, offered(st, inline)]),
        [
          ["running", ["restartService", "stopService"]],
          ["starting", ["restartService", "stopService"]],
          ["restarting", ["restartService", "stopService"]],
          ["stopping", []],
          ["stopped", ["startService"]],
        ],
      );
    }
    for (const e of entries) if (!e.command.endsWith("stopService")) assert.match(e.when, /isWorkspaceTrusted/, e.command);
  });

  it("read-only rows (the queue as stored) offer details and the declaration, never an action", () => {
    for (const state of ["running", "queued", "retrying", "failed", "completed", "cancelled"]) {
      const value = `task.${state}.readonly`;
      const offered = (c.menus["view/item/context"] as { command: string; when: string }[])
        .filter((e) => {
          const m = /viewItem =~ \/(.+)\/|viewItem == ([\w.]+)/.exec(e.when);
          return m && (m[1] ? new RegExp(m[1]).test(value) : m[2] === value);
        })
        .map((e) => e.command);
      assert.deepEqual([...new Set(offered)].sort(), ["modtasks.revealDeclaration", "modtasks.showTaskDetails"], value);
    }
  });

  it("settings: every key the language server reads is contributed, with a description", () => {
    const protocol = readFileSync(join(ROOT, "server", "src", "protocol.ts"), "utf8");
    const keys = [...protocol.matchAll(/"(modtasks\.[\w.]+)"/g)].map((m) => m[1]!).filter((k) => !k.startsWith("modtasks.runTask") && !k.startsWith("modtasks.showTimeline"));
    assert.ok(keys.length >= 5);
    for (const k of keys) assert.ok(c.configuration.properties[k], `${k} is not in contributes.configuration`);
    for (const [k, v] of Object.entries(c.configuration.properties) as [string, { markdownDescription?: string; description?: string }][]) {
      assert.ok(v.markdownDescription || v.description, `${k} has no description`);
    }
    assert.ok(c.configuration.properties["modtasks.trace.server"]);
  });

  it("declares limited support for untrusted workspaces", () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, "limited");
    assert.match(pkg.capabilities.untrustedWorkspaces.description, /Restricted Mode/);
  });
});
