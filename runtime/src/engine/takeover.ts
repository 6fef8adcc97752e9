import { DistributedStore } from "../prudence/distributed-store";
import type { QueueStore } from "../queue/store";
import { TimedStore } from "../scheduler/timed-store";
import type { RemoteEphemerals } from "./remote-ephemeral";

type Log = (level: "info" | "warn" | "error", text: string) => void;

/**
 * What a node does every second for the others: take over the work of runtime instances that
 * are gone. An instance is alive exactly while its node row exists with a heartbeat younger than
 * the lease, by the database's clock: the row is written by nothing but its own heartbeat, so a
 * node whose tasks hold their transactions (and row locks) for minutes still looks alive, and a
 * node whose clock runs ahead judges no one early. A node never takes over its own runs here.
 *
 * Fence first: a dead instance may be cut off but alive (half-open TCP), its runs holding their
 * rows locked; its database sessions are terminated so nothing it still does can commit, and the
 * locks go. Then its running tasks go back to the queue (re-checking, in the same statement, that
 * it has not come back meanwhile), its distributed runs fail, the ephemeral tasks it handed out
 * are dropped, and its scheduled runs are cleared so they run again when due.
 */
export async function takeOverFromDeadNodes(o: {
  store: QueueStore;
  owner: string;
  leaseMs: number;
  remoteEphemerals: RemoteEphemerals | undefined;
  log: Log;
  onTasksRecovered: () => void;
  onTimedRecovered: () => void;
  /** Whether this runtime holds the run of this task (see releaseStrayRuns); omitted: no reconciliation. */
  holdsRun?: (taskId: number) => boolean;
}): Promise<void> {
  const dead = (await o.store.deadOwners(o.leaseMs)).filter((owner) => owner !== o.owner);
  if (dead.length) {
    if (await o.store.fenceOwners(dead)) o.log("warn", `fenced off the sessions of ${dead.join(", ")} (no heartbeat within the lease)`);
    const ids = await o.store.recoverLeases({ deadOwners: dead, staleAfterMs: o.leaseMs });
    if (ids.length) {
      o.log("warn", `took over ${ids.length} task(s) whose runtime stopped heartbeating: ${ids.join(", ")}`);
      o.onTasksRecovered();
    }
    await new DistributedStore(o.store).failClaimsOf(dead, Date.now());
    await o.remoteEphemerals?.callersGone(dead);
    const timed = await new TimedStore(o.store).recover(Date.now(), dead);
    if (timed.length) {
      o.log("warn", `scheduled run(s) of ${timed.join(", ")} lost their runtime; they run again when due`);
      o.onTimedRecovered();
    }
  }
  if (o.holdsRun && (await releaseStrayRuns({ store: o.store, owner: o.owner, leaseMs: o.leaseMs, holdsRun: o.holdsRun, log: o.log }))) o.onTasksRecovered();
}

/**
 * Rows leased to this live instance that it does not run go back to the queue. They come from a
 * claim whose reply never arrived (the statement committed, the client timed out): nothing
 * would ever run or release them, and the heartbeat keeps them ours forever. Only rows claimed
 * over a lease ago count (by this node's own clock, which also wrote `started`): a claim's
 * statement times out after half a lease, so a younger row may belong to a claim whose reply is
 * still being read. Released as if never claimed, under their lease token, so a row this node
 * finishes meanwhile is left alone; one with a cancel request is finished as cancelled.
 * Returns how many went back.
 */
export async function releaseStrayRuns(o: { store: QueueStore; owner: string; leaseMs: number; holdsRun: (taskId: number) => boolean; log: Log }): Promise<number> {
  const claimedBefore = Date.now() - o.leaseMs;
  const stray = (await o.store.ownedRuns(o.owner)).filter((r) => r.started < claimedBefore && !o.holdsRun(r.id));
  if (!stray.length) return 0;
  const release = stray.filter((r) => !r.cancelRequested);
  const released = release.length ? await o.store.releaseRuns(release.map((r) => ({ id: r.id, leaseToken: r.leaseToken }))) : 0;
  for (const r of stray.filter((r) => r.cancelRequested)) await o.store.finishCancelled(r.id, r.leaseToken, Date.now(), "Task was cancelled");
  if (released) {
    o.log("warn", `released ${released} task(s) leased to this node that it was not running: ${release.map((r) => r.id).join(", ")}`);
    if (o.store.notifies) await o.store.transaction((tx) => tx.notify("modtasks_wake", ""));
  }
  return released;
}
