import type { QueueStore } from "../queue/store";
import type { TaskTypeInfo } from "../queue/task-types";
import { CoalescedLoop } from "./coalesced-loop";
import type { EphemeralOptions, EphemeralRunner } from "./ephemeral";

/**
 * Ephemeral tasks across a cluster (PostgreSQL). A caller's node runs an ephemeral task itself
 * when it has a free worker; otherwise it hands it over through the database (a row, and a
 * NOTIFY) to any node that has one, and delivers the result to its caller when that node
 * writes it back. The running node kills the run when the caller goes away (the caller's node
 * marks the row cancelled) or when the caller's node dies (its heartbeat stops).
 */
export class RemoteEphemerals {
  private readonly running = new Map<number, { caller: string; abort: AbortController }>();
  private readonly waiting = new Map<number, () => void>();
  /** Whether handed-over tasks may be waiting (set by a NOTIFY, cleared when a claim finds none). */
  private maybePending = true;
  private readonly loop = new CoalescedLoop(
    () => this.claimRound(),
    (e) => this.o.log("error", `handed-over ephemeral tasks: ${e instanceof Error ? e.message : String(e)}`),
  );

  constructor(
    private readonly store: QueueStore,
    private readonly o: {
      owner: string;
      types: () => readonly TaskTypeInfo[];
      /** Free workers for a cluster on this node (ephemeral runs only start on a free worker). */
      freeWorkers: (cluster: string) => number;
      ephemeral: EphemeralRunner;
      log: (level: "info" | "warn" | "error", text: string) => void;
    },
  ) {}

  /** Hands a task to the cluster and waits for its result; `signal` = the caller went away. */
  async submit(info: TaskTypeInfo, data: unknown, options: EphemeralOptions, signal: AbortSignal): Promise<unknown> {
    const rows = await this.store.transaction(async (tx) => {
      const r = await tx.query<{ id: number }>(
        `INSERT INTO modtasks_ephemeral (type, data, options, caller, state, created) VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id`,
        [info.name, JSON.stringify(data ?? null), JSON.stringify(options ?? {}), this.o.owner, Date.now()],
      );
      await tx.notify("modtasks_ephemeral", "");
      return r;
    });
    const id = Number(rows[0]!.id);
    const onAbort = () => {
      void this.store
        .transaction(async (tx) => {
          await tx.execute(`UPDATE modtasks_ephemeral SET state = 'cancelled', finished = $2 WHERE id = $1 AND state IN ('pending', 'running')`, [id, Date.now()]);
          await tx.notify("modtasks_cancel", `ephemeral:${id}`);
        })
        .catch(() => {});
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        const [row] = await this.store.query<{ state: string; result: string | null; error: string | null }>(`SELECT state, result, error FROM modtasks_ephemeral WHERE id = $1`, [id]);
        if (!row) throw new Error("The ephemeral task vanished");
        if (row.state === "done") return JSON.parse(row.result ?? "null") as unknown;
        if (row.state === "failed") throw new Error(row.error ?? "The ephemeral task failed");
        if (row.state === "cancelled") throw new Error("The caller went away before the task finished");
        // Woken by the runner's NOTIFY; the bound only covers a lost notification.
        await new Promise<void>((r) => {
          const t = setTimeout(done, 1000);
          this.waiting.set(id, done);
          function done() {
            clearTimeout(t);
            r();
          }
        });
      }
    } finally {
      this.waiting.delete(id);
      signal.removeEventListener("abort", onAbort);
      void this.store.transaction((tx) => tx.execute(`DELETE FROM modtasks_ephemeral WHERE id = $1 AND state IN ('done', 'failed', 'cancelled')`, [id])).catch(() => {});
    }
  }

  /** A notification about a handed-over task: its end (for the caller's node), or a cancel (for its runner). */
  onEvent(payload: string): void {
    try {
      const v = JSON.parse(payload) as { ephemeral?: number };
      if (typeof v.ephemeral === "number") this.waiting.get(v.ephemeral)?.();
    } catch {
      // not ours
    }
  }

  onCancel(payload: string): void {
    const m = /^ephemeral:(\d+)$/.exec(payload);
    if (m) this.running.get(Number(m[1]))?.abort.abort();
  }

  /** Kills runs, and drops waiting tasks, whose caller's node is dead. */
  async callersGone(owners: readonly string[]): Promise<void> {
    if (!owners.length) return;
    for (const r of this.running.values()) if (owners.includes(r.caller)) r.abort.abort();
    await this.store.transaction((tx) =>
      tx.execute(`UPDATE modtasks_ephemeral SET state = 'cancelled', finished = $2 WHERE caller = ANY($1::text[]) AND state = 'pending'`, [[...owners], Date.now()]),
    );
  }

  /** A task was handed over somewhere: look for work. */
  notified(): void {
    this.maybePending = true;
    this.wake();
  }

  /** A worker became free: look for handed-over work only if some may be waiting. */
  workerFree(): void {
    if (this.maybePending) this.wake();
  }

  /** Takes handed-over tasks this node has free workers for. */
  wake(): void {
    this.loop.wake();
  }

  private async claimRound(): Promise<boolean> {
    const types = this.o.types().filter((t) => t.kind === "ephemeral" && !t.unrunnable && this.o.freeWorkers(t.cluster) > 0);
    if (!types.length) return false;
    const claimed = await this.store.query<{ id: number; type: string; data: string; options: string | null; caller: string }>(
      `UPDATE modtasks_ephemeral SET state = 'running', runner = $1
       WHERE id IN (SELECT id FROM modtasks_ephemeral WHERE state = 'pending' AND type = ANY($2::text[]) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING id, type, data, options, caller`,
      [this.o.owner, types.map((t) => t.name), Math.max(1, ...types.map((t) => this.o.freeWorkers(t.cluster)))],
    );
    for (const row of claimed) void this.run(row);
    if (!claimed.length) this.maybePending = false;
    return false; // one claim per wake-up: each run's end wakes us again
  }

  private async run(row: { id: number; type: string; data: string; options: string | null; caller: string }): Promise<void> {
    const id = Number(row.id);
    const abort = new AbortController();
    this.running.set(id, { caller: row.caller, abort });
    let end: { state: "done" | "failed"; result: string | null; error: string | null };
    try {
      const info = this.o.types().find((t) => t.name === row.type);
      if (!info) throw new Error(`No such ephemeral task type '${row.type}'`);
      const value = await this.o.ephemeral.run(info, JSON.parse(row.data), JSON.parse(row.options ?? "{}") as EphemeralOptions, abort.signal);
      end = { state: "done", result: JSON.stringify(value ?? null), error: null };
    } catch (e) {
      end = { state: "failed", result: null, error: e instanceof Error ? e.message : String(e) };
    }
    this.running.delete(id);
    try {
      await this.store.transaction(async (tx) => {
        await tx.execute(`UPDATE modtasks_ephemeral SET state = $2, result = $3, error = $4, finished = $5 WHERE id = $1 AND state = 'running' AND runner = $6`, [
          id,
          end.state,
          end.result,
          end.error,
          Date.now(),
          this.o.owner,
        ]);
        await tx.notify("modtasks_events", JSON.stringify({ ephemeral: id }));
      });
    } catch (e) {
      this.o.log("error", `could not deliver handed-over ephemeral task #${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.wake();
  }

  stop(): void {
    this.loop.stop();
    for (const r of this.running.values()) r.abort.abort();
    for (const w of this.waiting.values()) w();
  }
}
