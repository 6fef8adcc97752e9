import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  checkModuleDefinition,
  evaluateApplicability,
  moduleNameFromPath,
  parseModuleDefinition,
  parseSemverRange,
  satisfies,
  type QueuedTaskDecl,
  type ScheduledTaskDecl,
} from "../../runtime/src/definition";
import { assertFindings, corpus } from "./helpers";

const NS = `xmlns="http://www.webhare.net/xmlns/system/moduledefinition"`;
const at = (text: string, s: { start: number; end: number }) => text.slice(s.start, s.end);

describe("model of the corpus modules", () => {
  const file = join(corpus, "system", "moduledefinition.xml");
  const text = readFileSync(file, "utf8");
  const def = parseModuleDefinition(text, { file });

  it("takes the module name from the folder", () => {
    assert.equal(def.moduleName, "system");
    assert.equal(moduleNameFromPath("/a/b/mymod/moduledefinition.xml"), "mymod");
    assert.equal(moduleNameFromPath("C:\\mods\\mymod\\moduledefinition.xml"), "mymod");
  });

  it("reads every declaration in document order", () => {
    assert.deepEqual(
      def.declarations.map((d) => d.kind),
      ["runonce", "runonce", ...Array(18).fill("task"), "managedtask", "managedtask", "managedtask"],
    );
    assert.equal(def.scheduledTasks.length, 18);
    assert.equal(def.queuedTasks.length, 3);
    assert.equal(def.runOnce.length, 2);
  });

  it("keeps masks as written, with odd spacing, and zones", () => {
    const t = def.scheduledTasks.find((d) => d.tag === "archivemodules")!;
    assert.equal(t.runat, " 9  1 * * *");
    assert.equal(t.runtz, "maintenance");
    assert.equal(t.fullName, "system:archivemodules");
    assert.equal(t.timeoutMinutes, 60);
    assert.equal(at(text, t.element.attr("runat")!.valueSpan), " 9  1 * * *");
  });

  it("resolves mod:: targets and priorities", () => {
    const install = def.queuedTasks.find((d) => d.type === "installmodule")!;
    assert.equal(install.kind, "managedtask");
    assert.equal(install.fullName, "system:installmodule");
    assert.equal(install.priorityName, "updateinteractive");
    assert.equal(install.priority, -300);
    assert.equal(install.maxFailures, -1);
    assert.equal(install.cluster, "system:default");
    assert.equal(install.applicability.allowIfRestore, true);
    const ref = install.objectname!;
    assert.equal(ref.module, "system");
    assert.equal(ref.path, "lib/internal/moduleimexport.whlib");
    assert.equal(ref.exportName, "installmoduletask");
    assert.equal(ref.language, "harescript");
    assert.equal(at(text, ref.pathSpan), "mod::system/lib/internal/moduleimexport.whlib");
    assert.equal(at(text, ref.exportSpan!), "installmoduletask");
  });

  it("reads applicability attributes", () => {
    const geo = def.scheduledTasks.find((d) => d.tag === "updategeoip")!;
    assert.deepEqual(geo.applicability.unlessEnvironSet, ["WEBHARE_CI", "WEBHARE_NOUPDATEGEOIP"]);
    const gdpr = def.scheduledTasks.find((d) => d.tag === "autogdprscan")!;
    assert.equal(gdpr.applicability.maxServerType, "development");
  });

  it("reads runonce when", () => {
    assert.deepEqual(
      def.runOnce.map((r) => [r.tag, r.when, r.fullName]),
      [
        ["init_mimetypes_20240815", "aftertablecreation", "system:init_mimetypes_20240815"],
        ["initdb_20260701", "afterregistryupdate", "system:initdb_20260701"],
      ],
    );
  });
});

describe("model of the publisher module: clusters and ephemeral tasks", () => {
  const file = join(corpus, "publisher", "moduledefinition.xml");
  const def = parseModuleDefinition(readFileSync(file, "utf8"), { file });

  it("qualifies an unqualified cluster with this module", () => {
    const pub = def.queuedTasks.find((d) => d.type === "publication")!;
    assert.equal(pub.kind, "ephemeraltask");
    assert.equal(pub.cluster, "publisher:publicationqueue");
    assert.equal(pub.timeoutMs, 600000);
    assert.equal(pub.maxFailures, undefined);
    assert.deepEqual(
      def.clusters.map((c) => [c.fullName, c.workers, c.threads]),
      [["publisher:publicationqueue", 4, 2]],
    );
  });

  it("a task without runat runs only at startup or by hand", () => {
    const t = def.scheduledTasks.find((d) => d.tag === "scheduledtasks")!;
    assert.equal(t.runat, "");
    assert.equal(t.runAtStartup, false);
  });
});

describe("model: defaults, types, and tolerance", () => {
  it("applies defaults and lower-cases types", () => {
    const text = `<module ${NS}><servicemanager>
      <managedtask type="SendMail" taskrunner="lib/x.ts#run" />
      <task tag="t" script="s.ts" timeout="0" runatstartup="1"><arg>a</arg><arg>b &amp; c</arg></task>
    </servicemanager></module>`;
    const def = parseModuleDefinition(text, { moduleName: "mymod" });
    const q = def.queuedTasks[0] as QueuedTaskDecl;
    assert.equal(q.type, "sendmail");
    assert.equal(q.fullName, "mymod:sendmail");
    assert.equal(q.priority, 0);
    assert.equal(q.priorityName, "normal");
    assert.equal(q.timeoutMs, 0);
    assert.equal(q.failRescheduleMs, 900000);
    assert.equal(q.maxFailures, -1);
    assert.equal(q.taskrunner?.exportName, "run");
    assert.equal(q.taskrunner?.language, "typescript");
    const t = def.scheduledTasks[0] as ScheduledTaskDecl;
    assert.equal(t.timeoutMinutes, 60);
    assert.equal(t.timeoutRaw, "0");
    assert.equal(t.runAtStartup, true);
    assert.deepEqual(
      t.args.map((a) => a.value),
      ["a", "b & c"],
    );
    assert.equal(t.scriptRef?.path, "s.ts");
  });

  it("reads what it can from a half-typed file", () => {
    const text = `<module ${NS}>\n<servicemanager>\n  <task tag="a" script="a.ts"\n  <managedtask type="b" objectname="lib/b.ts#B"/>\n  <task tag="c" script=`;
    const def = parseModuleDefinition(text, { moduleName: "m" });
    assert.deepEqual(
      def.declarations.map((d) => d.kind),
      ["task", "managedtask", "task"],
    );
    assert.ok(def.findings.every((f) => f.code === "xml-syntax"));
    assert.ok(def.findings.length >= 3);
  });

  it("reports a root that is not <module>, and a missing namespace with a fix", () => {
    let text = `<modul ${NS}/>`;
    assertFindings(text, parseModuleDefinition(text).findings, [{ code: "not-a-module-definition", at: "1:2-1:7", text: "modul" }]);
    // A typo of <module> without a namespace, or another root in WebHare's namespace: still a broken WebHare module.
    for (const root of ["Module", "modules", "moduel"]) {
      text = `<${root}><servicemanager/></${root}>`;
      assertFindings(text, parseModuleDefinition(text).findings, [{ code: "not-a-module-definition", severity: "error", at: `1:2-1:${2 + root.length}`, text: root }]);
    }
    text = `<screens ${NS}/>`;
    assertFindings(text, parseModuleDefinition(text).findings, [{ code: "not-a-module-definition", severity: "error", at: "1:2-1:9", text: "screens" }]);
    // Another tool's file of the same name (Nexacro): an info, nothing read from it.
    text = `<?xml version="1.0" encoding="utf-8"?>\n<ModuleDefinition version="2.3">\n  <Modules><Module url="CompBase.json"/></Modules>\n</ModuleDefinition>`;
    const foreign = parseModuleDefinition(text);
    assertFindings(text, foreign.findings, [{ code: "foreign-module-definition", severity: "info", at: "2:2-2:18", text: "ModuleDefinition" }]);
    assert.match(foreign.findings[0]!.message, /Not a WebHare module definition \(its root is <ModuleDefinition>/);
    assert.equal(foreign.declarations.length, 0);
    text = `<module><servicemanager/></module>`;
    const def = parseModuleDefinition(text);
    assertFindings(text, def.findings, [{ code: "wrong-namespace", severity: "warning", at: "1:2-1:8", text: "module" }]);
    assert.equal(def.findings[0]!.data?.edits?.[0]?.newText, ` xmlns="http://www.webhare.net/xmlns/system/moduledefinition"`);
    text = `<module xmlns="urn:other"/>`;
    assertFindings(text, parseModuleDefinition(text).findings, [{ code: "wrong-namespace", at: "1:16-1:25", text: "urn:other" }]);
  });

  it("never throws", () => {
    for (const s of ["", "<", "<module", `<module ${NS}><servicemanager><task`, "\u0000\uFFFF<<>>", `<module ${NS}><servicemanager><managedtask type="a" cluster=":" objectname="mod::#"/></servicemanager></module>`]) {
      const def = parseModuleDefinition(s);
      checkModuleDefinition(def);
    }
  });
});

describe("applicability", () => {
  const text = `<module ${NS}><servicemanager>
    <task tag="docker" script="a.ts" ifenvironset="IN_DOCKER HAS_X" />
    <task tag="notci" script="a.ts" unlessenvironset="CI" />
    <task tag="dev" script="a.ts" maxservertype="development" />
    <task tag="acc" script="a.ts" minservertype="acceptance" />
    <task tag="mods" script="a.ts" ifmodules="newsletter;forms" />
    <task tag="servers" script="a.ts" restrictservers="web-* backup" />
    <task tag="ver" script="a.ts" webhareversion="^5.6" postgresversion=">=16" />
    <task tag="restore" script="a.ts" allowifrestore="true" />
  </servicemanager></module>`;
  const def = parseModuleDefinition(text, { moduleName: "m" });
  const d = (tag: string) => def.scheduledTasks.find((t) => t.tag === tag)!;

  it("environment variables must be set (non-empty) / unset", () => {
    assert.deepEqual(evaluateApplicability(d("docker"), { env: { IN_DOCKER: "1", HAS_X: "y" } }), { applies: true });
    assert.deepEqual(evaluateApplicability(d("docker"), { env: { IN_DOCKER: "1", HAS_X: "" } }), { applies: false, reason: "HAS_X is not set (ifenvironset)" });
    assert.equal(evaluateApplicability(d("notci"), { env: {} }).applies, true);
    assert.equal(evaluateApplicability(d("notci"), { env: { CI: "true" } }).reason, "CI is set (unlessenvironset)");
  });

  it("server types: development < test < acceptance < production", () => {
    assert.equal(evaluateApplicability(d("dev"), { env: {}, serverType: "development" }).applies, true);
    assert.equal(evaluateApplicability(d("dev"), { env: {}, serverType: "test" }).reason, "server type 'test' is above maxservertype 'development'");
    assert.equal(evaluateApplicability(d("acc"), { env: {}, serverType: "production" }).applies, true);
    assert.equal(evaluateApplicability(d("acc"), { env: {}, serverType: "test" }).applies, false);
    // Unknown server type: no condition.
    assert.equal(evaluateApplicability(d("acc"), { env: {} }).applies, true);
  });

  it("modules (any of), server names, versions, restore mode", () => {
    assert.equal(evaluateApplicability(d("mods"), { env: {}, modules: ["system", "forms"] }).applies, true);
    assert.equal(evaluateApplicability(d("mods"), { env: {}, modules: ["system"] }).applies, false);
    assert.equal(evaluateApplicability(d("servers"), { env: {}, serverName: "web-3" }).applies, true);
    assert.equal(evaluateApplicability(d("servers"), { env: {}, serverName: "db-1" }).applies, false);
    assert.equal(evaluateApplicability(d("ver"), { env: {}, webhareVersion: "5.7.1", postgresVersion: "16.2" }).applies, true);
    assert.equal(evaluateApplicability(d("ver"), { env: {}, webhareVersion: "6.0.0" }).applies, false);
    assert.equal(evaluateApplicability(d("ver"), { env: {}, postgresVersion: "15.4" }).applies, false);
    assert.equal(evaluateApplicability(d("restore"), { env: {}, restoreMode: true }).applies, true);
    assert.equal(evaluateApplicability(d("docker"), { env: { IN_DOCKER: "1", HAS_X: "1" }, restoreMode: true }).applies, false);
  });
});

describe("semver ranges", () => {
  const cases: [string, string, boolean][] = [
    [">=5.2.0 <6", "5.9.9", true],
    [">=5.2.0 <6", "6.0.0", false],
    ["^5.6", "5.6.0", true],
    ["^5.6", "5.99.1", true],
    ["^5.6", "6.0.0", false],
    ["^0.2.3", "0.2.9", true],
    ["^0.2.3", "0.3.0", false],
    ["~1.2.3", "1.2.9", true],
    ["~1.2.3", "1.3.0", false],
    ["1.x", "1.7.0", true],
    ["1.x", "2.0.0", false],
    ["*", "0.0.1", true],
    ["1.2 - 2.3.4", "2.3.4", true],
    ["1.2 - 2.3.4", "2.3.5", false],
    ["<5 || >=7", "6.1.0", false],
    ["<5 || >=7", "7.0.0", true],
    [">= 16", "16.2", true],
    [">5.1", "5.1.9", false],
    [">5.1", "5.2.0", true],
    ["<=5.1", "5.1.9", true],
    ["1.0.0", "1.0.0-rc.1", false],
  ];
  for (const [range, version, expected] of cases) {
    it(`${version} ${expected ? "satisfies" : "does not satisfy"} ${range}`, () => {
      const r = parseSemverRange(range);
      assert.ok(!("error" in r), JSON.stringify(r));
      assert.equal(satisfies(version, r as Exclude<typeof r, { error: string }>), expected);
    });
  }
  it("rejects what is not a range", () => {
    for (const bad of ["five", "1.2.3.4", ">=>1", "^"]) assert.ok("error" in parseSemverRange(bad), bad);
  });
});
