import { ControlClient } from "../control/client";
import { localRuntimeSocket } from "../control/discover";
import { describeDb } from "../queue/open-store";
import type { StartAnswer } from "../services/client";
import { serviceDirFor } from "../services/names";
import { probeServiceDir } from "../services/probe";
import type { ServiceStatus } from "../services/service-manager";
import { parseArgs } from "./args";
import { CliError } from "./command";
import { dbFromOption } from "./db-option";

const HELP = `usage: modtasks services [list] [--json]
       modtasks services start|stop|restart module:name

Lists the backend services of the running runtime: name, state, pid, uptime, connected clients
and restarts. Services that another process serves in the runtime's service folder (not started
by the runtime) are listed too, as "external". start/stop/restart act on the process that serves
the name (stop: it stays stopped until started again).

  --json            print JSON: { runtime, db, dir, services: [...] }
  --db URL          the runtime's database (default: as \`modtasks run\` chooses)
  --node-name NAME  the node to ask (PostgreSQL clusters; default: MODTASKS_NODE, else the node
                    on this machine that serves the database, whatever its name)

Services are node-local: this lists and controls this machine's node's service processes.
`;

/** A row of the listing: the runtime's status, or an external service found by probing. */
type Row = ServiceStatus | (Omit<ServiceStatus, "source"> & { source: "external" });

export async function run(args: string[]): Promise<number> {
  const { positionals, options } = parseArgs(args, {
    json: { type: "boolean" },
    db: { type: "string" },
    "node-name": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const db = dbFromOption(options.db);
  const { socket } = await localRuntimeSocket(db, options["node-name"] !== undefined ? String(options["node-name"]) : process.env.MODTASKS_NODE || undefined);
  const [action = "list", name, ...extra] = positionals;
  if (extra.length) throw new CliError(`unexpected argument '${extra[0]}'`);
  const client = new ControlClient(socket, { db });
  try {
    if (action === "list") {
      if (name) throw new CliError(`unexpected argument '${name}'`);
      return await list(client, describeDb(db), serviceDirFor(socket), !!options.json);
    }
    if (action !== "start" && action !== "stop" && action !== "restart") throw new CliError(`unknown action '${action}' (list, start, stop, restart)`);
    if (!name) throw new CliError(`${action} needs a service name ('module:name')`);
    let result: unknown;
    try {
      result = await client.request(`service-${action}`, { name });
    } catch (e) {
      throw new CliError(client.connected || client.hello ? (e as Error).message : `no runtime is running for ${describeDb(db)}`, 1);
    }
    const answer = result as StartAnswer | ServiceStatus[];
    if (options.json) process.stdout.write(JSON.stringify(answer, null, 2) + "\n");
    else if (Array.isArray(answer)) process.stdout.write(`${name}: ${answer[0]?.state ?? "stopped"}\n`);
    else if (answer.state === "listening") process.stdout.write(`${name}: listening (pid ${answer.pid})\n`);
    else if (answer.state === "failed") throw new CliError(`${name}: ${answer.reason}`, 1);
    else throw new CliError(`no service '${name}' is declared or running here`, 1);
    return 0;
  } finally {
    client.close();
  }
}

async function list(client: ControlClient, db: string, dir: string, json: boolean): Promise<number> {
  let rows: Row[] | undefined;
  try {
    rows = await client.request<ServiceStatus[]>("services");
  } catch {
    rows = undefined;
  }
  const runtime = rows !== undefined;
  const all: Row[] = rows ?? [];
  // Services served by processes the runtime did not start (a script run by hand).
  const managedPids = new Set(all.map((r) => r.pid));
  for (const info of await probeServiceDir(dir)) {
    if (all.some((r) => r.name === info.service && r.listening) || managedPids.has(info.pid)) continue;
    all.push({
      name: info.service,
      key: info.service,
      module: info.service.split(":")[0]!,
      script: "",
      source: "external",
      onDemand: false,
      state: "running",
      listening: true,
      pid: info.pid,
      startedAt: info.startedAt,
      uptimeMs: Date.now() - info.startedAt,
      connections: info.connections,
      restarts: 0,
      lastExit: null,
    });
  }
  if (json) {
    process.stdout.write(JSON.stringify({ runtime, db, dir, services: all }, null, 2) + "\n");
    return 0;
  }
  const lines: string[] = [];
  if (!runtime) lines.push(`no runtime is running for ${db}`);
  if (!all.length) lines.push(runtime ? "no services declared or running" : "no services running");
  else {
    const table = [
      ["NAME", "STATE", "PID", "UPTIME", "CLIENTS", "RESTARTS", "SOURCE"],
      ...all.map((r) => [
        r.name ?? `(${r.key})`,
        r.state === "running" && r.name && !r.listening ? "starting" : r.state,
        r.pid === null ? "-" : String(r.pid),
        r.uptimeMs === null ? "-" : duration(r.uptimeMs),
        r.name && r.listening ? String(r.connections) : "-",
        String(r.restarts),
        r.source === "external" ? "external" : `${r.source === "runatstartup" ? "<runatstartup>" : "modtasks.json"}${r.onDemand ? " (on demand)" : ""}`,
      ]),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table) lines.push(row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join("  "));
    for (const r of all) if (r.lastExit && r.state !== "running") lines.push(`${r.name ?? r.key}: last exit ${r.lastExit.signal ? `by ${r.lastExit.signal}` : `with code ${r.lastExit.code}`}${r.lastExit.stderr ? `: ${r.lastExit.stderr}` : ""}`);
  }
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}

/** 3d 4h, 2h 05m, 5m 03s, 12s */
export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${p(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${p(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor(s / 3600) % 24}h`;
}
