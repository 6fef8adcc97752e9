import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkModuleDefinition, parseModuleDefinition, type CheckOptions } from "../../runtime/src/definition";
import type { Finding } from "../../runtime/src/text/finding";
import { assertFindings, fixtures } from "./helpers";

/** Fixtures are checked at a fixed "now" and maintenance offset so DST warnings are stable. */
const NOW = Date.UTC(2026, 0, 1);

function check(name: string, opts: CheckOptions = {}): { text: string; findings: Finding[] } {
  const file = join(fixtures, name, "mymod", "moduledefinition.xml");
  const text = readFileSync(file, "utf8");
  const def = parseModuleDefinition(text, { file });
  return { text, findings: checkModuleDefinition(def, { now: NOW, maintenanceOffsetMinutes: 60, ...opts }) };
}

describe("structure (schema) findings, exact ranges", () => {
  const { text, findings } = check("structure");

  it("reports each problem once, where it is", () => {
    assertFindings(text, findings, [
      { code: "unknown-element", severity: "error", at: "4:6-4:16", text: "managedtsk", message: "did you mean <managedtask>?" },
      { code: "missing-attribute", severity: "error", at: "5:6-5:10", text: "task", message: "<task> needs a 'script' attribute" },
      { code: "unknown-attribute", severity: "error", at: "5:26-5:32", text: "runatt", message: "did you mean 'runat'?" },
      { code: "invalid-name", severity: "error", at: "6:16-6:23", text: "my-task" },
      { code: "invalid-integer", severity: "error", at: "6:56-6:58", text: "5m", message: "whole number of minutes" },
      { code: "invalid-boolean", severity: "error", at: "6:74-6:77", text: "yes" },
      { code: "invalid-name", severity: "error", at: "7:24-7:30", text: "9lives" },
      { code: "invalid-enum", severity: "error", at: "7:70-7:74", text: "hihg", message: "use one of background, normal, interactive, update, updateinteractive" },
      { code: "invalid-integer", severity: "error", at: "7:89-7:91", text: "-1", message: "leave it out to retry forever" },
      { code: "invalid-integer", severity: "error", at: "7:109-7:113", text: "soon", message: "milliseconds" },
      { code: "invalid-enum", severity: "error", at: "8:56-8:73", text: "aftertablecreaton", message: "did you mean 'aftertablecreation'?" },
      { code: "invalid-integer", severity: "error", at: "9:48-9:49", text: "0", message: "at least 1" },
      { code: "invalid-version-range", severity: "error", at: "10:57-10:61", text: "five" },
      { code: "invalid-env-name", severity: "warning", at: "10:80-10:90", text: "not-a-name" },
      { code: "invalid-enum", severity: "error", at: "10:107-10:114", text: "staging", message: "development, test, acceptance, production" },
      { code: "empty-attribute", severity: "error", at: "11:26-11:35", text: `script=""` },
      { code: "unexpected-text", severity: "error", at: "12:5-12:15", text: "stray text" },
      { code: "unknown-element", severity: "error", at: "13:47-13:51", text: "task", message: "Unknown element <task> in <task>; expected <arg>" },
      { code: "duplicate-servicemanager", severity: "error", at: "15:4-15:18", text: "servicemanager" },
    ]);
  });

  it("offers replacements for quick fixes", () => {
    const fix = (code: string, text: string) => findings.find((f) => f.code === code && f.message.includes(text))?.data;
    assert.equal(fix("unknown-element", "managedtsk")?.replacement, "managedtask");
    assert.deepEqual(fix("unknown-element", "managedtsk")?.edits?.length, 1); // self-closing: no end tag to rename
    assert.equal(fix("unknown-attribute", "runatt")?.replacement, "runat");
    assert.equal(fix("invalid-name", "my-task")?.replacement, "my_task");
    assert.equal(fix("invalid-name", "9lives")?.replacement, "_9lives");
    assert.equal(fix("invalid-enum", "aftertablecreaton")?.replacement, "aftertablecreation");
    assert.equal(fix("invalid-boolean", "yes")?.replacement, "true");
    const missing = findings.find((f) => f.code === "missing-attribute")!;
    assert.equal(missing.data?.edits?.[0]?.newText, ` script=""`);
  });

  it("sorts findings by position", () => {
    for (let i = 1; i < findings.length; i++) assert.ok(findings[i - 1]!.span.start <= findings[i]!.span.start);
  });
});

describe("meaning: duplicates, targets, clusters, deprecations, units", () => {
  const { text, findings } = check("semantics");

  it("reports each problem at the exact range", () => {
    assertFindings(text, findings, [
      { code: "duplicate-tag", severity: "error", at: "4:16-4:21", text: "daily", message: "already declared on line 3" },
      { code: "duplicate-type", severity: "error", at: "6:26-6:34", text: "sendmail", message: "types are case-insensitive" },
      { code: "missing-task-target", severity: "error", at: "7:6-7:17", text: "managedtask" },
      { code: "conflicting-task-target", severity: "error", at: "8:58-8:68", text: "taskrunner" },
      { code: "maxfailures-on-ephemeral", severity: "error", at: "9:59-9:74", text: `maxfailures="3"` },
      { code: "unknown-cluster", severity: "error", at: "10:72-10:76", text: "hevy", message: "did you mean 'heavy'?" },
      { code: "deprecated-attribute", severity: "warning", at: "15:43-15:50", text: "runtime" },
      { code: "deprecated-attribute", severity: "warning", at: "15:58-15:69", text: "runinterval" },
      { code: "deprecated-element", severity: "warning", at: "16:6-16:18", text: "runatstartup" },
      { code: "timeout-units", severity: "warning", at: "17:71-17:75", text: "3600", message: "timeout on <task> is in minutes: 3600 minutes = 60 hours" },
      { code: "timeout-units", severity: "warning", at: "18:68-18:69", text: "5", message: "timeout on <managedtask> is in milliseconds: 5 ms" },
      { code: "runtz-without-runat", severity: "warning", at: "19:46-19:70", text: `runtz="Europe/Amsterdam"` },
      { code: "empty-server-type-range", severity: "warning", at: "20:87-20:91", text: "test" },
      { code: "duplicate-tag", severity: "error", at: "22:19-22:23", text: "once", message: "<runonce> tag" },
    ]);
  });

  it("points duplicates at the first declaration too", () => {
    const dup = findings.find((f) => f.code === "duplicate-tag")!;
    const related = dup.data?.related as { span: { start: number; end: number } }[];
    assert.equal(text.slice(related[0]!.span.start, related[0]!.span.end), "daily");
    assert.ok(related[0]!.span.start < dup.span.start);
  });

  it("carries fixes: remove an attribute, convert runtime, fix a unit", () => {
    const eph = findings.find((f) => f.code === "maxfailures-on-ephemeral")!;
    const removal = eph.data!.edits![0]!;
    assert.equal(text.slice(removal.span.start, removal.span.end), ` maxfailures="3"`);
    const runtime = findings.find((f) => f.code === "deprecated-attribute" && f.message.includes("'runtime'"))!;
    assert.deepEqual(runtime.tags, ["deprecated"]);
    assert.equal(runtime.data!.edits![0]!.newText, `runat="15 3 * * *"`);
    assert.equal(findings.find((f) => f.message.includes("3600 minutes"))!.data!.replacement, "60");
    assert.equal(findings.find((f) => f.message.includes("5 ms"))!.data!.replacement, "5000");
  });

  it("accepts system:default, another module's cluster, and a qualified own cluster", () => {
    assert.ok(!findings.some((f) => f.code === "unknown-cluster" && !f.message.includes("hevy")));
  });
});

describe("cron masks and zones through the cron engine", () => {
  it("underlines the exact field, even after entities (webhare dialect)", () => {
    const { text, findings } = check("cron");
    assertFindings(text, findings, [
      { code: "cron-out-of-range", severity: "error", at: "3:45-3:47", text: "25", message: "hour 25 is out of range 0-23" },
      { code: "cron-out-of-range", severity: "error", at: "4:56-4:58", text: "24" },
      { code: "cron-unsupported-syntax", severity: "error", at: "5:52-5:55", text: "1-5", message: "not supported by WebHare" },
      { code: "cron-invalid-zone", severity: "error", at: "6:61-6:76", text: "Europe/Amsterdm", message: "did you mean 'Europe/Amsterdam'?" },
      { code: "cron-dst-gap", severity: "warning", at: "7:45-7:46", text: "2" },
      { code: "cron-dst-overlap", severity: "warning", at: "7:45-7:46", text: "2" },
      { code: "cron-field-count", severity: "error", at: "8:44-8:51", text: "* * * *" },
      { code: "cron-no-match", severity: "error", at: "9:48-9:50", text: "30" },
    ]);
    const zone = findings.find((f) => f.code === "cron-invalid-zone")!;
    assert.equal(zone.data?.replacement, "Europe/Amsterdam");
  });

  it("the extended dialect accepts ranges", () => {
    const { findings } = check("cron", { runatDialect: "extended" });
    assert.ok(!findings.some((f) => f.code === "cron-unsupported-syntax"));
  });
});

describe("checks without a servicemanager or with an empty one", () => {
  it("reports nothing for a module without tasks", () => {
    const text = `<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition"><meta/></module>`;
    assert.deepEqual(checkModuleDefinition(parseModuleDefinition(text)), []);
  });
});
