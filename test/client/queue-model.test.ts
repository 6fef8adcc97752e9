import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { badgeOf, buildQueueTree, findTaskPath, leaseNode, scheduledNode, statusBarText, taskNode, taskViewState } from "../../client/src/queue-model";
import type { QueueSnapshot, RuntimeStatus, ScheduledState, TaskSummary } from "../../client/src/runtime-api";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

function task(id: number, over: Partial<TaskSummary> = {}): TaskSummary {
  return {
    id,
    type: "hello:greet",
    state: "pending",
    outcome: null,
    failures: 0,
    iterations: 0,
    lastError: null,
    created: NOW - 60_000,
    started: null,
    finished: null,
    runAt: NOW - 60_000,
    nextAttempt: NOW - 60_000,
    notBefore: 0,
    priority: 0,
    leaseOwner: null,
    ...over,
  };
}

function status(over: Partial<RuntimeStatus> = {}): RuntimeStatus {
  return ({
    node: "local",
    owner: "local#1",
    pid: 1,
    startedAt: NOW - 3_600_000,
    db: "sqlite:/tmp/x.db",
    socket: "/tmp/x.sock",
    modules: [],
    problems: [],
    clusters: [],
    running: [],
    counts: { pending: 0, running: 0, retrying: 0, failed: 0, completed: 0, cancelled: 0, stuck: 0 },
    nodes: [{ name: "local", host: "h", pid: 1, heartbeat: NOW, started: NOW, info: {} }],
    ...over,
  }) as RuntimeStatus;
}

function snapshot(tasks: TaskSummary[], over: Partial<QueueSnapshot> = {}): QueueSnapshot {
  const counts = { pending: 0, running: 0, retrying: 0, failed: 0, completed: 0, cancelled: 0, stuck: 0 };
  for (const t of tasks) {
    const s = taskViewState(t);
    counts[s === "queued" ? "pending" : s]++;
  }
  return {
    source: "runtime",
    status: status({ counts }),
    active: tasks.filter((t) => t.state !== "finished"),
    failed: tasks.filter((t) => t.outcome === "failed"),
    completed: tasks.filter((t) => t.outcome === "completed"),
    cancelled: tasks.filter((t) => t.outcome === "cancelled"),
    scheduled: undefined,
    fetchedAt: NOW,
    ...over,
  };
}

const opts = { now: NOW, maintenanceOffsetMinutes: 60 };

describe("queue model: grouping", () => {
  it("maps stored states to the tree's groups", () => {
    assert.equal(taskViewState({ state: "running", outcome: null, failures: 2 }), "running");
    assert.equal(taskViewState({ state: "pending", outcome: null, failures: 0 }), "queued");
    assert.equal(taskViewState({ state: "pending", outcome: null, failures: 1 }), "retrying");
    assert.equal(taskViewState({ state: "finished", outcome: "failed", failures: 3 }), "failed");
    assert.equal(taskViewState({ state: "finished", outcome: "completed", failures: 0 }), "completed");
    assert.equal(taskViewState({ state: "finished", outcome: "cancelled", failures: 0 }), "cancelled");
  });

  it("shows only non-empty groups, in a fixed order, with counts", () => {
    const tree = buildQueueTree(
      snapshot([
        task(1, { state: "finished", outcome: "completed", finished: NOW - 5000, started: NOW - 6000 }),
        task(2, { state: "running", started: NOW - 2000 }),
        task(3),
        task(4, { state: "pending", failures: 1, lastError: "boom", runAt: NOW + 900_000 }),
        task(5, { state: "finished", outcome: "failed", failures: 4, finished: NOW - 1000, lastError: "Error: nope\n    at x" }),
      ]),
      opts,
    );
    assert.deepEqual(
      tree.map((g) => [g.id, g.description, g.children.length]),
      [
        ["group:running", "1", 1],
        ["group:queued", "1", 1],
        ["group:retrying", "1", 1],
        ["group:failed", "1", 1],
        ["group:completed", "1", 1],
      ],
    );
    assert.deepEqual(
      tree.flatMap((g) => g.children.map((c) => (c.kind === "task" ? c.contextValue : ""))),
      ["task.running", "task.queued", "task.retrying", "task.failed", "task.completed"],
    );
  });

  it("gives every node a stable id (expansion survives a refresh)", () => {
    const snap = snapshot([task(7, { state: "running", started: NOW })]);
    const a = buildQueueTree(snap, opts);
    const b = buildQueueTree(snap, { ...opts, now: NOW + 10_000 });
    assert.deepEqual(
      a.map((g) => [g.id, g.children.map((c) => c.id)]),
      b.map((g) => [g.id, g.children.map((c) => c.id)]),
    );
    assert.equal(a[0]!.children[0]!.id, "task:7");
  });

  it("says '10 of 25' when the group holds more than it lists", () => {
    const done = Array.from({ length: 30 }, (_, i) => task(100 + i, { state: "finished", outcome: "completed", finished: NOW - i * 1000 }));
    const snap = snapshot(done);
    const tree = buildQueueTree(snap, { ...opts, recentLimit: 10 });
    assert.equal(tree[0]!.description, "10 of 30");
    // Newest first.
    assert.equal(tree[0]!.children[0]!.id, "task:100");
  });

  it("orders queued tasks by priority, then run time", () => {
    const tree = buildQueueTree(snapshot([task(1, { priority: 0, runAt: NOW - 10 }), task(2, { priority: -100, runAt: NOW }), task(3, { priority: 0, runAt: NOW - 20 })]), opts);
    assert.deepEqual(tree[0]!.children.map((c) => c.id), ["task:2", "task:3", "task:1"]);
  });

  it("groups running tasks per node in a cluster", () => {
    const snap = snapshot([task(1, { state: "running", started: NOW }), task(2, { state: "running", started: NOW }), task(3, { state: "running", started: NOW })]);
    snap.status.nodes = [
      { name: "a", host: "h1", pid: 1, heartbeat: NOW, started: NOW, info: { running: [1, 3] } },
      { name: "b", host: "h2", pid: 2, heartbeat: NOW, started: NOW, info: { running: [2] } },
    ];
    const tree = buildQueueTree(snap, opts);
    const running = tree[0]!;
    assert.deepEqual(
      running.children.map((c) => (c.kind === "node" ? [c.id, c.children.map((t) => t.taskId)] : c.id)),
      [
        ["group:running/node:a", [1, 3]],
        ["group:running/node:b", [2]],
      ],
    );
    assert.deepEqual(findTaskPath(tree, 2)?.map((n) => n.id), ["group:running", "group:running/node:b", "task:2"]);
  });

  it("places a task by its lease owner when the node's heartbeat does not list it yet", () => {
    assert.equal(leaseNode("web-2/4711/lx3k9a"), "web-2");
    assert.equal(leaseNode(null), undefined);
    assert.equal(leaseNode("garbage"), undefined);
    const snap = snapshot([task(1, { state: "running", started: NOW, leaseOwner: "b/22/abc" }), task(2, { state: "running", started: NOW })]);
    snap.status.nodes = [
      { name: "a", host: "h1", pid: 1, heartbeat: NOW, started: NOW, info: { running: [2] } },
      { name: "b", host: "h2", pid: 22, heartbeat: NOW, started: NOW, info: { running: [] } },
    ];
    assert.deepEqual(
      buildQueueTree(snap, opts)[0]!.children.map((c) => (c.kind === "node" ? [c.node, c.children.map((t) => t.taskId)] : c.id)),
      [
        ["a", [2]],
        ["b", [1]],
      ],
    );
  });
});

describe("queue model: labels, tooltips, icons", () => {
  it("a failed task: red error icon, attempts and the last error in the tooltip", () => {
    const n = taskNode(task(5, { state: "finished", outcome: "failed", failures: 4, finished: NOW - 60_000, started: NOW - 61_000, lastError: "Error: nope\n    at stack" }), opts);
    assert.deepEqual(n.icon, { id: "error", color: "charts.red" });
    assert.equal(n.label, "hello:greet");
    assert.equal(n.description, "#5 · failed 1 min ago");
    assert.match(n.tooltip, /State: \*\*failed\*\* · 4 attempts/);
    assert.match(n.tooltip, /```text\nError: nope\n```/);
    assert.match(n.tooltip, /took 1 s/);
  });

  it("a running task spins; a retrying one says when it tries next", () => {
    assert.deepEqual(taskNode(task(1, { state: "running", started: NOW - 3000 }), opts).icon, { id: "sync~spin", color: "charts.blue" });
    assert.equal(taskNode(task(1, { state: "running", started: NOW - 3000 }), opts).description, "#1 · running 3 s");
    assert.equal(taskNode(task(2, { failures: 2, runAt: NOW + 30 * 60_000 }), opts).description, "#2 · 2 failures, next try in 30 min");
    assert.equal(taskNode(task(3, { runAt: NOW + 2 * 3_600_000 }), opts).description, "#3 · not before in 2 h");
  });

  it("escapes Markdown in task types and keeps fences intact", () => {
    const n = taskNode(task(1, { type: "my_mod:a*b", lastError: "```injected```" }), opts);
    assert.match(n.tooltip, /\*\*my\\_mod:a\\\*b\*\*/);
    assert.match(n.tooltip, /~~~~text\n```injected```\n~~~~/);
  });

  it("scheduled tasks: next run in the schedule's own zone, contextValue per state", () => {
    const s: ScheduledState = {
      name: "hello:nightly",
      moduleName: "hello",
      tag: "nightly",
      runat: "0 3 * * *",
      runtz: "Europe/Amsterdam",
      description: "Nightly cleanup",
      enabled: true,
      nextRun: Date.UTC(2026, 10, 24, 2, 0, 0),
      lastRun: null,
      lastError: null,
      running: false,
    };
    const n = scheduledNode(s, opts);
    assert.equal(n.contextValue, "scheduled.enabled");
    assert.equal(n.description, "next: Tue 2026-11-24 03:00 Europe/Amsterdam (in 14 h)");
    assert.deepEqual(n.icon, { id: "calendar", color: "charts.purple" });
    assert.equal(scheduledNode({ ...s, enabled: false }, opts).contextValue, "scheduled.disabled");
    assert.equal(scheduledNode({ ...s, running: true }, opts).icon.id, "sync~spin");
    assert.equal(scheduledNode({ ...s, unrunnable: "script not found" }, opts).contextValue, "scheduled.unrunnable");
    const m = scheduledNode({ ...s, runtz: "maintenance", nextRun: Date.UTC(2026, 10, 24, 4, 0, 0) }, opts);
    assert.match(m.description, /^next: Tue 2026-11-24 03:00 maintenance/);
    // Output on stderr with exit code 0: a success with a warning, as WebHare counts it.
    const warned = scheduledNode({ ...s, lastRun: Date.UTC(2026, 10, 23, 2, 0, 0), lastOk: true, lastWarning: "disk almost full" }, opts);
    assert.match(warned.tooltip, /succeeded with a warning/);
    assert.match(warned.tooltip, /Last warning:[\s\S]*disk almost full/);
  });

  it("the Scheduled group lists tasks by name", () => {
    const base: ScheduledState = { name: "", moduleName: "m", tag: "", runat: "", runtz: "", description: "", enabled: true, nextRun: null, lastRun: null, lastError: null, running: false };
    const tree = buildQueueTree(snapshot([], { scheduled: [{ ...base, name: "m:b" }, { ...base, name: "m:a" }] }), opts);
    assert.equal(tree.length, 1);
    assert.equal(tree[0]!.id, "group:scheduled");
    assert.deepEqual(tree[0]!.children.map((c) => c.id), ["scheduled:m:a", "scheduled:m:b"]);
    assert.equal((tree[0]!.children[0] as { description: string }).description, "runs only when triggered");
  });

  it("badge counts failed tasks; status bar text", () => {
    const snap = snapshot([task(1, { state: "finished", outcome: "failed" }), task(2, { state: "finished", outcome: "failed" })]);
    assert.deepEqual(badgeOf(snap), { value: 2, tooltip: "2 failed tasks" });
    assert.equal(badgeOf(snapshot([])), undefined);
    assert.equal(statusBarText("running", { pending: 3, running: 1, retrying: 2, failed: 1, completed: 9, cancelled: 0, stuck: 0 }), "$(sync~spin) 1 running · 5 queued · 1 failed");
    assert.equal(statusBarText("running", { pending: 0, running: 0, retrying: 0, failed: 0, completed: 9, cancelled: 0, stuck: 0 }), "$(pass) 0 running · 0 queued");
    assert.equal(statusBarText("stopped", undefined), "$(circle-slash) modtasks: stopped");
    assert.equal(statusBarText("starting", undefined), "$(loading~spin) modtasks: starting");
  });
});
