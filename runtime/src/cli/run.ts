import type { TaskEvent } from "../engine/dispatcher";
import { findModules } from "../engine/modules";
import { Runtime } from "../engine/runtime";
import { describeDb } from "../queue/open-store";
import { parseArgs } from "./args";
import { CliError } from "./command";
import { dbFromOption } from "./db-option";
import { clock } from "./format";
import { duration } from "./values";

const HELP = `usage: modtasks run [moduledirs...] [options]

Runs the local runtime in the foreground for the modules in the given folders (default: the
current folder, searched for moduledefinition.xml).

  --db URL          sqlite:<path> or postgres://... (default: .modtasks/tasks.db beside the modules)
  --workers N       worker processes of the default cluster (default: number of cores)
  --node-name NAME  this runtime's name in a cluster (default: local)
  --drain           exit once nothing is runnable now or within --drain-grace (CI, scripts, the demo)
  --drain-grace MS  with --drain: also wait for tasks due this soon, e.g. quick retries (default 5000)
  --quiet           do not print a line per task (start, stop and problems still print)
  --keep-finished D how long finished tasks stay in the database before they are purged: ms, or
                    a number with ms, s, m, h or d (default 3d, as WebHare)
  --lease-ms MS     how long a claim survives without heartbeat (default 6000: a dead node's tasks run elsewhere within ~7 s)
  --memory-mb MB    heap limit per worker process
  --background-workers N  Prudence-style background task workers (default 2 x cores + 1)
  --allow-code-tasks      allow codeTask() and <% %> crontab lines (literal code)
  --system-crontab        run crontab.system files (programs)
  --max-scheduled N       scheduled (<task>) runs at once (default 4)
  --dialect D             cron dialect of runat: webhare (default) | prudence | extended (match the editor's modtasks.cronDialect)
  --maintenance-offset M  minutes of the maintenance zone, 0-1439 (wins over WEBHARE_MAINTENANCE_OFFSET, as modtasks.maintenanceOffset does in the editor)
  --crontab-tz ZONE       zone of crontab masks (default: MODTASKS_CRONTAB_TZ, else this machine's; match modtasks.crontabTimeZone)
`;

export async function run(args: string[]): Promise<number> {
  const { positionals, options } = parseArgs(args, {
    db: { type: "string" },
    workers: { type: "number" },
    "node-name": { type: "string" },
    drain: { type: "boolean" },
    "drain-grace": { type: "number" },
    quiet: { type: "boolean" },
    "lease-ms": { type: "number" },
    "keep-finished": { type: "string" },
    "memory-mb": { type: "number" },
    "background-workers": { type: "number" },
    "allow-code-tasks": { type: "boolean" },
    "system-crontab": { type: "boolean" },
    "max-scheduled": { type: "number" },
    dialect: { type: "string", choices: ["webhare", "prudence", "extended"] },
    "maintenance-offset": { type: "number" },
    "crontab-tz": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const workers = options.workers as number | undefined;
  const keepFinishedMs = options["keep-finished"] !== undefined ? duration(String(options["keep-finished"]), "--keep-finished") : undefined;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) throw new CliError("--workers must be a positive integer");
  const paths = positionals.length ? positionals : ["."];
  let moduleDirs: string[];
  try {
    moduleDirs = findModules(paths).map((m) => m.dir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (!moduleDirs.length) throw new CliError(`no moduledefinition.xml found in ${paths.join(", ")}`);
  const db = dbFromOption(options.db, moduleDirs);
  const quiet = !!options.quiet;
  const log = (level: "info" | "warn" | "error", text: string) => {
    (level === "info" ? process.stdout : process.stderr).write(`${clock()} ${level === "info" ? "" : level + ": "}${text}\n`);
  };

  let rt: Runtime;
  try {
    rt = await Runtime.start({
      db,
      moduleDirs,
      ...(options["node-name"] ? { nodeName: String(options["node-name"]) } : {}),
      ...(workers ? { workers } : {}),
      ...(options["lease-ms"] ? { leaseMs: Number(options["lease-ms"]) } : {}),
      ...(keepFinishedMs !== undefined ? { keepFinishedMs } : {}),
      ...(options["memory-mb"] ? { memoryLimitMb: Number(options["memory-mb"]) } : {}),
      ...(options["background-workers"] ? { backgroundWorkers: Number(options["background-workers"]) } : {}),
      ...(options["max-scheduled"] ? { maxScheduledRuns: Number(options["max-scheduled"]) } : {}),
      ...(options.dialect ? { runatDialect: options.dialect as "webhare" | "prudence" | "extended" } : {}),
      ...(options["maintenance-offset"] !== undefined ? { maintenanceOffset: Number(options["maintenance-offset"]) } : {}),
      ...(options["crontab-tz"] || process.env.MODTASKS_CRONTAB_TZ ? { crontabZone: String(options["crontab-tz"] ?? process.env.MODTASKS_CRONTAB_TZ) } : {}),
      allowCodeTasks: !!options["allow-code-tasks"],
      systemCrontab: !!options["system-crontab"],
      log,
    });
  } catch (e) {
    throw new CliError(`cannot start the runtime on ${describeDb(db)}: ${(e as Error).message}`, 1);
  }

  const started = new Map<number, number>();
  const tally = { completed: 0, failed: 0, retrying: 0, cancelled: 0 };
  rt.onEvent((e: TaskEvent) => {
    if (e.event === "task-started") {
      started.set(e.id, Date.now());
      return;
    }
    if (e.event !== "task-finished") return;
    const t0 = started.get(e.id);
    started.delete(e.id);
    if (e.state === "pending") tally.retrying++;
    else if (e.outcome === "completed" || e.outcome === "failed" || e.outcome === "cancelled") tally[e.outcome]++;
    if (quiet) return;
    const took = t0 !== undefined ? ` (${Date.now() - t0} ms)` : "";
    const what = e.state === "pending" ? "will retry" : (e.outcome ?? "finished");
    const mark = e.outcome === "completed" ? "✓" : e.outcome === "cancelled" ? "○" : "✗";
    // Through the runtime's log: an editor attached to this runtime sees the line too (`log` events).
    rt.log("info", `${mark} ${e.type} ${e.kind === "ephemeral" ? "(ephemeral)" : `#${e.id}`} ${what}${took}`);
  });

  const stop = async (why: string) => {
    rt.log("info", `stopping (${why})`);
    await rt.stop();
  };
  let signalled: string | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = sig;
    void stop(sig).then(() => process.exit(0));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  if (options.drain) {
    await rt.whenIdle((options["drain-grace"] as number | undefined) ?? 5000);
    const counts = await rt.store.counts();
    await stop("drained");
    log(
      "info",
      `drained: runs here: ${tally.completed} completed, ${tally.retrying} to retry, ${tally.failed} failed, ${tally.cancelled} cancelled; ` +
        `queue now: ${counts.pending} pending, ${counts.retrying} retrying, ${counts.failed} failed, ${counts.completed} completed`,
    );
    return 0;
  }
  // Foreground until a signal, or until stopped over the control socket.
  await rt.stopped;
  return 0;
}
