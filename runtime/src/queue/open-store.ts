import type { QueueStore } from "./store";
import type { DbConfig } from "./db-config";

// Driver-free parts live in db-config.ts (the extension bundles them); re-exported here.
export { type DbConfig, describeDb, parseDbUrl, sessionName } from "./db-config";

export interface OpenStoreOptions {
  /** Apply pending schema migrations (default true; workers leave that to their runtime). */
  migrate?: boolean;
  /** PostgreSQL: names this process's sessions, so a dead node's sessions can be fenced off. */
  applicationName?: string;
  /** PostgreSQL: fail a statement that gets no answer in this time (a half-open connection). */
  queryTimeoutMs?: number;
  /** PostgreSQL: connections in the pool. */
  poolSize?: number;
}

/** Opens (and migrates) the store. Drivers load lazily: only the one in use is required. */
export async function openStore(c: DbConfig, opts: OpenStoreOptions = {}): Promise<QueueStore> {
  let store: QueueStore;
  if (c.kind === "sqlite") {
    const { SqliteStore } = await import("./sqlite-store");
    store = new SqliteStore(c.path);
  } else {
    const { PostgresStore } = await import("./postgres-store");
    store = new PostgresStore(c.url, {
      ...(opts.applicationName ? { applicationName: opts.applicationName } : {}),
      ...(opts.queryTimeoutMs ? { queryTimeoutMs: opts.queryTimeoutMs } : {}),
      ...(opts.poolSize ? { max: opts.poolSize } : {}),
    });
  }
  if (opts.migrate !== false) {
    try {
      await store.migrate();
    } catch (e) {
      await store.close().catch(() => {});
      throw e;
    }
  }
  return store;
}
