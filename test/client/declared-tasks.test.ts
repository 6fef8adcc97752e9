import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { declaredTasksOf, quickPickRow, sortDeclared } from "../../client/src/declared-tasks";

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition">
  <servicemanager>
    <task tag="nightly" script="scripts/n.ts" runat="0 15 * * 1" runtz="Europe/Amsterdam" description="Weekly report" />
    <managedtask type="Greet" objectname="lib/tasks.ts#GreetTask" />
    <ephemeraltask type="double" taskrunner="lib/tasks.ts#double" />
    <task tag="manual" script="scripts/m.ts" />
    <task tag="broken" script="scripts/b.ts" runat="0 25 * * *" />
  </servicemanager>
</module>
`;
const NOW = Date.UTC(2026, 2, 25, 12, 0); // Wednesday, before the DST change of 29 March
const opts = { dialect: "webhare" as const, maintenanceOffsetMinutes: 0, now: NOW };

describe("declared tasks (Run Task… quick pick)", () => {
  const tasks = declaredTasksOf(XML, "/w/hello/moduledefinition.xml", opts);

  it("reads every managed, ephemeral and scheduled task with its declaration's range", () => {
    assert.deepEqual(
      tasks.map((t) => [t.kind, t.name, t.range.start.line]),
      [
        ["scheduled", "hello:nightly", 3],
        ["managed", "hello:greet", 4],
        ["ephemeral", "hello:double", 5],
        ["scheduled", "hello:manual", 6],
        ["scheduled", "hello:broken", 7],
      ],
    );
    assert.equal(tasks[1]!.target, "lib/tasks.ts#GreetTask");
    assert.equal(tasks[1]!.range.start.character, 4);
  });

  it("computes the next run in the task's zone (after the DST change: 15:00 is 13:00 UTC)", () => {
    assert.equal(tasks[0]!.nextRun, Date.UTC(2026, 2, 30, 13, 0));
    assert.equal(tasks[3]!.nextRun, undefined);
    assert.equal(tasks[4]!.nextRun, undefined);
  });

  it("quick pick rows: kind and next run in the detail", () => {
    assert.deepEqual(quickPickRow(tasks[0]!, opts), {
      label: "hello:nightly",
      description: "scheduled",
      detail: "scheduled task · next run Mon 2026-03-30 15:00 Europe/Amsterdam (in 5 d) · Weekly report",
    });
    assert.equal(quickPickRow(tasks[1]!, opts).detail, "managed task · lib/tasks.ts#GreetTask");
    assert.equal(quickPickRow(tasks[3]!, opts).detail, "scheduled task · runs only when triggered");
    assert.equal(quickPickRow(tasks[4]!, opts).detail, 'scheduled task · runat "0 25 * * *" has no next run');
  });

  it("sorts managed, ephemeral, scheduled; by name inside each", () => {
    assert.deepEqual(
      sortDeclared(tasks).map((t) => t.name),
      ["hello:greet", "hello:double", "hello:broken", "hello:manual", "hello:nightly"],
    );
  });

  it("never throws on half-typed files", () => {
    for (const text of ["", "<module", "<module><servicemanager><task tag=", XML.slice(0, 200)]) {
      assert.ok(Array.isArray(declaredTasksOf(text, "/w/m/moduledefinition.xml", opts)));
    }
  });
});
