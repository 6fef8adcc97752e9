/**
 * The queue as stored in the task database, read while no runtime runs, through the workspace's
 * own `modtasks` command (`status --json`, `tasks list --json`, `tasks describe --json`): the
 * extension host never loads a database driver. Read on demand (the view's Refresh, the runtime
 * stopping, the view first shown), never polled. Running the command executes the workspace's
 * modtasks install, so the caller skips this in an untrusted workspace.
 * No `vscode` import (unit-tested without VS Code, against the real command).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import type { DbLocation } from "./db-location";
import { dbArgument } from "./db-location";
import type { RuntimeCommand } from "./runtime-locator";
import type { QueueCounts, QueueSnapshot, TaskRecord, TaskSummary } from "./runtime-api";

/** Runs `modtasks <args>` and resolves with its standard output. */
export type CliRunner = (args: string[]) => Promise<string>;

const CLI_TIMEOUT_MS = 30_000;

/** A runner for the located `modtasks` command (Node + runtime/bin/modtasks.js, or `modtasks` on PATH). */
export function cliRunner(runtime: RuntimeCommand, cwd: string, env: NodeJS.ProcessEnv = process.env): CliRunner {
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(runtime.command, [...runtime.prefix, ...args], { cwd, env, timeout: CLI_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
        if (err) {
          // The command says what went wrong on its first line ("modtasks tasks: No such task #9").
          const why = String(stderr).trim().split("\n").find((l) => l.trim()) ?? err.message;
          const what = `modtasks ${args.filter((a) => !a.startsWith("-")).slice(0, 2).join(" ")}`;
          reject(new Error(why.startsWith("modtasks") ? why : `${what}: ${why}`));
        } else resolve(String(stdout));
      });
    });
}

/** What `modtasks status --json` prints without a runtime (with one, the runtime's status and `runtime: true`). */
interface StoredStatus {
  runtime: boolean;
  db: string;
  counts: QueueCounts;
}

export type StoredRead =
  /** A runtime answers on the workspace's control socket after all: attach to it instead. */
  | { kind: "runtime-running" }
  /** The SQLite database does not exist yet: nothing was ever queued (and reading would create it). */
  | { kind: "no-database" }
  | { kind: "snapshot"; snapshot: QueueSnapshot };

export interface StoredReadOptions {
  /** Most tasks per unfinished state (running, queued, retrying). */
  activeLimit?: number;
  /** Most tasks per finished group (failed, completed, cancelled). */
  finishedLimit?: number;
  now?: () => number;
}

const SUMMARY_FIELDS = ["id", "type", "state", "outcome", "failures", "iterations", "lastError", "created", "started", "finished", "runAt", "nextAttempt", "notBefore", "priority", "leaseOwner"] as const;

function summary(t: TaskRecord): TaskSummary {
  const out: Record<string, unknown> = {};
  for (const k of SUMMARY_FIELDS) out[k] = t[k];
  return out as unknown as TaskSummary;
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${what} did not print JSON: ${text.slice(0, 200)}`);
  }
}

/**
 * Reads the queue: the counts first (one process), then one `tasks list` per group that has
 * tasks, in parallel. An empty queue costs one process; a missing SQLite file none.
 */
export async function readStoredQueue(run: CliRunner, db: DbLocation, o: StoredReadOptions = {}): Promise<StoredRead> {
  if (db.kind === "sqlite" && db.path !== ":memory:" && !existsSync(db.path)) return { kind: "no-database" };
  const dbArg = dbArgument(db);
  const status = parseJson<StoredStatus>(await run(["status", "--json", "--db", dbArg]), "modtasks status");
  if (status.runtime) return { kind: "runtime-running" };
  const counts = status.counts;
  const activeLimit = o.activeLimit ?? 500;
  const finishedLimit = o.finishedLimit ?? 50;
  const list = async (state: string, count: number, limit: number): Promise<TaskSummary[]> => {
    if (!count) return [];
    const text = await run(["tasks", "list", "--json", "--db", dbArg, "--state", state, "--limit", String(limit)]);
    return parseJson<TaskRecord[]>(text, "modtasks tasks list").map(summary);
  };
  const [running, pending, retrying, failed, completed, cancelled] = await Promise.all([
    list("running", counts.running, activeLimit),
    list("pending", counts.pending, activeLimit),
    list("retrying", counts.retrying, activeLimit),
    list("failed", counts.failed, finishedLimit),
    list("completed", counts.completed, finishedLimit),
    list("cancelled", counts.cancelled, finishedLimit),
  ]);
  return {
    kind: "snapshot",
    snapshot: {
      source: "database",
      status: { counts, db: status.db },
      active: [...running, ...pending, ...retrying],
      failed,
      completed,
      cancelled,
      scheduled: undefined,
      fetchedAt: (o.now ?? Date.now)(),
    },
  };
}

/** One task as stored (`modtasks tasks describe ID --json`). */
export async function describeStoredTask(run: CliRunner, db: DbLocation, taskId: number): Promise<TaskRecord> {
  return parseJson<TaskRecord>(await run(["tasks", "describe", String(taskId), "--json", "--db", dbArgument(db)]), "modtasks tasks describe");
}
