/**
 * A worker process: runs the tasks its runtime sends, one at a time, and reports each outcome.
 * Started by the runtime (pool.ts) with an IPC channel; never started by hand.
 */
import { openStore, type DbConfig } from "../queue/open-store";
import type { QueueStore } from "../queue/store";
import type { TaskTypeInfo } from "../queue/task-types";
import type { FromWorker, ToWorker } from "./protocol";
import { runTask } from "./run-task";
import { runEntryPoint } from "./run-entrypoint";

let db: DbConfig | null = null;
let store: Promise<QueueStore> | undefined;
let types = new Map<string, TaskTypeInfo>();

function send(m: FromWorker): void {
  process.send?.(m);
}

function getStore(): Promise<QueueStore> {
  if (!db) return Promise.reject(new Error("this worker has no task database"));
  // Migrations are the runtime's job; a worker only connects.
  store ??= openStore(db, { migrate: false });
  return store;
}

function setTypes(list: TaskTypeInfo[]): void {
  types = new Map(list.map((t) => [t.name, t]));
}

async function onMessage(m: ToWorker): Promise<void> {
  switch (m.t) {
    case "init":
      db = m.db;
      setTypes(m.types);
      return;
    case "types":
      setTypes(m.types);
      return;
    case "run": {
      const outcome = m.run.kind === "entrypoint" ? await runEntryPoint(m.run) : await runTask(m.run, {
        openStore: getStore,
        lookup: (name) => types.get(name),
        onScheduled: () => send({ t: "wake" }),
      });
      send({ t: "done", runId: m.run.runId, outcome });
      return;
    }
  }
}

function main(): void {
  if (!process.send) {
    process.stderr.write("modtasks worker: this program is started by the modtasks runtime, not by hand\n");
    process.exit(2);
  }
  // The runtime going away (even by SIGKILL) closes the IPC channel: a worker never outlives it.
  process.on("disconnect", () => process.exit(0));
  // Task code that leaves a promise rejected must not take the worker down with it.
  process.on("unhandledRejection", (e) => {
    send({ t: "log", level: "warn", text: `unhandled rejection in task code: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
  });
  process.on("message", (m: ToWorker) => {
    onMessage(m).catch((e: unknown) => {
      send({ t: "log", level: "error", text: `worker failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
      process.exit(70);
    });
  });
  send({ t: "ready" });
}

main();
