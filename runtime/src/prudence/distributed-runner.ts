import type { BackgroundTasks } from "./background";
import { CoalescedLoop } from "../engine/coalesced-loop";
import { DistributedStore } from "./distributed-store";

/**
 * Runs the distributed tasks addressed to this node (or to any node). Work arrives through the
 * database: a NOTIFY on PostgreSQL (or the local control socket) wakes the runner, and it
 * claims rows with SKIP LOCKED, so exactly one node takes an any-node task and every addressed
 * node takes its own row of a broadcast.
 */
export class DistributedRunner {
  private readonly store: DistributedStore;
  private readonly loop = new CoalescedLoop(
    () => this.claimRound(),
    (e) => this.o.log("error", `distributed tasks: ${e instanceof Error ? e.message : String(e)}`),
  );
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    queue: ConstructorParameters<typeof DistributedStore>[0],
    private readonly o: {
      node: string;
      owner: string;
      background: BackgroundTasks;
      maxParallel: number;
      log: (level: "info" | "warn" | "error", text: string) => void;
      onFinished?: (id: number) => void;
    },
  ) {
    this.store = new DistributedStore(queue);
  }

  wake(): void {
    this.loop.wake();
  }

  private async claimRound(): Promise<boolean> {
    const room = this.o.maxParallel - this.inFlight.size;
    if (room <= 0) return false;
    const rows = await this.store.claim(this.o.node, this.o.owner, room);
    for (const row of rows) {
      const p = this.runOne(row.id, row);
      this.inFlight.add(p);
      void p.finally(() => {
        this.inFlight.delete(p);
        this.wake();
      });
    }
    return rows.length === room;
  }

  private async runOne(id: number, row: Awaited<ReturnType<DistributedStore["claim"]>>[number]): Promise<void> {
    let end: { ok: boolean; result: unknown; error: string | null };
    try {
      const taskId = this.o.background.execute({
        module: row.module,
        ...(row.document ? { document: row.document } : {}),
        ...(row.entryPoint ? { entryPoint: row.entryPoint } : {}),
        ...(row.code !== null ? { code: row.code } : {}),
        context: row.context,
      });
      end = { ok: true, result: await this.o.background.result(taskId, 2 ** 31 - 1), error: null };
    } catch (e) {
      end = { ok: false, result: null, error: e instanceof Error ? e.message : String(e) };
    }
    try {
      await this.store.finish(id, this.o.owner, end, Date.now());
      this.o.onFinished?.(id);
    } catch (e) {
      this.o.log("error", `could not record distributed task #${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async stop(): Promise<void> {
    this.loop.stop();
    await Promise.all(this.inFlight);
  }
}
