/**
 * What users read about the engine agrees with what it does: the extension's setting
 * descriptions (package.json) against the dialect table the parser switches on, and every place
 * that explains the maintenance offset's order against resolveMaintenanceOffset's.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { formatInZone, parseCron, type Zone } from "../../runtime/src/cron";
import { DIALECTS, RULES } from "../../runtime/src/cron/dialects";

const root = join(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  contributes: { configuration: { properties: Record<string, { enum?: string[]; enumDescriptions?: string[]; markdownDescription?: string }> } };
};
const props = pkg.contributes.configuration.properties;

describe("documentation agrees with the engine", () => {
  test("modtasks.cronDialect: each enum description says what that dialect accepts and rejects", () => {
    const setting = props["modtasks.cronDialect"]!;
    assert.deepEqual(setting.enum, [...DIALECTS]);
    for (const [i, dialect] of DIALECTS.entries()) {
      const text = setting.enumDescriptions![i]!;
      const rules = RULES[dialect];
      // Each feature: what the description must say when the dialect has it, and when it lacks it.
      const features: [boolean, RegExp, RegExp, string][] = [
        [rules.ranges, /ranges/, /no ranges/, "0 1-5 * * *"],
        [rules.names, /names/, /no (ranges, )?names/, "0 0 * * mon"],
        [rules.lastDay, /`L`/, /no (.*)?`L`/, "0 0 L * *"],
        [rules.union, /`\|`/, /no (.*)?`\|`/, "0 0 * * *|0 1 * * *"],
        [rules.nicknames, /nicknames/, /no (.*)?nicknames/, "@daily"],
      ];
      for (const [has, mentions, denies, example] of features) {
        // The engine is the reference: the example parses without errors exactly when the dialect has the feature.
        assert.equal(parseCron(example, dialect).schedule !== undefined, has, `${dialect}: ${example}`);
        if (has) assert.ok(mentions.test(text) && !denies.test(text), `${dialect} accepts ${example}, but its description says: ${text}`);
        else assert.ok(denies.test(text), `${dialect} rejects ${example}, but its description does not say so: ${text}`);
      }
      assert.match(text, rules.dayCombine === "and" ? /AND/ : /OR/, `${dialect}: how day of month and day of week combine`);
    }
  });

  test("the maintenance offset's order is told the same way everywhere: explicit > WEBHARE_MAINTENANCE_OFFSET > stored", () => {
    assert.match(props["modtasks.maintenanceOffset"]!.markdownDescription!, /When set it wins over `WEBHARE_MAINTENANCE_OFFSET`/);
    const help = (cmd: string) => {
      const r = spawnSync(process.execPath, ["--import", "tsx", "runtime/src/cli/main.ts", cmd, "--help"], { cwd: root, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.replace(/\s+/g, " ");
    };
    assert.match(help("next"), /--maintenance-offset MIN minutes the maintenance zone runs behind UTC, 0-1439 \(wins over WEBHARE_MAINTENANCE_OFFSET;/);
    assert.match(help("run"), /--maintenance-offset M minutes of the maintenance zone, 0-1439 \(wins over WEBHARE_MAINTENANCE_OFFSET/);
    const readme = readFileSync(join(root, "runtime", "src", "cron", "README.md"), "utf8");
    assert.match(readme, /1\. an explicit choice: `--maintenance-offset`[^]*2\. `WEBHARE_MAINTENANCE_OFFSET` if it is an integer in \[0, 1440\);[^]*3\. the integer stored/);
    const serverReadme = readFileSync(join(root, "server", "README.md"), "utf8");
    assert.match(serverReadme, /`modtasks\.maintenanceOffset` \| unset \| [^|]*this setting, then `WEBHARE_MAINTENANCE_OFFSET`/);
    const mainReadme = readFileSync(join(root, "README.md"), "utf8");
    assert.match(mainReadme, /`modtasks\.maintenanceOffset` \| unset \| [^|]*wins over `WEBHARE_MAINTENANCE_OFFSET`/);
  });

  test("the 30-minute DST consequence in Australia/Lord_Howe is written down, with the engine's own times", () => {
    const z: Zone = { kind: "iana", name: "Australia/Lord_Howe" };
    const runs = (mask: string, from: string) =>
      parseCron(mask, "webhare")
        .schedule!.nextRuns(Date.parse(from), z, 2)
        .map((t) => `${new Date(t).toISOString().slice(11, 16)}Z (${formatInZone(t, z).slice(11, 16)}${formatInZone(t, z).slice(19)})`);
    const cronReadme = readFileSync(join(root, "runtime", "src", "cron", "README.md"), "utf8").replace(/\s+/g, " ");
    const spring = runs("15 * * * *", "2026-10-03T14:00:00Z");
    assert.deepEqual(spring, ["14:45Z (01:15+10:30)", "16:15Z (03:15+11:00)"]);
    assert.ok(cronReadme.includes(`\`15 * * * *\` runs at ${spring[0]} and then ${spring[1]}, 90 minutes later`));
    const autumn = runs("45 * * * *", "2026-04-04T14:00:00Z");
    assert.deepEqual(autumn, ["14:45Z (01:45+11:00)", "15:15Z (01:45+10:30)"]);
    assert.ok(cronReadme.includes("`45 * * * *` runs at 14:45Z (01:45+11:00) and again 30 minutes later at 15:15Z (01:45+10:30)"));
    const mainReadme = readFileSync(join(root, "README.md"), "utf8").replace(/\s+/g, " ");
    assert.match(mainReadme, /Australia\/Lord_Howe\) that means an hourly mask's runs are 30 or 90 minutes apart on a transition night: on the spring night `15 \* \* \* \*` runs at 14:45Z and then 16:15Z/);
  });
});
