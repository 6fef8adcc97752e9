import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { displayCommand, locateRuntime, RUNTIME_BIN, runArguments } from "../../client/src/runtime-locator";

const built = (...dirs: string[]) => {
  const files = new Set(dirs.flatMap((d) => [join(d, RUNTIME_BIN), join(d, "dist", "runtime", "cli.js")]));
  return (p: string) => files.has(p);
};

describe("runtime locator", () => {
  it("prefers the setting, then the workspace's node_modules/modtasks, then the extension, then PATH", () => {
    const ws = "/w";
    const fromWs = join(ws, "node_modules", "modtasks");
    const ext = "/ext";
    const all = built("/custom", fromWs, ext);
    const base = { workspaceFolders: [ws], extensionPath: ext, nodePath: "/usr/bin/node" };
    assert.deepEqual(locateRuntime({ ...base, settingPath: "/custom", exists: all }), {
      ok: true,
      runtime: { command: "/usr/bin/node", prefix: [join("/custom", RUNTIME_BIN)], source: "setting", packageDir: "/custom" },
    });
    assert.equal(locateRuntime({ ...base, exists: all }).ok && (locateRuntime({ ...base, exists: all }) as { runtime: { source: string } }).runtime.source, "workspace");
    const r3 = locateRuntime({ ...base, exists: built(ext) });
    assert.ok(r3.ok && r3.runtime.source === "extension" && r3.runtime.packageDir === ext);
    // Last: `modtasks` on PATH, followed to its package and run by the configured Node.
    const npmGlobal = "/usr/lib/node_modules/modtasks";
    const r4 = locateRuntime({
      ...base,
      pathEnv: "/opt/bin:/usr/bin",
      exists: (p) => p === "/usr/bin/modtasks" || built(npmGlobal)(p),
      realpath: (p) => (p === "/usr/bin/modtasks" ? join(npmGlobal, RUNTIME_BIN) : p),
    });
    assert.deepEqual(r4, { ok: true, runtime: { command: "/usr/bin/node", prefix: [join(npmGlobal, RUNTIME_BIN)], source: "path", packageDir: npmGlobal } });
  });

  it("modtasks on PATH that leads to no built package runs directly, and says the Node path setting is not applied", () => {
    const base = { workspaceFolders: ["/w"], extensionPath: "/ext", pathEnv: "/opt/bin" };
    const onPath = (p: string) => p === "/opt/bin/modtasks";
    // A wrapper script (not a link to runtime/bin/modtasks.js).
    const wrapper = locateRuntime({ ...base, nodePath: "/opt/node22/bin/node", exists: onPath, realpath: (p) => p });
    assert.ok(wrapper.ok);
    assert.equal(wrapper.runtime.command, "/opt/bin/modtasks");
    assert.deepEqual(wrapper.runtime.prefix, []);
    assert.match(wrapper.runtime.note ?? "", /modtasks\.runtime\.nodePath \(\/opt\/node22\/bin\/node\) is not applied: \/opt\/bin\/modtasks leads to \/opt\/bin\/modtasks, not to a modtasks package/);
    // A link into a package that is not built.
    const unbuilt = locateRuntime({ ...base, nodePath: "/opt/node22/bin/node", exists: onPath, realpath: () => join("/src/modtasks", RUNTIME_BIN) });
    assert.ok(unbuilt.ok && unbuilt.runtime.command === "/opt/bin/modtasks" && /package \/src\/modtasks .* is not built/.test(unbuilt.runtime.note ?? ""));
    // A link that cannot be followed.
    const broken = locateRuntime({ ...base, nodePath: "/opt/node22/bin/node", exists: onPath, realpath: () => { throw new Error("ENOENT"); } });
    assert.ok(broken.ok && /cannot be followed \(ENOENT\)/.test(broken.runtime.note ?? ""));
    // With the default Node there is nothing to warn about.
    const quiet = locateRuntime({ ...base, exists: onPath, realpath: (p) => p });
    assert.ok(quiet.ok && quiet.runtime.note === undefined && quiet.runtime.command === "/opt/bin/modtasks");
  });

  it("says how to get a runtime when there is none at all", () => {
    const none = locateRuntime({ workspaceFolders: ["/w"], extensionPath: "/ext", pathEnv: "/opt/bin", exists: () => false });
    assert.ok(!none.ok && /npm install modtasks/.test(none.message));
  });

  it("resolves a relative setting against the first workspace folder; defaults node to PATH", () => {
    const r = locateRuntime({ settingPath: "tools/modtasks", workspaceFolders: ["/w"], extensionPath: "/ext", exists: built("/w/tools/modtasks") });
    assert.ok(r.ok);
    assert.equal(r.runtime.command, "node");
    assert.equal(r.runtime.packageDir, "/w/tools/modtasks");
  });

  it("says what is wrong with a bad setting or an unbuilt package", () => {
    const bad = locateRuntime({ settingPath: "/nope", workspaceFolders: ["/w"], extensionPath: "/ext", exists: () => false });
    assert.ok(!bad.ok && /modtasks\.runtime\.path is \/nope/.test(bad.message));
    const unbuilt = locateRuntime({ settingPath: "/src", workspaceFolders: ["/w"], extensionPath: "/ext", exists: (p) => p === join("/src", RUNTIME_BIN) });
    assert.ok(!unbuilt.ok && /not built yet/.test(unbuilt.message));
  });

  it("builds the `modtasks run` command line", () => {
    const rt = { command: "node", prefix: ["/p/runtime/bin/modtasks.js"], source: "workspace" as const };
    assert.deepEqual(runArguments(rt, ["/w"], { database: " sqlite:/w/x.db ", workers: 3 }), ["/p/runtime/bin/modtasks.js", "run", "/w", "--db", "sqlite:/w/x.db", "--workers", "3"]);
    assert.deepEqual(runArguments(rt, ["/a", "/b"], { database: "", workers: null }), ["/p/runtime/bin/modtasks.js", "run", "/a", "/b"]);
    assert.deepEqual(runArguments(rt, ["/w"], { workers: 0 }), ["/p/runtime/bin/modtasks.js", "run", "/w"]);
    // The editor's cron choices reach the runtime, so it runs what the editor previews; defaults stay the runtime's.
    assert.deepEqual(runArguments(rt, ["/w"], { cronDialect: "prudence", maintenanceOffset: 120, crontabTimeZone: " Europe/Amsterdam " }), [
      "/p/runtime/bin/modtasks.js", "run", "/w", "--dialect", "prudence", "--maintenance-offset", "120", "--crontab-tz", "Europe/Amsterdam",
    ]);
    assert.deepEqual(runArguments(rt, ["/w"], { cronDialect: "webhare", maintenanceOffset: null, crontabTimeZone: "" }), ["/p/runtime/bin/modtasks.js", "run", "/w"]);
    assert.equal(displayCommand("node", ["a b", "c"]), 'node "a b" c');
  });
});
