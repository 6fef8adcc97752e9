import { randomBytes } from "node:crypto";

/**
 * PostgreSQL for tests: the machine's server (CI starts it), a fresh database per test file so
 * runs never see each other's rows. Override the server with MODTASKS_TEST_PG_URL.
 */
const BASE = process.env.MODTASKS_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export async function freshPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require("pg") as typeof import("pg");
  const name = `modtasks_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: BASE });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(`PostgreSQL is not reachable at ${BASE} (start it: pg_ctlcluster 15 main start): ${(e as Error).message}`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(BASE);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: BASE });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
