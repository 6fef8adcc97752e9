import type { SqlDialect } from "./sql-dialect";
import type { SqlExecutor } from "./store";

/**
 * Versioned schema migrations, shared by both databases. Each entry runs once, in order, inside
 * the migrating transaction; the version is kept in modtasks_meta. Times are epoch milliseconds
 * (BIGINT) and JSON is TEXT on both databases, so values read back identically everywhere.
 */
export const migrations: ((d: SqlDialect) => string[])[] = [
  // 1: the queue, its error history, runtime nodes
  (d) => [
    `CREATE TABLE IF NOT EXISTS modtasks_tasks (
      ${d.idColumn},
      type TEXT NOT NULL,
      state TEXT NOT NULL,
      outcome TEXT,
      data TEXT NOT NULL,
      auxdata TEXT,
      priority INTEGER NOT NULL DEFAULT 0,
      created BIGINT NOT NULL,
      notbefore BIGINT NOT NULL DEFAULT 0,
      nextattempt BIGINT NOT NULL,
      runat BIGINT NOT NULL,
      timeout BIGINT,
      failures INTEGER NOT NULL DEFAULT 0,
      iterations INTEGER NOT NULL DEFAULT 0,
      lasterror TEXT,
      laststack TEXT,
      result TEXT,
      finished BIGINT,
      started BIGINT,
      lease_owner TEXT,
      lease_token TEXT,
      lease_expires BIGINT,
      cancel_requested INTEGER NOT NULL DEFAULT 0,
      metadata TEXT
    )`,
    // The claim order: priority, then runAt, then id, over pending rows only.
    `CREATE INDEX IF NOT EXISTS modtasks_tasks_runnable ON modtasks_tasks (priority, runat, id) WHERE state = 'pending'`,
    `CREATE INDEX IF NOT EXISTS modtasks_tasks_running ON modtasks_tasks (lease_expires) WHERE state = 'running'`,
    `CREATE INDEX IF NOT EXISTS modtasks_tasks_finished ON modtasks_tasks (finished) WHERE state = 'finished'`,
    // When the next pending task becomes due (the dispatcher's timer); also keeps SQLite's
    // planner on the runnable index for claims instead of sorting by type.
    `CREATE INDEX IF NOT EXISTS modtasks_tasks_due ON modtasks_tasks (runat) WHERE state = 'pending'`,
    `CREATE TABLE IF NOT EXISTS modtasks_task_errors (
      taskid BIGINT NOT NULL,
      at BIGINT NOT NULL,
      error TEXT NOT NULL,
      stack TEXT
    )`,
    `CREATE INDEX IF NOT EXISTS modtasks_task_errors_task ON modtasks_task_errors (taskid)`,
    `CREATE TABLE IF NOT EXISTS modtasks_nodes (
      name TEXT PRIMARY KEY,
      instance TEXT NOT NULL,
      host TEXT NOT NULL,
      pid INTEGER NOT NULL,
      started BIGINT NOT NULL,
      heartbeat BIGINT NOT NULL,
      info TEXT
    )`,
    // Declared task types, written by every runtime that loads modules, so application code
    // can validate `module:type` without parsing module definitions itself.
    `CREATE TABLE IF NOT EXISTS modtasks_types (
      name TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      info TEXT NOT NULL,
      updated BIGINT NOT NULL
    )`,
  ],
  // 2: scheduled (<task>) state per tag, shared by every node so each occurrence runs once
  () => [
    `CREATE TABLE IF NOT EXISTS modtasks_timed (
      name TEXT PRIMARY KEY,
      schedule TEXT NOT NULL,
      next BIGINT,
      enabled INTEGER NOT NULL DEFAULT 1,
      running_since BIGINT,
      runner TEXT,
      run_expires BIGINT,
      last_start BIGINT,
      last_end BIGINT,
      last_ok INTEGER,
      last_error TEXT,
      last_output TEXT,
      last_exit INTEGER,
      runs INTEGER NOT NULL DEFAULT 0
    )`,
  ],
  // 3: distributed (Prudence) tasks: farmed out to nodes through the database
  (d) => [
    `CREATE TABLE IF NOT EXISTS modtasks_distributed (
      ${d.idColumn},
      batch TEXT NOT NULL,
      targets TEXT,
      module TEXT NOT NULL,
      document TEXT,
      entry_point TEXT,
      code TEXT,
      context TEXT,
      state TEXT NOT NULL,
      claimed_by TEXT,
      node TEXT,
      result TEXT,
      error TEXT,
      created BIGINT NOT NULL,
      finished BIGINT
    )`,
    `CREATE INDEX IF NOT EXISTS modtasks_distributed_pending ON modtasks_distributed (id) WHERE state = 'pending'`,
    `CREATE INDEX IF NOT EXISTS modtasks_distributed_batch ON modtasks_distributed (batch)`,
  ],
  // 4: ephemeral tasks handed to other nodes of a cluster (the caller's node delivers the result)
  (d) => [
    `CREATE TABLE IF NOT EXISTS modtasks_ephemeral (
      ${d.idColumn},
      type TEXT NOT NULL,
      data TEXT NOT NULL,
      options TEXT,
      caller TEXT NOT NULL,
      state TEXT NOT NULL,
      runner TEXT,
      result TEXT,
      error TEXT,
      created BIGINT NOT NULL,
      finished BIGINT
    )`,
    `CREATE INDEX IF NOT EXISTS modtasks_ephemeral_pending ON modtasks_ephemeral (id) WHERE state = 'pending'`,
  ],
  // 5: scheduled tasks: a run asked for by hand (runs once even when the tag is disabled), a
  // number per claimed run (a waiter on one node recognises its run when another node ran it),
  // and the stderr of a run that exited 0 (WebHare: a warning)
  () => [
    `ALTER TABLE modtasks_timed ADD COLUMN manual_next BIGINT`,
    `ALTER TABLE modtasks_timed ADD COLUMN run_seq BIGINT NOT NULL DEFAULT 0`,
    `ALTER TABLE modtasks_timed ADD COLUMN last_warning TEXT`,
  ],
];

export const SCHEMA_VERSION = migrations.length;

export const META_TABLE = `CREATE TABLE IF NOT EXISTS modtasks_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`;

/** Applies the migrations this database has not seen. Call inside a write transaction. */
export async function migrateSchema(db: SqlExecutor, dialect: SqlDialect): Promise<number> {
  await db.execute(META_TABLE);
  const rows = await db.query<{ value: string }>(`SELECT value FROM modtasks_meta WHERE key = 'schema_version'`);
  const current = rows.length ? Number(rows[0]!.value) : 0;
  if (current > migrations.length) {
    throw new Error(`this database has schema version ${current}, newer than this modtasks (${migrations.length}); upgrade modtasks`);
  }
  for (let v = current; v < migrations.length; v++) {
    for (const stmt of migrations[v]!(dialect)) await db.execute(stmt);
  }
  if (current !== migrations.length) {
    await db.execute(
      `INSERT INTO modtasks_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [String(migrations.length)],
    );
  }
  return migrations.length - current;
}
