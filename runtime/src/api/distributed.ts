import { randomUUID } from "node:crypto";
import type { ControlClient } from "../control/client";
import { DistributedStore, type DistributedRow } from "../prudence/distributed-store";
import { toJsonText } from "../queue/json-value";
import type { QueueStore } from "../queue/store";
import { waitUntil } from "./event-wait";

/** Prudence's distributedExecuteTask / distributedCodeTask (no delay or repeat). */
export interface DistributedSpec {
  module: string;
  document?: string;
  entryPoint?: string;
  code?: string;
  /** JSON: it crosses the network. */
  context?: unknown;
  /**
   * Where: null/absent = any one node; a node name = that node; a list = one of them, or each
   * of them with `multi`; `multi` without a list = every live node (broadcast).
   */
  where?: string | string[] | null;
  multi?: boolean;
}

export interface DistributedResult {
  node: string | null;
  ok: boolean;
  result?: unknown;
  error?: string;
}

const NODE_NAME = /^[A-Za-z0-9_.-]+$/;

/** The runs of one distributed task (one per node for a broadcast), read from the database. */
export class DistributedHandle {
  constructor(
    readonly batch: string,
    readonly ids: number[],
    private readonly store: QueueStore,
    private readonly control: ControlClient,
  ) {}

  /** Waits for every run of the batch; a run still going at the timeout is left out... as a rejection. */
  async results(timeoutMs: number): Promise<DistributedResult[]> {
    const ds = new DistributedStore(this.store);
    const r = await waitUntil<DistributedRow[]>(
      this.control,
      this.store,
      this.ids.map((id) => `distributed:${id}`),
      async () => {
        const rows = await ds.batch(this.batch);
        return { done: rows.every((x) => x.state === "done" || x.state === "failed"), value: rows };
      },
      { timeoutMs },
    );
    if (!r.done) throw new Error(`Timeout waiting for distributed task ${this.batch} (${r.value.filter((x) => x.state === "done" || x.state === "failed").length} of ${r.value.length} runs finished)`);
    return r.value.map((x) => ({ node: x.node, ok: x.state === "done", ...(x.state === "done" ? { result: x.result } : { error: x.error ?? "failed" }) }));
  }

  /** The result of a single-node task; throws its error. */
  async result(timeoutMs: number): Promise<unknown> {
    const [first] = await this.results(timeoutMs);
    if (!first!.ok) throw new Error(first!.error);
    return first!.result;
  }
}

/** Validates a spec and writes its rows; runtimes on the addressed nodes pick them up. */
export async function submitDistributed(store: QueueStore, control: ControlClient, spec: DistributedSpec, liveNodes: () => Promise<string[]>): Promise<DistributedHandle> {
  if (!spec.document && spec.code === undefined) throw new Error("a distributed task needs a document (or code)");
  toJsonText(spec.context ?? null, "context");
  const where = spec.where ?? null;
  const names = where === null ? null : Array.isArray(where) ? where : [where];
  for (const n of names ?? []) if (!NODE_NAME.test(n)) throw new Error(`invalid node name '${n}'`);
  let targetSets: (string[] | null)[];
  if (spec.multi) {
    const nodes = names ?? (await liveNodes());
    if (!nodes.length) throw new Error("no runtime node is running to broadcast to");
    targetSets = nodes.map((n) => [n]);
  } else targetSets = [names];
  const batch = randomUUID();
  const ids = await new DistributedStore(store).insert(
    targetSets.map((targets) => ({ batch, targets, module: spec.module, document: spec.document, entryPoint: spec.entryPoint, code: spec.code, context: spec.context ?? null })),
    Date.now(),
  );
  void control.notify("distributed-wake");
  return new DistributedHandle(batch, ids, store, control);
}
