import type { Client, Pool, PoolConfig } from "pg";
import { describeDb, sessionName } from "./db-config";
import { migrateSchema } from "./schema";
import { postgresDialect } from "./sql-dialect";
import { SqlQueueStore } from "./sql-queue-store";
import * as Q from "./queue-sql";
import type { ClaimRequest } from "./store";
import type { ClaimedTask } from "./types";
import type { NotifyChannel, SqlExecutor } from "./store";

/** Any constant works; it only has to be the same on every node (serialises migrations). */
const MIGRATION_LOCK = 0x6d6f6474; // "modt"

/**
 * PostgreSQL storage: the same statements as SQLite (queue-sql.ts); row locks with SKIP LOCKED
 * let many nodes claim from one table without waiting on each other.
 */
export class PostgresStore extends SqlQueueStore {
  readonly kind = "postgres" as const;
  readonly notifies = true;
  private listener: Listener | undefined;
  readonly location: string;
  private readonly pool: Pool;

  constructor(
    readonly url: string,
    opts: { max?: number; applicationName?: string; queryTimeoutMs?: number } = {},
  ) {
    super(postgresDialect);
    this.location = describeDb({ kind: "postgres", url });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pg = require("pg") as typeof import("pg");
    const config: PoolConfig = {
      connectionString: url,
      max: opts.max ?? 4,
      application_name: opts.applicationName ?? "modtasks",
      // Notice dead peers: keepalives on the socket, and no statement waits forever.
      keepAlive: true,
      connectionTimeoutMillis: opts.queryTimeoutMs ?? 10_000,
      ...(opts.queryTimeoutMs ? { query_timeout: opts.queryTimeoutMs } : {}),
      // BIGINT (times in ms, ids) as numbers: both stay far below 2^53.
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) as never,
      },
    };
    this.pool = new pg.Pool(config);
    // An idle client that loses its connection must not crash the process; the next query reconnects.
    this.pool.on("error", () => {});
    // pg-pool listens for a client's 'error' only while the client is idle; one that is checked
    // out and emits 'error' (its session terminated by a node fencing this one, or the network
    // back after a partition delivering the server's goodbye) would kill the process. Whoever
    // holds the client learns of the failure from its next statement (inTransaction keeps the
    // cause); this listener only makes sure an 'error' event is never an unhandled one.
    this.pool.on("connect", (client) => client.on("error", () => {}));
  }

  private executor(c: Pool): SqlExecutor {
    return {
      query: async <R>(sql: string, params?: readonly unknown[]) => (await c.query(sql, params as unknown[])).rows as R[],
      execute: async (sql: string, params?: readonly unknown[]) => ({ changes: (await c.query(sql, params as unknown[])).rowCount ?? 0 }),
    };
  }

  async migrate(): Promise<void> {
    await this.inTransaction(async (db) => {
      // Several nodes may start at once: one migrates, the others wait and then see it done.
      await db.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await migrateSchema(db, postgresDialect);
    });
  }

  /**
   * A claim is one UPDATE … RETURNING: atomic on its own, so it runs without BEGIN/COMMIT —
   * two round trips fewer between a wake-up and a task starting.
   */
  override claim(req: ClaimRequest): Promise<ClaimedTask[]> {
    return this.read((db) => Q.claim(db, postgresDialect, req, this.claimPrefix(req.owner)));
  }

  async fenceOwners(owners: readonly string[]): Promise<number> {
    if (!owners.length) return 0;
    const rows = await this.query<{ n: number }>(
      `SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = ANY($1::text[]) AND pid <> pg_backend_pid()`,
      [owners.map(sessionName)],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async listen(channel: NotifyChannel, fn: (payload: string) => void): Promise<() => void> {
    this.listener ??= new Listener(this.url);
    return this.listener.add(channel, fn);
  }

  async close(): Promise<void> {
    await this.listener?.close();
    await this.pool.end();
  }

  /**
   * One transaction on a client of its own. pg-pool takes its 'error' listener off a client for
   * as long as it is checked out, and a session that dies meanwhile (terminated by another node
   * fencing this one, or the network gone) emits 'error': with no listener that kills the
   * process. So one is attached here; the transaction then fails with a ConnectionLostError at
   * its next statement (or at once, if one is running), and the dead client is discarded.
   */
  protected async inTransaction<T>(fn: (exec: SqlExecutor, afterCommit: (cb: () => void) => void) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let lost: Error | undefined;
    let committing = false;
    const onError = (e: Error) => {
      lost ??= e;
    };
    client.on("error", onError);
    const run = async (sql: string, params?: readonly unknown[]) => {
      if (lost) throw new ConnectionLostError(lost, committing);
      try {
        return await client.query(sql, params as unknown[]);
      } catch (e) {
        throw lost ? new ConnectionLostError(lost, committing) : e;
      }
    };
    const exec: SqlExecutor = {
      query: async <R>(sql: string, params?: readonly unknown[]) => (await run(sql, params)).rows as R[],
      execute: async (sql: string, params?: readonly unknown[]) => ({ changes: (await run(sql, params)).rowCount ?? 0 }),
    };
    const callbacks: (() => void)[] = [];
    let broken = false;
    try {
      await run("BEGIN");
      const result = await fn(exec, (cb) => void callbacks.push(cb));
      committing = true;
      await run("COMMIT");
      for (const cb of callbacks) cb();
      return result;
    } catch (e) {
      if (!lost) {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true; // the connection itself failed: do not return it to the pool
        }
      }
      // (A statement that met the dead session already threw a ConnectionLostError; anything
      // else, such as RunDb's deliberate rollback, passes through as it is.)
      throw e;
    } finally {
      client.removeListener("error", onError);
      client.release(broken || lost !== undefined);
    }
  }

  protected read<T>(fn: (db: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this.executor(this.pool));
  }
}

/**
 * The database session of a transaction died under it (terminated, or the connection dropped).
 * The server rolls back an open transaction when its session ends, so nothing of it was
 * committed, unless the connection died while COMMIT itself was under way.
 */
export class ConnectionLostError extends Error {
  constructor(cause: Error, duringCommit: boolean) {
    super(
      `the database connection was lost during the transaction (${cause.message}); ${duringCommit ? "it may or may not have committed" : "nothing of it was committed"}`,
      { cause },
    );
    this.name = "ConnectionLostError";
  }
}

/**
 * One LISTEN connection per store, shared by all channels. It reconnects after a failure (with
 * backoff) and re-issues its LISTENs; notifications sent while it was down are lost, which is
 * why every consumer also has a slow safety poll.
 */
class Listener {
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private closed = false;
  private retryDelay = 100;

  constructor(private readonly url: string) {}

  async add(channel: string, fn: (payload: string) => void): Promise<() => void> {
    let set = this.handlers.get(channel);
    const isNew = !set;
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(fn);
    await this.ensure();
    if (isNew) await this.client?.query(`LISTEN ${channel}`);
    return () => {
      set!.delete(fn);
    };
  }

  private ensure(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pg = require("pg") as typeof import("pg");
      const c = new pg.Client({ connectionString: this.url, application_name: "modtasks-listen" });
      c.on("notification", (n) => {
        for (const fn of this.handlers.get(n.channel) ?? []) fn(n.payload ?? "");
      });
      c.on("error", () => this.lost(c));
      c.on("end", () => this.lost(c));
      try {
        await c.connect();
        for (const ch of this.handlers.keys()) await c.query(`LISTEN ${ch}`);
        this.client = c;
        this.retryDelay = 100;
      } catch (e) {
        c.end().catch(() => {});
        this.scheduleReconnect();
        throw e;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private lost(c: Client): void {
    if (this.client !== c) return;
    this.client = undefined;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const t = setTimeout(() => this.ensure().catch(() => {}), this.retryDelay);
    t.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, 5000);
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}
