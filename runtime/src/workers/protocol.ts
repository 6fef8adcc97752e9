/**
 * Messages between the runtime and its worker processes (Node IPC, JSON). The runtime owns the
 * queue; a worker only runs what it is sent and reports how each run ended.
 */
import type { DbConfig } from "../queue/open-store";
import type { FinishOutcome } from "../queue/store";
import type { TaskImpl, TaskTypeInfo } from "../queue/task-types";
import type { Resolution, TaskTypePolicy } from "../queue/types";

export interface RunRequest {
  runId: number;
  /** "entrypoint": a Prudence-style entry point: the named function of a document, called with the context. */
  kind: "managed" | "ephemeral" | "entrypoint";
  task: {
    /** Managed tasks: the queue id. Ephemeral tasks: a per-runtime number. */
    id: number;
    type: string;
    data: unknown;
    failures: number;
    iterations: number;
    /** Managed tasks only: the lease the run must still hold when it commits. */
    leaseToken?: string;
  };
  impl: TaskImpl;
  policy: TaskTypePolicy;
}

/** How a run ended, as the worker saw it. */
export type RunOutcome =
  /** The run's own transaction committed its resolution (the task used the database). */
  | { kind: "committed"; finish: FinishOutcome }
  /** Nothing was committed; the runtime applies this resolution (possibly batched with others). */
  | { kind: "resolved"; resolution: Resolution }
  /** The run found its lease gone when it opened its transaction (cancelled or taken over). */
  | { kind: "lost" };

export type ToWorker =
  | { t: "init"; db: DbConfig | null; types: TaskTypeInfo[]; workerId: number }
  | { t: "types"; types: TaskTypeInfo[] }
  /** Runs to do, in order (a batch when tasks are quick: one message instead of one per task). */
  | { t: "run"; runs: RunRequest[] }
  /** Skip this run if it has not started (cancelled, or its caller went away). */
  | { t: "drop"; runId: number }
  /** Hand back whichever of these runs have not started (they wait behind a slow run). */
  | { t: "giveBack"; runIds: number[] };

export type FromWorker =
  | { t: "ready" }
  /** Outcomes of finished runs, in the order they ran (several per message when runs are quick). */
  | { t: "done"; items: { runId: number; outcome: RunOutcome }[] }
  /** A run committed new tasks: the runtime should look for work now. */
  | { t: "wake" }
  /** Answer to giveBack: these runs were removed unstarted and will never run here. */
  | { t: "givenBack"; runIds: number[] }
  | { t: "log"; runId?: number; level: "info" | "warn" | "error"; text: string };
