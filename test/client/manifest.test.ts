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

type MenuEntry = { command: string; when: string; group?: string };
const itemMenu = c.menus["view/item/context"] as MenuEntry[];

/** Every contextValue the tree produces (queue-model.ts, service-model.ts). */
const TASK_STATES = ["running", "queued", "retrying", "failed", "completed", "cancelled"];
const CONTEXT_VALUES = [
  ...TASK_STATES.flatMap((st) => [`task.${st}`, `task.${st}.readonly`]),
  "scheduled.enabled",
  "scheduled.disabled",
  "scheduled.unrunnable",
  ...["running", "starting", "restarting", "stopping", "stopped"].map((st) => `service.${st}`),
  ...["running", "queued", "retrying", "failed", "completed", "cancelled", "scheduled", "services"].map((g) => `group.${g}`),
  "node",
  "banner.stored",
];

/** The viewItem conditions of a when-clause: `viewItem == x` and `viewItem =~ /re/` (VS Code's syntax). */
function viewItemTests(when: string): ((value: string) => boolean)[] {
  const tests: ((value: string) => boolean)[] = [];
  for (const m of when.matchAll(/viewItem == ([\w.]+)/g)) tests.push((v) => v === m[1]);
  for (const m of when.matchAll(/viewItem =~ \/((?:[^/\\]|\\.)+)\/([a-z]*)/g)) {
    const re = new RegExp(m[1]!, m[2]);
    tests.push((v) => re.test(v));
  }
  return tests;
}

/** Commands a tree row with this contextValue offers (inline buttons or its context menu), trust aside. */
function offered(value: string, inline: boolean): string[] {
  return itemMenu
    .filter((e) => (e.group ?? "").startsWith("inline") === inline)
    .filter((e) => viewItemTests(e.when).some((t) => t(value)))
    .map((e) => e.command.replace("modtasks.", ""))
    .sort();
}

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

  it("every viewItem =~ pattern is a valid regular expression that matches a contextValue the tree produces", () => {
    const model = readFileSync(join(ROOT, "client", "src", "queue-model.ts"), "utf8") + readFileSync(join(ROOT, "client", "src", "service-model.ts"), "utf8");
    for (const v of CONTEXT_VALUES) assert.ok(model.includes(v.split(".")[0]!), `${v}: not a contextValue of the models`);
    let patterns = 0;
    for (const e of itemMenu) {
      for (const m of e.when.matchAll(/viewItem =~ \/((?:[^/\\]|\\.)+)\/([a-z]*)/g)) {
        patterns++;
        const re = new RegExp(m[1]!, m[2]);
        assert.ok(CONTEXT_VALUES.some((v) => re.test(v)), `${e.command}: /${m[1]}/ matches no contextValue`);
      }
      assert.ok(viewItemTests(e.when).length > 0, `${e.command}: no viewItem condition in ${e.when}`);
    }
    assert.ok(patterns >= 8, `only ${patterns} =~ patterns were checked`);
  });

  it("tasks and scheduled tasks offer exactly their state's actions, inline and in the context menu", () => {
    const expected: Record<string, { inline: string[]; menu: string[] }> = {
      "task.running": { inline: ["cancelTask"], menu: ["cancelTask", "revealDeclaration", "showTaskDetails"] },
      "task.queued": { inline: ["cancelTask"], menu: ["cancelTask", "deleteTask", "revealDeclaration", "showTaskDetails"] },
      "task.retrying": { inline: ["cancelTask", "retryTask"], menu: ["cancelTask", "deleteTask", "retryTask", "revealDeclaration", "showTaskDetails"] },
      "task.failed": { inline: ["retryTask"], menu: ["deleteTask", "retryTask", "revealDeclaration", "showTaskDetails"] },
      "task.completed": { inline: [], menu: ["deleteTask", "revealDeclaration", "showTaskDetails"] },
      "task.cancelled": { inline: [], menu: ["deleteTask", "revealDeclaration", "showTaskDetails"] },
      "scheduled.enabled": { inline: ["runScheduledNow"], menu: ["disableScheduledTask", "revealDeclaration", "runScheduledNow"] },
      "scheduled.disabled": { inline: ["runScheduledNow"], menu: ["enableScheduledTask", "revealDeclaration", "runScheduledNow"] },
      // A task the runtime cannot run (no script, bad runat): only its declaration, to fix it.
      "scheduled.unrunnable": { inline: [], menu: ["revealDeclaration"] },
    };
    for (const [value, want] of Object.entries(expected)) {
      assert.deepEqual({ inline: offered(value, true), menu: offered(value, false) }, want, value);
    }
  });

  it("an inline action is also in the row's context menu (keyboard and screen-reader users reach it there)", () => {
    for (const v of CONTEXT_VALUES) {
      const menu = offered(v, false);
      for (const cmd of offered(v, true)) assert.ok(menu.includes(cmd), `${v}: ${cmd} is inline only`);
    }
  });

  it("rows that are not tasks or services offer no item actions", () => {
    for (const v of CONTEXT_VALUES.filter((x) => /^(group\.|node$|banner\.)/.test(x))) {
      assert.deepEqual([...offered(v, true), ...offered(v, false)], [], v);
    }
  });

  it("every modtasks.* context key in a when-clause is set by the extension", () => {
    const keys = new Set<string>();
    for (const entries of Object.values(c.menus) as MenuEntry[][]) for (const e of entries) for (const m of (e.when ?? "").matchAll(/\b(modtasks\.\w+)\b/g)) keys.add(m[1]!);
    for (const w of c.viewsWelcome as { when: string }[]) for (const m of w.when.matchAll(/\b(modtasks\.\w+)\b/g)) keys.add(m[1]!);
    keys.delete("modtasks.queue"); // the view id (view == modtasks.queue)
    const set = new Set([...code.matchAll(/setContext",\s*"(modtasks\.\w+)"/g)].map((m) => m[1]));
    assert.deepEqual([...keys].filter((k) => !set.has(k)), []);
  });

  it("the schedule timeline is offered wherever there is a schedule: modules or crontab files alone", () => {
    const whens = [...c.menus.commandPalette, ...c.menus["view/title"]].filter((e: MenuEntry) => e.command === "modtasks.showTimeline").map((e: MenuEntry) => e.when);
    assert.equal(whens.length, 2);
    for (const w of whens) {
      assert.match(w, /modtasks\.hasModules \|\| modtasks\.hasCrontabs/);
      if (w.includes("&&")) assert.match(w, /&& \(modtasks\.hasModules \|\| modtasks\.hasCrontabs\)/, "the || is grouped, not bound by the &&");
    }
    assert.ok(pkg.activationEvents.includes("workspaceContains:**/crontab"), "a crontab-only workspace activates the extension");
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
    const keys = [...protocol.matchAll(/"(modtasks\.[\w.]+)"/g)].map((m) => m[1]!).filter((k) => !k.startsWith("modtasks.runTask") && !k.startsWith("modtasks.showTimeline") && k !== "modtasks.explain"); // commands, not settings
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
