import { endOfRun } from "./lifecycle";
import { MAX_ERROR_HISTORY, STUCK_AFTER_MS } from "./policy";
import type { SqlDialect } from "./sql-dialect";
import type { ClaimRequest, FinishOutcome, NewTaskRow, QueueCounts, RunFinish, SqlExecutor } from "./store";
import type { ClaimedTask, ListTasksOptions, TaskErrorEntry, TaskRecord, TaskState } from "./types";
import { fromJsonText } from "./json-value";

/**
 * Every statement the queue runs, shared by the SQLite and PostgreSQL stores. Each function
 * takes an executor that is already inside the right transaction; the stores decide where
 * transactions begin and end.
 */

const T = "modtasks_tasks";
const CLAIM_COLUMNS = "id, type, data, auxdata, priority, timeout, failures, iterations, lease_token, runat";

export async function insertTasks(db: SqlExecutor, d: SqlDialect, rows: NewTaskRow[]): Promise<number[]> {
  const ids: number[] = [];
  // Multi-row inserts in chunks keep big batches fast without hitting parameter limits.
  const per = 10;
  const CHUNK = 50;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const params: unknown[] = [];
    const values = chunk.map((r, j) => {
      const runAt = Math.max(r.notBefore, r.created);
      params.push(r.type, r.dataJson, r.auxdataJson, r.priority, r.created, r.notBefore, r.created, runAt, r.timeout, r.metadataJson ?? null);
      const b = j * per;
      return `($${b + 1}, 'pending', $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}, $${b + 10})`;
    });
    const got = await db.query<{ id: number | string }>(
      `INSERT INTO ${T} (type, state, data, auxdata, priority, created, notbefore, nextattempt, runat, timeout, metadata) VALUES ${values.join(", ")} RETURNING id`,
      params,
    );
    // RETURNING order follows VALUES order on both databases for a single INSERT; sort to be safe.
    ids.push(...got.map((g) => Number(g.id)).sort((a, b) => a - b));
  }
  void d;
  return ids;
}

export async function claim(db: SqlExecutor, d: SqlDialect, req: ClaimRequest, tokenPrefix: string): Promise<ClaimedTask[]> {
  if (req.types.length === 0 || req.limit <= 0) return [];
  const rows = await db.query<Record<string, unknown>>(
    `UPDATE ${T} SET state = 'running', lease_owner = $1, lease_token = $2 || CAST(id AS TEXT), lease_expires = ${d.nowMs} + $3, started = $4
     WHERE id IN (
       SELECT id FROM ${d.claimSource}
       WHERE state = 'pending' AND runat <= $4 AND ${d.inList("type", "$5", "text")}
       ORDER BY priority, runat, id
       LIMIT $6 ${d.skipLocked}
     )
     RETURNING ${CLAIM_COLUMNS}`,
    [req.owner, tokenPrefix, req.leaseMs, req.now, d.listParam(req.types), req.limit],
  );
  return rows
    .map(
      (r): ClaimedTask => ({
        id: Number(r.id),
        type: String(r.type),
        data: fromJsonText(r.data as string),
        auxdata: fromJsonText(r.auxdata as string | null),
        priority: Number(r.priority),
        timeout: r.timeout === null ? null : Number(r.timeout),
        failures: Number(r.failures),
        iterations: Number(r.iterations),
        leaseToken: String(r.lease_token),
        runAt: Number(r.runat),
      }),
    )
    .sort((a, b) => a.priority - b.priority || a.runAt - b.runAt || a.id - b.id);
}

/** Locks the run's row (PostgreSQL: FOR UPDATE) and checks the lease is still ours. */
export async function lockRun(db: SqlExecutor, d: SqlDialect, id: number, leaseToken: string): Promise<boolean> {
  const rows = await db.query(`SELECT id FROM ${T} WHERE id = $1 AND lease_token = $2 AND state = 'running' ${d.forUpdate}`, [id, leaseToken]);
  return rows.length > 0;
}

export async function finishRun(db: SqlExecutor, d: SqlDialect, f: RunFinish, now: number): Promise<FinishOutcome> {
  // Fast path: a completion needs nothing from the row but its lease.
  if (f.resolution.kind === "completed") {
    const done = await db.execute(
      `UPDATE ${T} SET state = 'finished', outcome = 'completed', finished = $3, iterations = iterations + 1, result = $4,
         lasterror = NULL, laststack = NULL, lease_owner = NULL, lease_token = NULL, lease_expires = NULL
       WHERE id = $1 AND lease_token = $2 AND state = 'running'`,
      [f.id, f.leaseToken, now, JSON.stringify(f.resolution.result ?? null)],
    );
    return done.changes ? { id: f.id, applied: true, state: "finished", outcome: "completed" } : { id: f.id, applied: false };
  }
  const rows = await db.query<{ failures: number; iterations: number; cancel_requested: number }>(
    `SELECT failures, iterations, cancel_requested FROM ${T} WHERE id = $1 AND lease_token = $2 AND state = 'running' ${d.forUpdate}`,
    [f.id, f.leaseToken],
  );
  if (!rows.length) return { id: f.id, applied: false };
  const row = rows[0]!;
  let end = endOfRun({ failures: Number(row.failures), iterations: Number(row.iterations) }, f.resolution, f.policy, now);
  // A cancel requested while the task ran wins over running it again.
  if (Number(row.cancel_requested) && end.state === "pending") {
    end = { ...end, state: "finished", outcome: "cancelled", finished: now, nextAttempt: null, error: { message: "Task was cancelled" } };
  }
  const sets = ["state = $3", "outcome = $4", "finished = $5", "failures = $6", "iterations = $7", "lease_owner = NULL", "lease_token = NULL", "lease_expires = NULL"];
  const params: unknown[] = [f.id, f.leaseToken, end.state, end.outcome, end.finished, end.failures, end.iterations];
  const add = (col: string, value: unknown) => {
    params.push(value);
    sets.push(`${col} = $${params.length}`);
  };
  if (end.nextAttempt !== null) {
    add("nextattempt", end.nextAttempt);
    sets.push(`runat = ${d.greatest("notbefore", `$${params.length}`)}`);
  }
  if (end.result) add("result", JSON.stringify(end.result.value ?? null));
  if (end.data) add("data", JSON.stringify(end.data.value ?? null));
  if (end.auxdata) add("auxdata", end.auxdata.value === null || end.auxdata.value === undefined ? null : JSON.stringify(end.auxdata.value));
  if (end.error) {
    add("lasterror", end.error.message);
    add("laststack", end.error.stack ?? null);
  } else {
    // A restart is progress (WebHare clears lasterrors, as on completion); the history stays.
    add("lasterror", null);
    add("laststack", null);
  }
  await db.execute(`UPDATE ${T} SET ${sets.join(", ")} WHERE id = $1 AND lease_token = $2`, params);
  if (end.error) await recordError(db, f.id, { at: now, error: end.error.message, ...(end.error.stack ? { stack: end.error.stack } : {}) });
  return { id: f.id, applied: true, state: end.state, outcome: end.outcome };
}

async function recordError(db: SqlExecutor, id: number, e: TaskErrorEntry): Promise<void> {
  await db.execute(`INSERT INTO modtasks_task_errors (taskid, at, error, stack) VALUES ($1, $2, $3, $4)`, [id, e.at, e.error, e.stack ?? null]);
}

/**
 * Moves lease_expires on for this owner's running tasks. Only informational: whether a run is
 * still owned is decided by its owner's node heartbeat (deadOwners), never by this column. It
 * skips rows that are locked, which is what a run's own open transaction does to its row: a
 * renewal that waited for those would stall the heartbeat behind a long-running task.
 */
export async function renewLeases(db: SqlExecutor, d: SqlDialect, owner: string, leaseMs: number): Promise<number> {
  const r = await db.execute(
    `UPDATE ${T} SET lease_expires = ${d.nowMs} + $2
     WHERE id IN (SELECT id FROM ${T} WHERE state = 'running' AND lease_owner = $1 ${d.skipLocked})`,
    [owner, leaseMs],
  );
  return r.changes;
}

/** Gives claimed runs that never started back to pending, as if never claimed (see QueueStore.releaseRuns). */
export async function releaseRuns(db: SqlExecutor, leases: readonly { id: number; leaseToken: string }[]): Promise<number> {
  let n = 0;
  for (const l of leases) {
    const r = await db.execute(
      `UPDATE ${T} SET state = 'pending', lease_owner = NULL, lease_token = NULL, lease_expires = NULL
       WHERE id = $1 AND lease_token = $2 AND state = 'running' AND cancel_requested = 0`,
      [l.id, l.leaseToken],
    );
    n += r.changes;
  }
  return n;
}

/** Which runs recoverLeases takes back. */
export interface RecoverRequest {
  /** Lease owners (runtime instances) that can no longer finish their runs. */
  deadOwners: readonly string[];
  /** Recorded as the time of the lost run (default: now). */
  now?: number;
  /**
   * Only runs whose owner still has no node row with a heartbeat within this many ms (by the
   * database's clock), checked in the same statement: an owner that came back between the
   * caller's look and this statement keeps its runs.
   */
  staleAfterMs?: number;
}

/**
 * Takes back the runs of owners that are gone. Their tasks run again at once: a runtime that
 * died is not the task's failure, so the failure count and backoff are untouched, but the lost
 * run is recorded in the error history. A cancel that was requested meanwhile finishes the task
 * as cancelled instead. Rows locked by a run's open transaction are skipped: that run could
 * still commit, so its task is not taken until the run's session is gone (fenceOwners).
 */
export async function recoverLeases(db: SqlExecutor, d: SqlDialect, opts: RecoverRequest): Promise<number[]> {
  if (!opts.deadOwners.length) return [];
  const now = opts.now ?? Date.now();
  const params: unknown[] = [d.listParam(opts.deadOwners), now];
  let stillDead = "";
  if (opts.staleAfterMs !== undefined) {
    params.push(opts.staleAfterMs);
    stillDead = `AND NOT EXISTS (SELECT 1 FROM modtasks_nodes n WHERE n.instance = t.lease_owner AND n.heartbeat >= ${d.nowMs} - $3)`;
  }
  const rows = await db.query<{ id: number | string; cancel_requested: number }>(
    `UPDATE ${T} SET
       state = CASE WHEN cancel_requested = 1 THEN 'finished' ELSE 'pending' END,
       outcome = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE NULL END,
       finished = CASE WHEN cancel_requested = 1 THEN CAST($2 AS BIGINT) ELSE NULL END,
       iterations = iterations + 1,
       lease_owner = NULL, lease_token = NULL, lease_expires = NULL
     WHERE id IN (SELECT t.id FROM ${T} t WHERE t.state = 'running' AND ${d.inList("t.lease_owner", "$1", "text")} ${stillDead} ${d.skipLocked})
     RETURNING id, cancel_requested`,
    params,
  );
  for (const r of rows) {
    await recordError(db, Number(r.id), { at: now, error: Number(r.cancel_requested) ? "Task was cancelled" : "The runtime that was running this task stopped; the task runs again" });
  }
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/**
 * Owners that are gone: a runtime instance is alive exactly while its node row exists and its
 * heartbeat is younger than `staleAfterMs` by the database's clock. Looked at: owners of running
 * tasks and scheduled runs, and every registered node. The node row is written only by its own
 * heartbeat (never locked by tasks), so a live node with busy tasks never looks dead.
 */
export async function deadOwners(db: SqlExecutor, d: SqlDialect, staleAfterMs: number): Promise<string[]> {
  const rows = await db.query<{ o: string }>(
    `SELECT o FROM (
       SELECT lease_owner AS o FROM ${T} WHERE state = 'running' AND lease_owner IS NOT NULL
       UNION SELECT runner AS o FROM modtasks_timed WHERE running_since IS NOT NULL AND runner IS NOT NULL
       UNION SELECT instance AS o FROM modtasks_nodes
     ) owners
     WHERE NOT EXISTS (SELECT 1 FROM modtasks_nodes n WHERE n.instance = owners.o AND n.heartbeat >= ${d.nowMs} - $1)
     ORDER BY o`,
    [staleAfterMs],
  );
  return rows.map((r) => r.o);
}

/** A running task leased to an owner, as the owner's reconciliation sees it. */
export interface OwnedRun {
  id: number;
  leaseToken: string;
  /** When it was claimed, by the claimer's clock. */
  started: number;
  cancelRequested: boolean;
}

export async function ownedRuns(db: SqlExecutor, owner: string): Promise<OwnedRun[]> {
  const rows = await db.query<{ id: number | string; lease_token: string; started: number | string | null; cancel_requested: number }>(
    `SELECT id, lease_token, started, cancel_requested FROM ${T} WHERE state = 'running' AND lease_owner = $1 ORDER BY id`,
    [owner],
  );
  return rows.map((r) => ({ id: Number(r.id), leaseToken: String(r.lease_token), started: Number(r.started ?? 0), cancelRequested: Number(r.cancel_requested) === 1 }));
}

export async function nextRunAt(db: SqlExecutor, d: SqlDialect, types: readonly string[]): Promise<number | undefined> {
  if (!types.length) return undefined;
  const rows = await db.query<{ m: number | string | null }>(`SELECT MIN(runat) AS m FROM ${T} WHERE state = 'pending' AND ${d.inList("type", "$1", "text")}`, [d.listParam(types)]);
  const m = rows[0]?.m;
  return m === null || m === undefined ? undefined : Number(m);
}

const RECORD_COLUMNS =
  "id, type, state, outcome, data, auxdata, priority, created, notbefore, nextattempt, runat, timeout, failures, iterations, lasterror, laststack, result, finished, started, lease_owner, lease_token, lease_expires, cancel_requested, metadata";

function toRecord(r: Record<string, unknown>, errors: TaskErrorEntry[]): TaskRecord {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(r.id),
    type: String(r.type),
    state: r.state as TaskState,
    outcome: (r.outcome as TaskRecord["outcome"]) ?? null,
    data: fromJsonText(r.data as string),
    auxdata: fromJsonText(r.auxdata as string | null),
    priority: Number(r.priority),
    created: Number(r.created),
    notBefore: Number(r.notbefore),
    nextAttempt: Number(r.nextattempt),
    runAt: Number(r.runat),
    timeout: num(r.timeout),
    failures: Number(r.failures),
    iterations: Number(r.iterations),
    lastError: (r.lasterror as string | null) ?? null,
    lastStack: (r.laststack as string | null) ?? null,
    errors,
    result: fromJsonText(r.result as string | null),
    finished: num(r.finished),
    started: num(r.started),
    leaseOwner: (r.lease_owner as string | null) ?? null,
    leaseToken: (r.lease_token as string | null) ?? null,
    leaseExpires: num(r.lease_expires),
    cancelRequested: Number(r.cancel_requested) === 1,
    metadata: fromJsonText(r.metadata as string | null) as Record<string, unknown> | null,
  };
}

export async function describe(db: SqlExecutor, id: number): Promise<TaskRecord | undefined> {
  const rows = await db.query<Record<string, unknown>>(`SELECT ${RECORD_COLUMNS} FROM ${T} WHERE id = $1`, [id]);
  if (!rows.length) return undefined;
  const errs = await db.query<{ at: number; error: string; stack: string | null }>(
    `SELECT at, error, stack FROM modtasks_task_errors WHERE taskid = $1 ORDER BY at DESC LIMIT ${MAX_ERROR_HISTORY}`,
    [id],
  );
  return toRecord(
    rows[0]!,
    errs.reverse().map((e) => ({ at: Number(e.at), error: e.error, ...(e.stack ? { stack: e.stack } : {}) })),
  );
}

/** `*` and `?` wildcards of a type mask as a LIKE pattern (with `\` escaping). */
export function likePattern(mask: string): string {
  return mask.replace(/[\\%_]/g, (c) => "\\" + c).replace(/\*/g, "%").replace(/\?/g, "_");
}

export async function list(db: SqlExecutor, opts: ListTasksOptions): Promise<TaskRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (opts.typeMask && opts.typeMask !== "*") where.push(`type LIKE ${p(likePattern(opts.typeMask))} ESCAPE '\\'`);
  if (opts.createdAfter !== undefined) where.push(`created > ${p(opts.createdAfter)}`);
  if (opts.onlyPending) where.push(`state <> 'finished'`);
  switch (opts.state) {
    case undefined:
      break;
    case "pending":
      where.push(`state = 'pending' AND failures = 0`);
      break;
    case "retrying":
      where.push(`state = 'pending' AND failures > 0`);
      break;
    case "running":
      where.push(`state = 'running'`);
      break;
    case "finished":
      where.push(`state = 'finished'`);
      break;
    case "failed":
    case "completed":
    case "cancelled":
      where.push(`state = 'finished' AND outcome = ${p(opts.state)}`);
      break;
    case "stuck": {
      const now = Date.now();
      where.push(`state <> 'finished' AND created < ${p(now - STUCK_AFTER_MS)} AND notbefore <= ${p(now)}`);
      break;
    }
  }
  const limit = Math.max(1, Math.min(opts.limit ?? 1000, 100000));
  const rows = await db.query<Record<string, unknown>>(
    `SELECT ${RECORD_COLUMNS} FROM ${T} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ${limit}`,
    params,
  );
  return rows.map((r) => toRecord(r, []));
}

export async function counts(db: SqlExecutor): Promise<QueueCounts> {
  const rows = await db.query<Record<string, number | string | null>>(
    `SELECT
       SUM(CASE WHEN state = 'pending' AND failures = 0 THEN 1 ELSE 0 END) AS pending,
       SUM(CASE WHEN state = 'pending' AND failures > 0 THEN 1 ELSE 0 END) AS retrying,
       SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END) AS running,
       SUM(CASE WHEN state = 'finished' AND outcome = 'failed' THEN 1 ELSE 0 END) AS failed,
       SUM(CASE WHEN state = 'finished' AND outcome = 'completed' THEN 1 ELSE 0 END) AS completed,
       SUM(CASE WHEN state = 'finished' AND outcome = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
       SUM(CASE WHEN state <> 'finished' AND created < $1 AND notbefore <= $2 THEN 1 ELSE 0 END) AS stuck
     FROM ${T}`,
    [Date.now() - STUCK_AFTER_MS, Date.now()],
  );
  const r = rows[0] ?? {};
  const n = (k: string) => Number(r[k] ?? 0);
  return { pending: n("pending"), running: n("running"), retrying: n("retrying"), failed: n("failed"), completed: n("completed"), cancelled: n("cancelled"), stuck: n("stuck") };
}

export async function retry(db: SqlExecutor, d: SqlDialect, ids: readonly number[], now: number): Promise<number> {
  if (!ids.length) return 0;
  const r = await db.execute(
    `UPDATE ${T} SET nextattempt = $2, runat = ${d.greatest("notbefore", "$2")} WHERE state = 'pending' AND ${d.inList("id", "$1", "bigint")}`,
    [d.listParam(ids), now],
  );
  return r.changes;
}

export async function requestCancel(db: SqlExecutor, d: SqlDialect, id: number, now: number, error: string): Promise<"cancelled" | "requested" | "finished" | "missing"> {
  const rows = await db.query<{ state: TaskState }>(`SELECT state FROM ${T} WHERE id = $1 ${d.forUpdate}`, [id]);
  if (!rows.length) return "missing";
  const state = rows[0]!.state;
  if (state === "finished") return "finished";
  if (state === "running") {
    await db.execute(`UPDATE ${T} SET cancel_requested = 1 WHERE id = $1`, [id]);
    return "requested";
  }
  await db.execute(`UPDATE ${T} SET state = 'finished', outcome = 'cancelled', finished = $2, lasterror = $3, cancel_requested = 1 WHERE id = $1`, [id, now, error]);
  await recordError(db, id, { at: now, error });
  return "cancelled";
}

export async function finishCancelled(db: SqlExecutor, id: number, leaseToken: string | null, now: number, error: string): Promise<boolean> {
  const r = await db.execute(
    `UPDATE ${T} SET state = 'finished', outcome = 'cancelled', finished = $2, lasterror = $3, iterations = iterations + 1,
       lease_owner = NULL, lease_token = NULL, lease_expires = NULL
     WHERE id = $1 AND state = 'running' AND (CAST($4 AS TEXT) IS NULL OR lease_token = CAST($4 AS TEXT))`,
    [id, now, error, leaseToken],
  );
  if (r.changes) await recordError(db, id, { at: now, error });
  return r.changes > 0;
}

export async function remove(db: SqlExecutor, id: number): Promise<boolean> {
  await db.execute(`DELETE FROM modtasks_task_errors WHERE taskid = $1`, [id]);
  const r = await db.execute(`DELETE FROM ${T} WHERE id = $1`, [id]);
  return r.changes > 0;
}

export async function setMetadata(db: SqlExecutor, id: number, metadata: Record<string, unknown> | null): Promise<boolean> {
  const r = await db.execute(`UPDATE ${T} SET metadata = $2 WHERE id = $1`, [id, metadata === null ? null : JSON.stringify(metadata)]);
  return r.changes > 0;
}

export async function rescheduleFinished(db: SqlExecutor, id: number, now: number): Promise<number | undefined> {
  const rows = await db.query<{ id: number | string }>(
    `INSERT INTO ${T} (type, state, data, auxdata, priority, created, notbefore, nextattempt, runat, timeout, metadata)
     SELECT type, 'pending', data, auxdata, priority, CAST($2 AS BIGINT), 0, CAST($2 AS BIGINT), CAST($2 AS BIGINT), timeout, metadata FROM ${T} WHERE id = $1 AND state = 'finished'
     RETURNING id`,
    [id, now],
  );
  return rows.length ? Number(rows[0]!.id) : undefined;
}

export async function purgeFinished(db: SqlExecutor, before: number): Promise<number> {
  await db.execute(`DELETE FROM modtasks_task_errors WHERE taskid IN (SELECT id FROM ${T} WHERE state = 'finished' AND finished < $1)`, [before]);
  const r = await db.execute(`DELETE FROM ${T} WHERE state = 'finished' AND finished < $1`, [before]);
  return r.changes;
}

export async function getSetting(db: SqlExecutor, key: string): Promise<string | undefined> {
  const rows = await db.query<{ value: string }>(`SELECT value FROM modtasks_meta WHERE key = $1`, [key]);
  return rows[0]?.value;
}

export async function setSetting(db: SqlExecutor, key: string, value: string): Promise<void> {
  await db.execute(`INSERT INTO modtasks_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, value]);
}

/** Running tasks of this owner that someone asked to cancel (the owner kills their workers). */
export async function cancelRequestedRuns(db: SqlExecutor, owner: string): Promise<number[]> {
  const rows = await db.query<{ id: number | string }>(`SELECT id FROM ${T} WHERE state = 'running' AND lease_owner = $1 AND cancel_requested = 1`, [owner]);
  return rows.map((r) => Number(r.id));
}

/** What a runtime instance registers in the database (one row per node name). */
export interface NodeRegistration {
  name: string;
  instance: string;
  host: string;
  pid: number;
  started: number;
  info: Record<string, unknown>;
}

/** A registered node as read back. */
export interface NodeRow extends NodeRegistration {
  /** Last heartbeat, by the database's clock. */
  heartbeat: number;
  /** Milliseconds since the last heartbeat, by the database's clock (compare this, not heartbeat with a local clock). */
  age: number;
}

export async function listNodes(db: SqlExecutor, d: SqlDialect): Promise<NodeRow[]> {
  const rows = await db.query<Record<string, unknown>>(`SELECT name, instance, host, pid, started, heartbeat, ${d.nowMs} - heartbeat AS age, info FROM modtasks_nodes ORDER BY name`);
  return rows.map((r) => ({
    name: String(r.name),
    instance: String(r.instance),
    host: String(r.host),
    pid: Number(r.pid),
    started: Number(r.started),
    heartbeat: Number(r.heartbeat),
    age: Number(r.age),
    info: (fromJsonText(r.info as string | null) as Record<string, unknown>) ?? {},
  }));
}

export async function upsertNode(db: SqlExecutor, d: SqlDialect, n: NodeRegistration): Promise<void> {
  await db.execute(
    `INSERT INTO modtasks_nodes (name, instance, host, pid, started, heartbeat, info) VALUES ($1, $2, $3, $4, $5, ${d.nowMs}, $6)
     ON CONFLICT (name) DO UPDATE SET instance = excluded.instance, host = excluded.host, pid = excluded.pid,
       started = excluded.started, heartbeat = excluded.heartbeat, info = excluded.info`,
    [n.name, n.instance, n.host, n.pid, n.started, JSON.stringify(n.info)],
  );
}

/** Beats for this instance (database clock); 0 changes means another instance took the name over. */
export async function heartbeatNode(db: SqlExecutor, d: SqlDialect, name: string, instance: string, info: Record<string, unknown>): Promise<number> {
  const r = await db.execute(`UPDATE modtasks_nodes SET heartbeat = ${d.nowMs}, info = $3 WHERE name = $1 AND instance = $2`, [name, instance, JSON.stringify(info)]);
  return r.changes;
}

export async function removeNode(db: SqlExecutor, name: string, instance: string): Promise<void> {
  await db.execute(`DELETE FROM modtasks_nodes WHERE name = $1 AND instance = $2`, [name, instance]);
}
