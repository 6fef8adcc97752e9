/** modtasks.json's `services` section and the `<runatstartup>` declarations the runtime starts. */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { findModules } from "../../runtime/src/engine/modules";
import { parseServiceConfig } from "../../runtime/src/services/config";
import { findServiceDeclarations } from "../../runtime/src/services/declarations";
import { tempDir } from "../helpers/tmp";
import { SVCMOD } from "./harness";

describe("modtasks.json services", () => {
  const parse = (json: unknown) => parseServiceConfig(JSON.stringify(json), SVCMOD, "svcmod");

  it("reads services with their module-qualified names and absolute scripts", () => {
    const c = parse({ services: { greeter: { script: "lib/greeter-service.ts", onDemand: true }, always: { script: "lib/lazy-service.ts" } }, other: "left alone" });
    assert.deepEqual(c.problems, []);
    assert.deepEqual(c.services, [
      { name: "svcmod:greeter", script: join(SVCMOD, "lib/greeter-service.ts"), onDemand: true },
      { name: "svcmod:always", script: join(SVCMOD, "lib/lazy-service.ts"), onDemand: false },
    ]);
  });

  it("reports every problem with the setting's path, and keeps the valid entries", () => {
    const c = parse({
      services: {
        "Bad Name": { script: "lib/greeter-service.ts" },
        noscript: {},
        outside: { script: "../elsewhere.ts" },
        harescript: { script: "lib/x.whlib" },
        missing: { script: "lib/nope.ts" },
        typo: { script: "lib/greeter-service.ts", ondemand: true },
        flag: { script: "lib/greeter-service.ts", onDemand: "yes" },
        fine: { script: "lib/greeter-service.ts" },
      },
    });
    assert.deepEqual(c.problems, [
      "modtasks.json: services.Bad Name: a service name is lower-case letters, digits, '_', '.', '-' (the module name is added: the service is 'module:name')",
      "modtasks.json: services.noscript.script: must be the path of the service's script, relative to the module folder",
      "modtasks.json: services.outside.script: '../elsewhere.ts' must be inside the module folder",
      "modtasks.json: services.harescript.script: 'lib/x.whlib' must be a TypeScript or JavaScript file (.ts, .mts, .cts, .js, .mjs, .cjs)",
      "modtasks.json: services.missing.script: 'lib/nope.ts' does not exist",
      'modtasks.json: services.typo.ondemand: unknown setting (known: "script", "onDemand")',
      "modtasks.json: services.flag.onDemand: must be true or false",
    ]);
    assert.deepEqual(c.services.map((s) => s.name), ["svcmod:fine"]);
  });

  it("reports a file that is not JSON or has the wrong shape", () => {
    assert.match(parseServiceConfig("{ services: ", SVCMOD, "svcmod").problems[0]!, /^modtasks\.json: not valid JSON/);
    assert.deepEqual(parse([]).problems, ["modtasks.json: must be a JSON object"]);
    assert.deepEqual(parse({ services: ["a"] }).problems, ['modtasks.json: services: must be an object of services by name, e.g. { "greeter": { "script": "lib/greeter.ts" } }']);
    assert.deepEqual(parse({}), { services: [], problems: [] });
  });
});

describe("service declarations of modules", () => {
  it("finds <runatstartup> scripts and modtasks.json services", () => {
    const d = findServiceDeclarations(findModules([SVCMOD]));
    assert.deepEqual(d.problems, []);
    assert.deepEqual(
      d.processes.map((p) => [p.key, p.source, p.name ?? null, p.onDemand]),
      [
        ["svcmod:lib/counter-service.ts", "runatstartup", null, false],
        ["svcmod:lib/oneshot.ts", "runatstartup", null, false],
        ["svcmod:greeter", "modtasks.json", "svcmod:greeter", true],
        ["svcmod:lazy", "modtasks.json", "svcmod:lazy", true],
        ["svcmod:broken", "modtasks.json", "svcmod:broken", true],
      ],
    );
  });

  it("skips HareScript <runatstartup> scripts with a problem, and declarations that do not apply", () => {
    const tmp = tempDir("mtdecl");
    try {
      const mod = join(tmp.path, "hsmod");
      mkdirSync(join(mod, "lib"), { recursive: true });
      writeFileSync(join(mod, "lib", "s.ts"), "");
      writeFileSync(
        join(mod, "moduledefinition.xml"),
        `<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition"><servicemanager>
           <runatstartup script="lib/startup.whscr" />
           <runatstartup script="lib/s.ts" ifenvironset="MODTASKS_TEST_NOT_SET_ANYWHERE" />
         </servicemanager></module>`,
      );
      const d = findServiceDeclarations(findModules([mod]));
      assert.deepEqual(d.processes, []);
      assert.equal(d.problems.length, 1);
      assert.match(d.problems[0]!, /<runatstartup script="lib\/startup\.whscr">: not started: only TypeScript and JavaScript scripts run here$/);
    } finally {
      tmp.cleanup();
    }
  });
});
