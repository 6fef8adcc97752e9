import { join } from "node:path";
import type { DbConfig } from "../../runtime/src/queue/open-store";
import { freshPgDatabase } from "./pg";
import { tempDir } from "./tmp";

/** The two databases every queue behaviour must hold on (the conformance matrix). */
export interface DbUnderTest {
  name: "sqlite" | "postgres";
  /** A fresh, empty database for one test file. */
  create(): Promise<{ db: DbConfig; url: string; cleanup: () => Promise<void> }>;
}

export const DATABASES: DbUnderTest[] = [
  {
    name: "sqlite",
    async create() {
      const dir = tempDir("mtdb");
      const path = join(dir.path, "tasks.db");
      return { db: { kind: "sqlite", path }, url: `sqlite:${path}`, cleanup: async () => dir.cleanup() };
    },
  },
  {
    name: "postgres",
    async create() {
      const pg = await freshPgDatabase();
      return { db: { kind: "postgres", url: pg.url }, url: pg.url, cleanup: pg.drop };
    },
  },
];
