import { ControlClient } from "../control/client";
import { controlSocketPath } from "../control/protocol";
import type { RuntimeStatus } from "../engine/runtime";
import { describeDb, openStore } from "../queue/open-store";
import { parseArgs } from "./args";
import { CliError } from "./command";
import { dbFromOption, existingDb } from "./db-option";
import { iso } from "./format";

export async function run(args: string[]): Promise<number> {
  const { options } = parseArgs(args, { db: { type: "string" }, json: { type: "boolean" }, "node-name": { type: "string" } });
  const db = existingDb(dbFromOption(options.db));
  const client = new ControlClient(controlSocketPath(db, options["node-name"] as string | undefined), { db });
  let status: RuntimeStatus | undefined;
  try {
    status = await client.request<RuntimeStatus>("status");
  } catch {
    status = undefined;
  } finally {
    client.close();
  }
  if (!status) {
    // No runtime: still say what the queue holds.
    let counts;
    try {
      const store = await openStore(db);
      counts = await store.counts();
      await store.close();
    } catch (e) {
      throw new CliError(`no runtime is running for ${describeDb(db)}, and the database cannot be read: ${(e as Error).message}`, 1);
    }
    if (options.json) process.stdout.write(JSON.stringify({ runtime: false, db: describeDb(db), socket: controlSocketPath(db, options["node-name"] as string | undefined), counts }, null, 2) + "\n");
    else process.stdout.write(`no runtime is running for ${describeDb(db)}\nqueue: ${formatCounts(counts)}\n`);
    return 0;
  }
  if (options.json) {
    process.stdout.write(JSON.stringify({ runtime: true, ...status }, null, 2) + "\n");
    return 0;
  }
  const lines = [
    `runtime '${status.node}' (pid ${status.pid}) on ${status.db}, up since ${iso(status.startedAt)}`,
    `modules: ${status.modules.map((m) => m.name).join(", ") || "none"}`,
    `queue:   ${formatCounts(status.counts)}`,
    ...status.clusters.map((c) => `cluster ${c.name}: ${c.size} worker(s), ${c.busy} busy`),
    ...status.running.map((r) => `  running #${r.id} ${r.type} since ${iso(r.started)}`),
    `background tasks (Prudence): ${status.background.workers} worker(s), ${status.background.programsRunning} program(s) running, ${status.background.crontab.length} crontab line(s)`,
    ...status.scheduled.map((t) => `scheduled ${t.name}: next ${iso(t.nextRun)}${t.running ? " (running)" : ""}${t.enabled ? "" : " (disabled)"}${t.lastOk === false ? `, last run failed: ${(t.lastError ?? "").split("\n")[0]}` : ""}`),
  ];
  if (status.nodes.length > 1) lines.push(`nodes (${status.nodes.length}):`, ...formatNodes(status).map((l) => `  ${l}`));
  for (const p of status.problems) lines.push(`problem: ${p.file}:${p.line}: ${p.message}`);
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}

/**
 * One line per node of the cluster, from the nodes table: where it runs, how old its heartbeat
 * is (by the database's clock), its workers and the tasks it runs, as its last heartbeat told.
 */
export function formatNodes(status: Pick<RuntimeStatus, "node" | "nodes">): string[] {
  return status.nodes.map((n) => {
    const info = n.info;
    const age = n.age ?? Date.now() - n.heartbeat;
    const lease = typeof info.leaseMs === "number" ? info.leaseMs : undefined;
    const clusters = Array.isArray(info.clusters) ? (info.clusters as { name?: unknown; size?: unknown; busy?: unknown }[]) : [];
    const pids = Array.isArray(info.workerPids) ? info.workerPids : [];
    const workers = clusters.length ? clusters.map((c) => `${String(c.name)}: ${Number(c.size)} worker(s), ${Number(c.busy)} busy`).join("; ") : `${pids.length} worker(s)`;
    const ids = Array.isArray(info.running) ? (info.running as unknown[]) : [];
    const running = ids.length ? `running ${ids.map((id) => `#${String(id)}`).join(", ")}` : "running nothing";
    const dead = lease !== undefined && age > lease ? `, NO HEARTBEAT within its ${seconds(lease)} lease: presumed dead, its runs are taken over` : "";
    return `${n.name}${n.name === status.node ? " (this node)" : ""} on ${n.host} pid ${n.pid}, heartbeat ${seconds(age)} ago${dead}: ${workers}; ${running}`;
  });
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

function formatCounts(c: { pending: number; running: number; retrying: number; failed: number; completed: number; cancelled: number; stuck: number }): string {
  return `${c.pending} pending, ${c.running} running, ${c.retrying} retrying, ${c.failed} failed, ${c.completed} completed, ${c.cancelled} cancelled${c.stuck ? `, ${c.stuck} STUCK (unfinished for over an hour: modtasks tasks list --state stuck)` : ""}`;
}
