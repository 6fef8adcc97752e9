import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { AsyncMutex } from "./async-mutex";
import { migrateSchema } from "./schema";
import { sqliteDialect } from "./sql-dialect";
import { SqlQueueStore } from "./sql-queue-store";
import type { SqlExecutor } from "./store";

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

/**
 * The embedded default: one SQLite file in WAL mode. Every process (runtime, workers, app code)
 * opens its own connection; SQLite serialises writers, so a claim needs no row locks, and a
 * crashed process's open transaction is rolled back by SQLite itself.
 */
export class SqliteStore extends SqlQueueStore {
  readonly kind = "sqlite" as const;
  readonly notifies = false;
  private readonly db: Database;
  private readonly mutex = new AsyncMutex();
  private readonly statements = new Map<string, Statement>();
  private readonly lockWaitMs: number;
  private closed = false;

  constructor(
    readonly location: string,
    opts: { lockWaitMs?: number } = {},
  ) {
    super(sqliteDialect);
    this.lockWaitMs = opts.lockWaitMs ?? 60_000;
    if (location !== ":memory:") mkdirSync(dirname(location), { recursive: true });
    // Loaded lazily so that code paths which never touch SQLite (the language server bundle,
    // `modtasks check`) never load the native module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ctor = require("better-sqlite3") as typeof BetterSqlite3;
    // A short busy timeout: better-sqlite3 waits synchronously, which would freeze this
    // process's event loop (IPC, timers, heartbeats) while another process holds the write
    // lock. We wait for the lock asynchronously instead (beginImmediate).
    this.db = new Ctor(location, { timeout: 5 });
    this.db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a commit survives a process crash (our failure model); only an OS
    // crash or power loss may lose the last transactions. FULL costs an fsync per commit.
    this.db.pragma("synchronous = NORMAL");
  }

  /** One machine: a dead runtime's orphaned workers are killed by pid (NodeMembership) instead. */
  async fenceOwners(): Promise<number> {
    return 0;
  }

  /** SQLite cannot reach other processes; its runtime is woken over the control socket. */
  async listen(): Promise<() => void> {
    return () => {};
  }

  private readonly exec: SqlExecutor = {
    query: async <R>(sql: string, params?: readonly unknown[]) => this.runQuery(sql, params) as R[],
    execute: async (sql: string, params?: readonly unknown[]) => this.runExecute(sql, params),
  };

  private prepare(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, s);
    }
    return s;
  }

  private runQuery(sql: string, params?: readonly unknown[]): unknown[] {
    this.assertOpen();
    const s = this.prepare(sql);
    const bound = bindParams(params);
    if (s.reader) return bound ? s.all(bound) : s.all();
    if (bound) s.run(bound);
    else s.run();
    return [];
  }

  private runExecute(sql: string, params?: readonly unknown[]): { changes: number } {
    this.assertOpen();
    const s = this.prepare(sql);
    const bound = bindParams(params);
    if (s.reader) {
      // A statement that returns rows (e.g. with RETURNING) still counts its changes.
      const rows = bound ? s.all(bound) : s.all();
      return { changes: rows.length };
    }
    const r = bound ? s.run(bound) : s.run();
    return { changes: r.changes };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the task database ${this.location} is closed`);
  }

  async migrate(): Promise<void> {
    await this.inTransaction((db) => migrateSchema(db, sqliteDialect));
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => {
      if (!this.closed) {
        this.closed = true;
        this.db.close();
      }
    });
  }

  protected inTransaction<T>(fn: (exec: SqlExecutor, afterCommit: (cb: () => void) => void) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      this.assertOpen();
      const callbacks: (() => void)[] = [];
      await this.beginImmediate();
      let result: T;
      try {
        result = await fn(this.exec, (cb) => void callbacks.push(cb));
        this.prepare("COMMIT").run();
      } catch (e) {
        if (this.db.inTransaction) this.prepare("ROLLBACK").run();
        throw e;
      }
      for (const cb of callbacks) cb();
      return result;
    });
  }

  protected read<T>(fn: (db: SqlExecutor) => Promise<T>): Promise<T> {
    return this.mutex.run(() => fn(this.exec));
  }

  /** Takes the write lock, waiting without blocking the event loop while another process holds it. */
  private async beginImmediate(): Promise<void> {
    const deadline = Date.now() + this.lockWaitMs;
    let delay = 1;
    for (;;) {
      try {
        this.prepare("BEGIN IMMEDIATE").run();
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== "SQLITE_BUSY") throw e;
        if (Date.now() >= deadline) throw new Error(`the task database ${this.location} stayed locked by another process for ${this.lockWaitMs} ms`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 25);
      }
    }
  }
}

/**
 * Both databases take `$1, $2, ...`. SQLite treats `$1` as a parameter named "1", which
 * better-sqlite3 binds from an object keyed by the number. Booleans become 1/0 and Dates ISO
 * text, since SQLite has neither type.
 */
function bindParams(params: readonly unknown[] | undefined): Record<string, unknown> | undefined {
  if (!params || params.length === 0) return undefined;
  const o: Record<string, unknown> = {};
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    o[i + 1] = v === undefined ? null : typeof v === "boolean" ? (v ? 1 : 0) : v instanceof Date ? v.toISOString() : v;
  }
  return o;
}
