import type { QueueStore } from "../queue/store";

/** One row per node a distributed task goes to (a broadcast has several rows in one batch). */
export interface DistributedRow {
  id: number;
  batch: string;
  /** Node names it may run on; null = any node. */
  targets: string[] | null;
  module: string;
  document: string | null;
  entryPoint: string | null;
  code: string | null;
  context: unknown;
  state: "pending" | "running" | "done" | "failed";
  claimedBy: string | null;
  node: string | null;
  result: unknown;
  error: string | null;
  created: number;
  finished: number | null;
}

const COLS = "id, batch, targets, module, document, entry_point, code, context, state, claimed_by, node, result, error, created, finished";

function toRow(r: Record<string, unknown>): DistributedRow {
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.parse(String(v)));
  return {
    id: Number(r.id),
    batch: String(r.batch),
    targets: json(r.targets) as string[] | null,
    module: String(r.module),
    document: (r.document as string | null) ?? null,
    entryPoint: (r.entry_point as string | null) ?? null,
    code: (r.code as string | null) ?? null,
    context: json(r.context),
    state: r.state as DistributedRow["state"],
    claimedBy: (r.claimed_by as string | null) ?? null,
    node: (r.node as string | null) ?? null,
    result: json(r.result),
    error: (r.error as string | null) ?? null,
    created: Number(r.created),
    finished: r.finished === null || r.finished === undefined ? null : Number(r.finished),
  };
}

export interface NewDistributed {
  batch: string;
  targets: string[] | null;
  module: string;
  document?: string | undefined;
  entryPoint?: string | undefined;
  code?: string | undefined;
  context: unknown;
}

/** The statements of distributed tasks, shared by both databases. */
export class DistributedStore {
  constructor(private readonly store: QueueStore) {}

  async insert(rows: NewDistributed[], now: number): Promise<number[]> {
    return this.store.transaction(async (tx) => {
      const ids: number[] = [];
      for (const r of rows) {
        const got = await tx.query<{ id: number | string }>(
          `INSERT INTO modtasks_distributed (batch, targets, module, document, entry_point, code, context, state, created)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) RETURNING id`,
          [r.batch, r.targets ? JSON.stringify(r.targets) : null, r.module, r.document ?? null, r.entryPoint ?? null, r.code ?? null, JSON.stringify(r.context ?? null), now],
        );
        ids.push(Number(got[0]!.id));
      }
      await tx.notify("modtasks_distributed", "");
      return ids;
    });
  }

  /**
   * Claims pending rows this node may run: untargeted ones, and those whose JSON list of targets
   * holds exactly this node name (compared as JSON strings by the database, not with LIKE, in
   * which `_` and `%` of a name would be wildcards: "web_1" must not take work for "web-1").
   */
  async claim(node: string, owner: string, limit: number): Promise<DistributedRow[]> {
    const pg = this.store.kind === "postgres";
    const skip = pg ? "FOR UPDATE SKIP LOCKED" : "";
    const targeted = pg
      ? `EXISTS (SELECT 1 FROM jsonb_array_elements_text(CAST(targets AS jsonb)) AS t(name) WHERE t.name = $2)`
      : `EXISTS (SELECT 1 FROM json_each(targets) WHERE json_each.value = $2)`;
    return this.store.transaction(async (tx) =>
      (
        await tx.query<Record<string, unknown>>(
          `UPDATE modtasks_distributed SET state = 'running', claimed_by = $1, node = $2
           WHERE id IN (SELECT id FROM modtasks_distributed WHERE state = 'pending' AND (targets IS NULL OR ${targeted}) ORDER BY id LIMIT $3 ${skip})
           RETURNING ${COLS}`,
          [owner, node, limit],
        )
      ).map(toRow),
    );
  }

  async finish(id: number, owner: string, end: { ok: boolean; result: unknown; error: string | null }, now: number): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.execute(`UPDATE modtasks_distributed SET state = $3, result = $4, error = $5, finished = $6 WHERE id = $1 AND claimed_by = $2`, [
        id,
        owner,
        end.ok ? "done" : "failed",
        end.ok ? JSON.stringify(end.result ?? null) : null,
        end.error,
        now,
      ]);
      await tx.notify("modtasks_events", JSON.stringify({ distributed: id }));
    });
  }

  /** Runs claimed by a node that died: they cannot finish any more. */
  async failClaimsOf(owners: readonly string[], now: number): Promise<number> {
    if (!owners.length) return 0;
    let n = 0;
    await this.store.transaction(async (tx) => {
      for (const o of owners) {
        n += (await tx.execute(`UPDATE modtasks_distributed SET state = 'failed', error = 'The node running this task stopped', finished = $2 WHERE claimed_by = $1 AND state = 'running'`, [o, now])).changes;
      }
    });
    return n;
  }

  async batch(batch: string): Promise<DistributedRow[]> {
    return (await this.store.query<Record<string, unknown>>(`SELECT ${COLS} FROM modtasks_distributed WHERE batch = $1 ORDER BY id`, [batch])).map(toRow);
  }

  async purge(before: number): Promise<number> {
    return this.store.transaction(async (tx) => (await tx.execute(`DELETE FROM modtasks_distributed WHERE finished IS NOT NULL AND finished < $1`, [before])).changes);
  }
}
