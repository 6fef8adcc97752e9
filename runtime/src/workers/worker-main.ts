/**
 * A worker process: runs the tasks its runtime sends, one at a time and in order, and reports
 * each outcome. Started by the runtime (pool.ts) with an IPC channel; never started by hand.
 */
import { openStore, type DbConfig } from "../queue/open-store";
import type { QueueStore } from "../queue/store";
import type { TaskTypeInfo } from "../queue/task-types";
import { guardExit, realExit } from "./exit-guard";
import type { FromWorker, RunOutcome, RunRequest, ToWorker } from "./protocol";
import { runEntryPoint } from "./run-entrypoint";
import { runTask } from "./run-task";

let db: DbConfig | null = null;
let store: Promise<QueueStore> | undefined;
let types = new Map<string, TaskTypeInfo>();
const queue: RunRequest[] = [];
const dropped = new Set<number>();
let running = false;
let outbox: { runId: number; outcome: RunOutcome }[] = [];
let flushScheduled = false;

/** How long a run may hold SQLite's write lock before the runtime's log warns (ms). */
function sqliteLockWarnMs(): number {
  const v = Number(process.env.MODTASKS_SQLITE_LOCK_WARN_MS);
  return Number.isFinite(v) && v > 0 ? v : 5000;
}

function send(m: FromWorker): void {
  process.send?.(m);
}

function getStore(): Promise<QueueStore> {
  if (!db) return Promise.reject(new Error("this worker has no task database"));
  // Migrations are the runtime's job; a worker only connects.
  // Named after the runtime instance, so other nodes can fence these sessions off (see sessionName).
  store ??= openStore(db, { migrate: false, poolSize: 2, ...(process.env.MODTASKS_DB_SESSION ? { applicationName: process.env.MODTASKS_DB_SESSION } : {}) });
  return store;
}

/** Outcomes go back in one message per turn of the event loop, not one per task. */
function report(runId: number, outcome: RunOutcome): void {
  outbox.push({ runId, outcome });
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => {
    flushScheduled = false;
    const items = outbox;
    outbox = [];
    if (items.length) send({ t: "done", items });
  });
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    while (queue.length) {
      const req = queue.shift()!;
      if (dropped.delete(req.runId)) continue;
      const restoreExit = guardExit();
      let outcome: RunOutcome;
      try {
        outcome =
          req.kind === "entrypoint"
            ? await runEntryPoint(req)
            : await runTask(req, {
                openStore: getStore,
                lookup: (name) => types.get(name),
                onScheduled: () => send({ t: "wake" }),
                ...(db?.kind === "sqlite" ? { lockWarnMs: sqliteLockWarnMs(), warn: (text: string) => send({ t: "log", runId: req.runId, level: "warn", text }) } : {}),
              });
      } finally {
        restoreExit();
      }
      report(req.runId, outcome);
    }
  } finally {
    running = false;
  }
}

function onMessage(m: ToWorker): void {
  switch (m.t) {
    case "init":
      db = m.db;
      types = new Map(m.types.map((t) => [t.name, t]));
      return;
    case "types":
      types = new Map(m.types.map((t) => [t.name, t]));
      return;
    case "run":
      queue.push(...m.runs);
      drain().catch((e: unknown) => {
        send({ t: "log", level: "error", text: `worker failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
        realExit(70);
      });
      return;
    case "drop":
      dropped.add(m.runId);
      return;
    case "giveBack": {
      // Only runs still in the queue can go: the one running (already shifted off) stays.
      const wanted = new Set(m.runIds);
      const given = queue.filter((r) => wanted.has(r.runId) && !dropped.has(r.runId)).map((r) => r.runId);
      const gone = new Set(given);
      for (let i = queue.length - 1; i >= 0; i--) if (gone.has(queue[i]!.runId)) queue.splice(i, 1);
      send({ t: "givenBack", runIds: given });
      return;
    }
  }
}

function main(): void {
  if (!process.send) {
    process.stderr.write("modtasks worker: this program is started by the modtasks runtime, not by hand\n");
    realExit(2);
  }
  // The runtime going away (even by SIGKILL) closes the IPC channel: a worker never outlives it.
  process.on("disconnect", () => realExit(0));
  // Task code that leaves a promise rejected must not take the worker down with it.
  process.on("unhandledRejection", (e) => {
    send({ t: "log", level: "warn", text: `unhandled rejection in task code: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
  });
  process.on("message", onMessage);
  send({ t: "ready" });
}

main();
