import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildQueueTree, storedQueueBanner } from "../../client/src/queue-model";
import type { QueueSnapshot, RuntimeStatus, ServiceStatus, TaskSummary } from "../../client/src/runtime-api";
import { exitedBadly, serviceNode, serviceNodes, servicesSummary, serviceViewState } from "../../client/src/service-model";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const opts = { now: NOW, maintenanceOffsetMinutes: 60 };

function service(over: Partial<ServiceStatus> = {}): ServiceStatus {
  return {
    name: "e2emod:echo",
    key: "e2emod:echo",
    module: "e2emod",
    script: "lib/echo-service.ts",
    source: "modtasks.json",
    onDemand: false,
    state: "running",
    listening: true,
    pid: 4242,
    startedAt: NOW - 5 * 60_000,
    uptimeMs: 5 * 60_000,
    connections: 2,
    restarts: 1,
    lastExit: null,
    ...over,
  };
}

function snapshot(over: Partial<QueueSnapshot> = {}, status: Partial<RuntimeStatus> = {}): QueueSnapshot {
  return {
    source: "runtime",
    status: {
      node: "local",
      pid: 1,
      db: "sqlite:/w/.modtasks/tasks.db",
      counts: { pending: 0, running: 0, retrying: 0, failed: 0, completed: 0, cancelled: 0, stuck: 0 },
      nodes: [{ name: "local", host: "h", pid: 1, heartbeat: NOW, started: NOW, info: {} }],
      modules: [{ name: "e2emod", dir: "/w/e2emod", file: "/w/e2emod/moduledefinition.xml" }],
      ...status,
    },
    active: [],
    failed: [],
    completed: [],
    cancelled: [],
    scheduled: undefined,
    fetchedAt: NOW,
    ...over,
  };
}

describe("services in the tree: states", () => {
  it("maps the service manager's states to the tree's", () => {
    assert.equal(serviceViewState({ state: "running", listening: true, name: "m:n" }), "running");
    assert.equal(serviceViewState({ state: "running", listening: false, name: "m:n" }), "starting");
    // A <runatstartup> script that registered no name: its process runs, that is all there is.
    assert.equal(serviceViewState({ state: "running", listening: false, name: null }), "running");
    assert.equal(serviceViewState({ state: "restarting", listening: false, name: "m:n" }), "restarting");
    assert.equal(serviceViewState({ state: "stopping", listening: true, name: "m:n" }), "stopping");
    assert.equal(serviceViewState({ state: "stopped", listening: false, name: "m:n" }), "stopped");
  });

  it("a stop (SIGTERM) or a clean exit is not a failure; a crash is", () => {
    assert.equal(exitedBadly(null), false);
    assert.equal(exitedBadly({ code: 0, signal: null, at: NOW, stderr: "" }), false);
    assert.equal(exitedBadly({ code: null, signal: "SIGTERM", at: NOW, stderr: "" }), false);
    assert.equal(exitedBadly({ code: 1, signal: null, at: NOW, stderr: "Error: x" }), true);
    assert.equal(exitedBadly({ code: null, signal: "SIGKILL", at: NOW, stderr: "" }), true);
  });
});

describe("services in the tree: labels, tooltips, icons, menus", () => {
  it("a running service: green, pid, uptime and connections; Restart and Stop", () => {
    const n = serviceNode(service(), { now: NOW, moduleDirs: new Map([["e2emod", "/w/e2emod"]]) });
    assert.equal(n.id, "service:e2emod:echo");
    assert.equal(n.label, "e2emod:echo");
    assert.equal(n.description, "pid 4242 · up 5 min · 2 connections");
    assert.deepEqual(n.icon, { id: "vm-running", color: "charts.green" });
    assert.equal(n.contextValue, "service.running");
    assert.equal(n.accessibilityLabel, "service e2emod:echo, running, pid 4242, 2 connections");
    assert.equal(n.scriptPath, "/w/e2emod/lib/echo-service.ts");
    assert.match(n.tooltip, /^\*\*e2emod:echo\*\* — backend service/);
    assert.match(n.tooltip, /State: \*\*running\*\* · pid 4242/);
    assert.match(n.tooltip, /Up since: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(5 min\)/);
    assert.match(n.tooltip, /Connections: 2\n/);
    assert.match(n.tooltip, /Restarts: 1\n/);
    assert.match(n.tooltip, /Declared in: `modtasks\.json` of e2emod · always on/);
    assert.match(n.tooltip, /Script: `lib\/echo-service\.ts`/);
    assert.equal(serviceNode(service({ connections: 1 }), { now: NOW }).description, "pid 4242 · up 5 min · 1 connection");
    assert.equal(serviceNode(service(), { now: NOW }).scriptPath, undefined, "no module folder known: no script to open");
  });

  it("a stopped on-demand service: starts on demand; Start", () => {
    const n = serviceNode(service({ state: "stopped", listening: false, pid: null, startedAt: null, uptimeMs: null, connections: 0, onDemand: true, restarts: 0 }), { now: NOW });
    assert.equal(n.description, "stopped · starts on demand");
    assert.deepEqual(n.icon, { id: "vm-outline", color: "disabledForeground" });
    assert.equal(n.contextValue, "service.stopped");
    assert.equal(n.accessibilityLabel, "service e2emod:echo, stopped, 0 connections");
    assert.match(n.tooltip, /started on demand/);
    assert.doesNotMatch(n.tooltip, /Up since/);
  });

  it("a crashed service: red when stopped, yellow and spinning while it restarts; the exit in the tooltip", () => {
    const lastExit = { code: 1, signal: null, at: NOW - 120_000, stderr: "Error: listen EADDRINUSE" };
    const stopped = serviceNode(service({ state: "stopped", listening: false, pid: null, startedAt: null, onDemand: true, lastExit }), { now: NOW });
    assert.equal(stopped.description, "stopped · exited with code 1 2 min ago");
    assert.deepEqual(stopped.icon, { id: "vm-outline", color: "charts.red" });
    assert.match(stopped.tooltip, /Last exit: exited with code 1, .* \(2 min ago\)\n\n```text\nError: listen EADDRINUSE\n```/);
    const restarting = serviceNode(service({ state: "restarting", listening: false, pid: null, startedAt: null, lastExit: { ...lastExit, code: null, signal: "SIGKILL" } }), { now: NOW });
    assert.equal(restarting.description, "restarting · killed by SIGKILL");
    assert.deepEqual(restarting.icon, { id: "sync~spin", color: "charts.yellow" });
    assert.equal(restarting.contextValue, "service.restarting");
    // Stopped by the user (SIGTERM): not red.
    assert.deepEqual(serviceNode(service({ state: "stopped", pid: null, startedAt: null, lastExit: { ...lastExit, code: null, signal: "SIGTERM" } }), { now: NOW }).icon.color, "disabledForeground");
  });

  it("starting and stopping spin; a <runatstartup> script without a name is shown by its script", () => {
    assert.equal(serviceNode(service({ listening: false }), { now: NOW }).description, "starting (pid 4242)");
    assert.equal(serviceNode(service({ state: "stopping" }), { now: NOW }).icon.id, "loading~spin");
    const script = serviceNode(service({ name: null, key: "hello:lib/startup.ts", source: "runatstartup", listening: false, connections: 0 }), { now: NOW });
    assert.equal(script.id, "service:hello:lib/startup.ts");
    assert.equal(script.name, "hello:lib/startup.ts", "the commands take the declaration key");
    assert.equal(script.contextValue, "service.running");
    assert.match(script.tooltip, /Serves no name yet/);
    assert.match(script.tooltip, /`<runatstartup>` of e2emod/);
  });

  it("escapes Markdown in names", () => {
    assert.match(serviceNode(service({ name: "my_mod:a_b" }), { now: NOW }).tooltip, /\*\*my\\_mod:a\\_b\*\*/);
  });
});

describe("services in the tree: the Services group", () => {
  const services = [
    service({ name: "m:b", key: "m:b" }),
    service({ name: "m:a", key: "m:a", state: "stopped", listening: false, pid: null, startedAt: null, onDemand: true }),
  ];

  it("comes last, sorted by name, with how many run", () => {
    const task = { id: 1, type: "m:t", state: "pending", outcome: null, failures: 0, iterations: 0, lastError: null, created: NOW, started: null, finished: null, runAt: NOW, nextAttempt: NOW, notBefore: 0, priority: 0, leaseOwner: null } as TaskSummary;
    const tree = buildQueueTree(snapshot({ active: [task], services }, { counts: { pending: 1, running: 0, retrying: 0, failed: 0, completed: 0, cancelled: 0, stuck: 0 } }), opts);
    assert.deepEqual(tree.map((g) => g.id), ["group:queued", "group:services"]);
    const g = tree[1]!;
    assert.equal(g.label, "Services");
    assert.equal(g.description, "1 of 2 running");
    assert.deepEqual(g.icon, { id: "server-process", color: "charts.green" });
    assert.equal(g.contextValue, "group.services");
    assert.deepEqual(g.children.map((c) => c.id), ["service:m:a", "service:m:b"]);
    assert.equal(servicesSummary(serviceNodes([services[0]!], { now: NOW }), undefined), "1 running");
  });

  it("is absent without services (none declared, or an older runtime)", () => {
    assert.deepEqual(buildQueueTree(snapshot({ services: [] }), opts), []);
    assert.deepEqual(buildQueueTree(snapshot({ services: undefined }), opts), []);
  });

  it("in a cluster, says whose services they are (services are node-local)", () => {
    const nodes = ["n1", "n2"].map((name, i) => ({ name, host: "h", pid: i + 1, heartbeat: NOW, started: NOW, info: {} }));
    const tree = buildQueueTree(snapshot({ services }, { node: "n1", nodes }), opts);
    assert.equal(tree[0]!.description, "1 of 2 running on n1");
  });

  it("ids stay the same when states change (selection survives)", () => {
    const a = buildQueueTree(snapshot({ services }), opts);
    const b = buildQueueTree(snapshot({ services: services.map((s) => ({ ...s, state: "restarting" as const, pid: null })) }), opts);
    assert.deepEqual(a[0]!.children.map((c) => c.id), b[0]!.children.map((c) => c.id));
  });
});

describe("the queue as stored (no runtime)", () => {
  const failed = { id: 9, type: "m:t", state: "finished", outcome: "failed", failures: 1, iterations: 1, lastError: "x", created: NOW, started: NOW, finished: NOW, runAt: NOW, nextAttempt: NOW, notBefore: 0, priority: 0, leaseOwner: null } as TaskSummary;
  const stored = (over: Partial<QueueSnapshot> = {}): QueueSnapshot => ({
    source: "database",
    status: { db: "sqlite:/w/.modtasks/tasks.db", counts: { pending: 0, running: 0, retrying: 0, failed: 1, completed: 0, cancelled: 0, stuck: 0 } },
    active: [],
    failed: [failed],
    completed: [],
    cancelled: [],
    scheduled: undefined,
    fetchedAt: NOW,
    ...over,
  });

  it("rows are read-only: their contextValues offer details and the declaration, no actions", () => {
    const tree = buildQueueTree(stored(), opts);
    assert.equal(tree[0]!.id, "group:failed");
    assert.equal(tree[0]!.children[0]!.contextValue, "task.failed.readonly");
    assert.doesNotMatch("task.failed.readonly", /^task\.(failed|retrying)$/, "Retry's menu regex");
    assert.match("task.failed.readonly", /^task\./, "Show Task Details' menu regex");
    assert.equal(buildQueueTree(stored({ source: "runtime" }), opts)[0]!.children[0]!.contextValue, "task.failed");
  });

  it("a banner on top says so and starts the runtime; none for a live or an empty queue", () => {
    const snap = stored();
    const banner = storedQueueBanner(snap, buildQueueTree(snap, opts));
    assert.ok(banner);
    assert.equal(banner.label, "Start Runtime");
    assert.equal(banner.command, "modtasks.startRuntime");
    assert.match(banner.description, /^read-only view · \d{2}:\d{2}:\d{2}$/);
    assert.match(banner.tooltip, /sqlite:\/w\/\.modtasks\/tasks\.db/);
    assert.equal(storedQueueBanner(stored({ source: "runtime" }), buildQueueTree(snap, opts)), undefined);
    assert.equal(storedQueueBanner(stored({ failed: [] }), []), undefined, "empty: the welcome view (with Start Runtime) shows instead");
    assert.equal(storedQueueBanner(undefined, []), undefined);
  });
});
