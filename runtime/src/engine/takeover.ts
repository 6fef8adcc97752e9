import { DistributedStore } from "../prudence/distributed-store";
import type { QueueStore } from "../queue/store";
import { TimedStore } from "../scheduler/timed-store";
import type { RemoteEphemerals } from "./remote-ephemeral";

/**
 * What a node does every second for the others: take over the work of nodes that stopped
 * heartbeating. Fence first: a node whose lease expired may be cut off but alive (half-open
 * TCP); its database sessions are terminated so nothing it still does can commit. Then its
 * running tasks go back to the queue, its distributed runs fail, the ephemeral tasks it handed
 * out are dropped, and its scheduled runs are cleared so they run again when due.
 */
export async function takeOverFromDeadNodes(o: {
  store: QueueStore;
  owner: string;
  leaseMs: number;
  remoteEphemerals: RemoteEphemerals | undefined;
  log: (level: "info" | "warn" | "error", text: string) => void;
  onTasksRecovered: () => void;
  onTimedRecovered: () => void;
}): Promise<void> {
  const now = Date.now();
  const expired = (await o.store.expiredOwners(now)).filter((owner) => owner !== o.owner);
  if (expired.length && (await o.store.fenceOwners(expired))) o.log("warn", `fenced off the sessions of ${expired.join(", ")} (lease expired)`);
  const ids = await o.store.recoverLeases({ now: Date.now() });
  if (ids.length) {
    o.log("warn", `took over ${ids.length} task(s) whose runtime stopped heartbeating: ${ids.join(", ")}`);
    o.onTasksRecovered();
  }
  const fresh = Date.now() - o.leaseMs;
  const gone = (await o.store.listNodes()).filter((n) => n.heartbeat < fresh && n.instance !== o.owner).map((n) => n.instance);
  if (gone.length) {
    await new DistributedStore(o.store).failClaimsOf(gone, Date.now());
    await o.remoteEphemerals?.callersGone(gone);
  }
  const timed = await new TimedStore(o.store).recover(Date.now());
  if (timed.length) {
    o.log("warn", `scheduled run(s) of ${timed.join(", ")} lost their runtime; they run again when due`);
    o.onTimedRecovered();
  }
}
