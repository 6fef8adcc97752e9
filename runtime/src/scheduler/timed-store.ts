import type { QueueStore, SqlExecutor } from "../queue/store";

/** The stored state of one scheduled task (one row per `module:tag`, shared by all nodes). */
export interface TimedRow {
  name: string;
  /** Identity of the schedule (mask, zone, offset): when it changes, the next time is recomputed. */
  schedule: string;
  next: number | null;
  enabled: boolean;
  runningSince: number | null;
  runner: string | null;
  runExpires: number | null;
  lastStart: number | null;
  lastEnd: number | null;
  lastOk: boolean | null;
  lastError: string | null;
  /** What a run that exited 0 wrote to stderr (WebHare: a warning, not a failure). */
  lastWarning: string | null;
  lastOutput: string | null;
  lastExit: number | null;
  runs: number;
  /** A run asked for by hand (trigger), due at this time; it runs even when the task is disabled. */
  manualNext: number | null;
  /** Number of the last claimed run: every claim adds one. */
  runSeq: number;
}

const COLS = "name, schedule, next, enabled, running_since, runner, run_expires, last_start, last_end, last_ok, last_error, last_warning, last_output, last_exit, runs, manual_next, run_seq";

function toRow(r: Record<string, unknown>): TimedRow {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    name: String(r.name),
    schedule: String(r.schedule),
    next: n(r.next),
    enabled: Number(r.enabled) === 1,
    runningSince: n(r.running_since),
    runner: (r.runner as string | null) ?? null,
    runExpires: n(r.run_expires),
    lastStart: n(r.last_start),
    lastEnd: n(r.last_end),
    lastOk: r.last_ok === null || r.last_ok === undefined ? null : Number(r.last_ok) === 1,
    lastError: (r.last_error as string | null) ?? null,
    lastWarning: (r.last_warning as string | null) ?? null,
    lastOutput: (r.last_output as string | null) ?? null,
    lastExit: n(r.last_exit),
    runs: Number(r.runs ?? 0),
    manualNext: n(r.manual_next),
    runSeq: Number(r.run_seq ?? 0),
  };
}

/**
 * The statements of the scheduled-task state. Every change that decides who runs an occurrence
 * is a single conditional UPDATE, so with many nodes (and skewed clocks) exactly one wins.
 */
export class TimedStore {
  constructor(private readonly store: QueueStore) {}

  async all(): Promise<TimedRow[]> {
    return (await this.store.query<Record<string, unknown>>(`SELECT ${COLS} FROM modtasks_timed ORDER BY name`)).map(toRow);
  }

  async get(name: string): Promise<TimedRow | undefined> {
    const rows = await this.store.query<Record<string, unknown>>(`SELECT ${COLS} FROM modtasks_timed WHERE name = $1`, [name]);
    return rows.length ? toRow(rows[0]!) : undefined;
  }

  /** Creates the row, or resets its next time when the schedule changed. Keeps the state otherwise. */
  async sync(name: string, schedule: string, next: number | null): Promise<void> {
    await this.store.transaction(async (tx) => {
      const cur = await tx.query<{ schedule: string }>(`SELECT schedule FROM modtasks_timed WHERE name = $1`, [name]);
      if (!cur.length) await tx.execute(`INSERT INTO modtasks_timed (name, schedule, next) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`, [name, schedule, next]);
      else if (cur[0]!.schedule !== schedule) await tx.execute(`UPDATE modtasks_timed SET schedule = $2, next = $3 WHERE name = $1`, [name, schedule, next]);
    });
  }

  async removeExcept(prefixes: string[], keep: string[]): Promise<void> {
    const rows = await this.all();
    const doomed = rows.filter((r) => prefixes.some((p) => r.name.startsWith(p)) && !keep.includes(r.name) && r.runningSince === null);
    if (!doomed.length) return;
    await this.store.transaction(async (tx) => {
      for (const r of doomed) await tx.execute(`DELETE FROM modtasks_timed WHERE name = $1 AND running_since IS NULL`, [r.name]);
    });
  }

  /**
   * Claims a due run (a cron occurrence, a request by hand, or both) for this runner, as seen
   * in `seen`. Only one claimant can win: the row must still be as it was read, with no run in
   * progress. `newNext` is the next cron time from the run's start (WebHare: "the next time
   * counts from the run's start"), or the unchanged next time for a run by hand only. Any run
   * satisfies a pending request by hand. Returns the run's number, or undefined when lost.
   */
  async claimOccurrence(seen: TimedRow, newNext: number | null, owner: string, now: number, leaseMs: number): Promise<number | undefined> {
    return this.claim(
      `UPDATE modtasks_timed SET running_since = $4, runner = $5, run_expires = $6, last_start = $4, next = $3, manual_next = NULL, run_seq = run_seq + 1
       WHERE name = $1 AND COALESCE(next, -1) = $2 AND COALESCE(manual_next, -1) = $7 AND enabled = $8 AND running_since IS NULL
       RETURNING run_seq`,
      [seen.name, seen.next ?? -1, newNext, now, owner, now + leaseMs, seen.manualNext ?? -1, seen.enabled ? 1 : 0],
    );
  }

  /** Claims a run outside the schedule (at startup) of an enabled task: the next time stays as it is. */
  async claimExtraRun(name: string, owner: string, now: number, leaseMs: number): Promise<number | undefined> {
    return this.claim(
      `UPDATE modtasks_timed SET running_since = $2, runner = $3, run_expires = $4, last_start = $2, manual_next = NULL, run_seq = run_seq + 1
       WHERE name = $1 AND running_since IS NULL AND enabled = 1
       RETURNING run_seq`,
      [name, now, owner, now + leaseMs],
    );
  }

  async finishRun(name: string, owner: string, end: { at: number; ok: boolean; error: string | null; warning: string | null; output: string | null; exit: number | null }): Promise<boolean> {
    return this.exec(
      `UPDATE modtasks_timed SET running_since = NULL, runner = NULL, run_expires = NULL, last_end = $3, last_ok = $4, last_error = $5,
         last_warning = $8, last_output = $6, last_exit = $7, runs = runs + 1
       WHERE name = $1 AND runner = $2`,
      [name, owner, end.at, end.ok ? 1 : 0, end.error, end.output, end.exit, end.warning],
    );
  }

  /**
   * Asks for a run no later than `when` (a trigger). It never postpones an earlier request, and
   * runs even when the task is disabled (the task stays disabled). Other nodes are woken. Returns
   * the number of the last run claimed before the request (the requested run has a higher one),
   * or undefined when the task has no row.
   */
  async requestRun(name: string, when: number): Promise<number | undefined> {
    return this.store.transaction(async (tx) => {
      const rows = await tx.query<{ run_seq: unknown }>(
        `UPDATE modtasks_timed SET manual_next = CASE WHEN manual_next IS NULL OR manual_next > $2 THEN $2 ELSE manual_next END WHERE name = $1 RETURNING run_seq`,
        [name, when],
      );
      if (!rows.length) return undefined;
      await tx.notify("modtasks_timed", name);
      return Number(rows[0]!.run_seq);
    });
  }

  /** Enabling moves a next time that lies in the past to `freshNext`: no catch-up for a disabled period. */
  async setEnabled(name: string, enabled: boolean, now: number, freshNext: number | null): Promise<boolean> {
    if (!enabled) return this.exec(`UPDATE modtasks_timed SET enabled = 0 WHERE name = $1`, [name]);
    return this.exec(
      `UPDATE modtasks_timed SET next = CASE WHEN enabled = 0 AND (next IS NULL OR next <= $2) THEN $3 ELSE next END, enabled = 1 WHERE name = $1`,
      [name, now, freshNext],
    );
  }

  async renew(owner: string, until: number): Promise<void> {
    await this.exec(`UPDATE modtasks_timed SET run_expires = $2 WHERE runner = $1 AND running_since IS NOT NULL`, [owner, until]);
  }

  /**
   * Clears the runs of runners that are gone; returns their names. Whether a runner is gone is
   * the caller's judgement, by node heartbeats on the database's clock (engine/takeover.ts), not
   * run_expires: that was written by each node's own clock. `now` is recorded as the run's end.
   */
  async recover(now: number, deadOwners: readonly string[]): Promise<string[]> {
    const rows = (await this.all()).filter((r) => r.runningSince !== null && r.runner !== null && deadOwners.includes(r.runner));
    const names: string[] = [];
    for (const r of rows) {
      const ok = await this.exec(
        `UPDATE modtasks_timed SET running_since = NULL, runner = NULL, run_expires = NULL, last_end = $3, last_ok = 0,
           last_error = 'The runtime running this task stopped during the run'
         WHERE name = $1 AND runner = $2`,
        [r.name, r.runner, now],
      );
      if (ok) names.push(r.name);
    }
    return names;
  }

  private async claim(sql: string, params: unknown[]): Promise<number | undefined> {
    return this.store.transaction(async (tx: SqlExecutor) => {
      const rows = await tx.query<{ run_seq: unknown }>(sql, params);
      return rows.length ? Number(rows[0]!.run_seq) : undefined;
    });
  }

  private async exec(sql: string, params: unknown[]): Promise<boolean> {
    return this.store.transaction(async (tx: SqlExecutor) => (await tx.execute(sql, params)).changes > 0);
  }
}
