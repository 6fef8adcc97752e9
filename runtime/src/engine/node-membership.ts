import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { NodeRegistration, NodeRow } from "../queue/queue-sql";
import { sessionName } from "../queue/db-config";
import type { QueueStore } from "../queue/store";
import { TimedStore } from "../scheduler/timed-store";
import { DistributedStore } from "../prudence/distributed-store";

/**
 * A runtime's registration in the database: a row per node name with a heartbeat, and the lease
 * owner id (`name/pid/start`) its claims carry. The row is what keeps the instance's runs its
 * own: they are taken over only once the row is gone or its heartbeat is older than the lease,
 * by the database's clock (takeover.ts). Another instance under the same name that is still
 * alive is refused; a dead one (no heartbeat within the lease, or its pid gone on this host) has
 * its running tasks recovered at once and its orphaned workers killed.
 */
/** The lease owner id of a runtime instance: unique per process start. */
export function makeOwner(name: string, started = Date.now()): string {
  return `${name}/${process.pid}/${started.toString(36)}`;
}

export class NodeMembership {
  readonly host = hostname();
  private readonly started = Date.now();

  constructor(
    private readonly store: QueueStore,
    readonly name: string,
    readonly owner: string,
    private readonly leaseMs: number,
    private readonly info: () => Record<string, unknown>,
    private readonly log: (level: "info" | "warn" | "error", text: string) => void,
  ) {}

  private row(): NodeRegistration {
    return { name: this.name, instance: this.owner, host: this.host, pid: process.pid, started: this.started, info: this.info() };
  }

  /** Registers this instance; throws when a live runtime already uses the name. */
  async register(): Promise<void> {
    for (const n of await this.store.listNodes()) {
      const dead = this.isDead(n);
      if (n.name === this.name && !dead) {
        throw new Error(
          `node name '${this.name}' is in use by pid ${n.pid} on ${n.host} (heartbeat ${Math.round(n.age / 1000)} s ago); stop it or pick another --node-name`,
        );
      }
      if (dead && (n.name === this.name || n.host === this.host)) await this.bury(n);
    }
    await this.store.upsertNode(this.row());
  }

  /**
   * Whether a node's runtime can no longer commit anything: its pid is gone from this host (the
   * fast path of a restart on the same machine), or its heartbeat is older than the lease by the
   * database's clock (never this process's clock, which may be skewed).
   */
  private isDead(n: NodeRow): boolean {
    if (n.host === this.host && !pidAlive(n.pid)) return true;
    return n.age > this.leaseMs;
  }

  /**
   * Recovers a dead node's tasks and removes its row. Its orphaned workers on this host are
   * killed and its database sessions terminated first, so none of its runs can still commit.
   */
  private async bury(n: NodeRow): Promise<void> {
    if (n.host === this.host) {
      const pids = Array.isArray(n.info.workerPids) ? (n.info.workerPids as unknown[]).filter((p): p is number => typeof p === "number") : [];
      for (const pid of pids) killIfWorkerOf(pid, n.instance);
    }
    await this.store.fenceOwners([n.instance]);
    const recovered = await this.store.recoverLeases({ now: Date.now(), deadOwners: [n.instance] });
    await new TimedStore(this.store).recover(Date.now(), [n.instance]);
    await new DistributedStore(this.store).failClaimsOf([n.instance], Date.now());
    if (recovered.length) this.log("warn", `node '${n.name}' (pid ${n.pid}) stopped without finishing ${recovered.length} task(s); they run again`);
    await this.store.removeNode(n.name, n.instance);
  }

  /**
   * Renews the heartbeat (which is what keeps this node's runs its own); false when the row was
   * taken over. Then moves the leases' displayed expiry on: that never waits for a run's locked
   * row, and its failure is no heartbeat failure, since liveness does not depend on it.
   */
  async beat(): Promise<boolean> {
    const ok = (await this.store.heartbeatNode(this.name, this.owner, this.info())) > 0;
    if (ok) {
      try {
        await this.store.renewLeases(this.owner, this.leaseMs);
      } catch (e) {
        this.log("warn", `could not move the displayed lease expiry on (liveness is the heartbeat, which went through): ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return ok;
  }

  async unregister(): Promise<void> {
    await this.store.removeNode(this.name, this.owner);
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Kills a leftover worker of a dead runtime instance, but never a process that reused the pid:
 * pids wrap quickly (pid_max is often 32768), and the new owner may well be a worker of another,
 * live runtime on this host. Only a process whose database session names the dead instance is its.
 */
function killIfWorkerOf(pid: number, instance: string): void {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, "latin1");
    if (!environ.split("\0").includes(`MODTASKS_DB_SESSION=${sessionName(instance)}`)) return;
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already, or not ours to inspect
  }
}
