import type { BackgroundTasks } from "./background";
import { DistributedStore } from "./distributed-store";

/**
 * Runs the distributed tasks addressed to this node (or to any node). Work arrives through the
 * database: a NOTIFY on PostgreSQL (or the local control socket) wakes the runner, and it
 * claims rows with SKIP LOCKED, so exactly one node takes an any-node task and every addressed
 * node takes its own row of a broadcast.
 */
export class DistributedRunner {
  private readonly store: DistributedStore;
  private pumping = false;
  private again = false;
  private stopped = false;
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
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        const room = this.o.maxParallel - this.inFlight.size;
        if (room <= 0) break;
        const rows = await this.store.claim(this.o.node, this.o.owner, room);
        for (const row of rows) {
          const p = this.runOne(row.id, row);
          this.inFlight.add(p);
          void p.finally(() => {
            this.inFlight.delete(p);
            this.wake();
          });
        }
        if (rows.length === room) this.again = true;
      } while (this.again && !this.stopped);
    } catch (e) {
      this.o.log("error", `distributed tasks: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.pumping = false;
    }
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
    this.stopped = true;
    await Promise.all(this.inFlight);
  }
}
