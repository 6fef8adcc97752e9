/**
 * `modtasks timeline [paths] [--hours N] [--tz ZONE] [--from ISO] [--svg FILE] [--json] [--db URL]`
 *
 * Every run of the scheduled tasks under the paths (default: the current folder) in a window,
 * computed by the cron engine with the runtime's zone resolution: one line per run, sorted, in a
 * display zone, with DST changes and collisions flagged. `--svg FILE` writes the same timeline as
 * a standalone picture. Last durations (for overlap flags) come from the task database, found as
 * `modtasks run` finds it, when there is one. Exit 0 (problems with single tasks are listed, not
 * fatal), 1 when a database named by `--db` cannot be read, 2 for usage errors.
 */
import { writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { defaultDb } from "../config/default-db";
import { DIALECTS, parseIsoInZone, resolveMaintenanceOffset, type CronDialect } from "../cron";
import { parseDbUrl } from "../queue/db-config";
import { readLastDurations } from "../timeline/db-durations";
import { loadTimelineTasks } from "../timeline/files";
import { computeTimeline, MAX_HOURS, resolveDisplayZone } from "../timeline/layout";
import { localZoneName } from "../timeline/sources";
import { renderSvg } from "../timeline/svg";
import { renderText } from "../timeline/text";
import { parseArgs } from "./args";
import { CliError } from "./command";

const HELP = `usage: modtasks timeline [paths...] [options]

Prints when every scheduled task (<task> in moduledefinition.xml, lines of crontab files) runs
in a window: one line per run, sorted, in a display zone, with the task's own zone and time,
DST changes, and collisions (more runs in one minute than the parallel limit; a run that starts
before the task's previous run would end).

options:
  --hours N                 length of the window (default 24; 168 = 7 days; at most ${MAX_HOURS})
  --tz ZONE                 display zone: local (default), UTC, maintenance or an IANA zone
  --from ISO                start of the window (default: now, to the minute); without an offset
                            it is read on the display zone's clock
  --svg FILE                also write the timeline as a standalone SVG picture
  --width PX                width of the SVG (default 1200)
  --json                    print the layout as JSON instead of text
  --parallel N              runs the runtime starts at once (default 4)
  --duration TASK=MIN       last measured duration of a task (module:tag), to flag runs that
                            overlap their previous run (repeatable; wins over the database's)
  --db URL                  task database to read the last measured durations from (sqlite:<path>
                            or postgres://…); default: as \`modtasks run\` finds it (MODTASKS_DB,
                            else .modtasks/tasks.db beside the modules), when it exists
  --no-db                   do not read durations from any database
  --dialect D               cron dialect of runat: webhare (default), prudence or extended
  --crontab-tz ZONE         zone of crontab files (default: the machine's zone, as cron4j)
  --maintenance-offset MIN  minutes the maintenance zone runs behind UTC (default: as the runtime:
                            WEBHARE_MAINTENANCE_OFFSET, else the stored per-installation value)
  --server-type T           skip declarations that do not apply to this server type (default
                            development, as \`modtasks run\`)

exit status: 0 ok, 1 the --db database cannot be read, 2 usage error`;

export interface TimelineOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: TimelineOutput = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

export async function run(args: string[], io: TimelineOutput = processOutput, now: () => number = Date.now): Promise<number> {
  const { positionals, options } = parseArgs(args, {
    hours: { type: "number" },
    tz: { type: "string" },
    from: { type: "string" },
    svg: { type: "string" },
    width: { type: "number" },
    json: { type: "boolean" },
    parallel: { type: "number" },
    duration: { type: "string", multiple: true },
    dialect: { type: "string", choices: DIALECTS },
    "crontab-tz": { type: "string" },
    "maintenance-offset": { type: "number" },
    "server-type": { type: "string" },
    db: { type: "string" },
    "no-db": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (options.help) {
    io.out(`${HELP}\n`);
    return 0;
  }
  const hours = (options.hours as number | undefined) ?? 24;
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_HOURS) throw new CliError(`option '--hours' needs a whole number 1-${MAX_HOURS}, got '${hours}'`);
  const parallel = (options.parallel as number | undefined) ?? undefined;
  if (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1)) throw new CliError(`option '--parallel' needs a whole number of at least 1, got '${parallel}'`);
  const width = options.width as number | undefined;
  if (width !== undefined && (!Number.isFinite(width) || width < 480 || width > 20000)) throw new CliError(`option '--width' needs 480-20000 px, got '${width}'`);
  const offsetOption = options["maintenance-offset"] as number | undefined;
  if (offsetOption !== undefined && (!Number.isInteger(offsetOption) || offsetOption < 0 || offsetOption >= 1440)) {
    throw new CliError(`option '--maintenance-offset' needs whole minutes 0-1439, got '${offsetOption}'`);
  }
  if (options.db !== undefined && options["no-db"]) throw new CliError("options '--db' and '--no-db' exclude each other");
  let dbOption;
  try {
    dbOption = options.db === undefined ? undefined : parseDbUrl(String(options.db));
  } catch (e) {
    throw new CliError(`option '--db': ${(e as Error).message}`);
  }
  const lastDurations = new Map<string, number>();
  for (const d of (options.duration as string[] | undefined) ?? []) {
    const m = /^(.+)=(\d+(?:\.\d+)?)$/.exec(d);
    if (!m) throw new CliError(`option '--duration' needs TASK=MINUTES, e.g. app:nightly=90; got '${d}'`);
    lastDurations.set(m[1]!, Number(m[2]) * 60_000);
  }

  // The maintenance offset exactly as the runtime resolves it (env, override, stored file).
  const maintenance = resolveMaintenanceOffset(offsetOption === undefined ? {} : { override: offsetOption }).offsetMinutes;
  const localZone = localZoneName();
  const display = resolveDisplayZone((options.tz as string | undefined) ?? "local", localZone, maintenance);
  if ("error" in display) throw new CliError(`option '--tz': ${display.error}`);
  const crontabTz = (options["crontab-tz"] as string | undefined) ?? localZone;
  const crontabZone = resolveDisplayZone(crontabTz, localZone, maintenance);
  if ("error" in crontabZone) throw new CliError(`option '--crontab-tz': ${crontabZone.error}`);

  // Now, to the minute (as the VS Code panel): runs are on whole minutes, so a start at 17:22:06.663
  // would only clutter the heading and the output.
  let from = Math.floor(now() / 60_000) * 60_000;
  if (options.from !== undefined) {
    const parsed = parseIsoInZone(String(options.from), display.zone);
    if (parsed === undefined) throw new CliError(`option '--from' needs an ISO 8601 time like 2026-03-29T02:30 or 2026-03-29T02:30:00+01:00, got '${String(options.from)}'`);
    from = parsed;
  }

  const paths = positionals.length ? positionals : ["."];
  let loaded;
  try {
    loaded = loadTimelineTasks(paths, {
      dialect: ((options.dialect as string | undefined) ?? "webhare") as CronDialect,
      crontabZone: crontabZone.zone.kind === "iana" ? crontabZone.zone.name : crontabZone.zone.kind === "maintenance" ? "maintenance" : "",
      applicability: { env: process.env, serverType: (options["server-type"] as string | undefined) ?? "development" },
    });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (loaded.files.length === 0) throw new CliError(`no moduledefinition.xml or crontab file under ${paths.join(", ")}`);

  // Measured durations from the task database; --duration values win.
  if (!options["no-db"]) {
    const moduleDirs = loaded.files.filter((f) => f.endsWith("moduledefinition.xml")).map((f) => dirname(f));
    const db = dbOption ?? defaultDb(process.cwd(), moduleDirs.length ? moduleDirs : undefined);
    const read = await readLastDurations(db);
    if (read.ok) {
      let used = 0;
      for (const [task, ms] of read.durations) {
        if (lastDurations.has(task)) continue;
        lastDurations.set(task, ms);
        used++;
      }
      io.err(`note: last durations of ${used} scheduled task(s) from ${read.db}\n`);
    } else if (dbOption) {
      throw new CliError(`cannot read last durations from ${read.db}: ${read.reason}`, 1);
    } else if (!read.missing) {
      io.err(`note: no last durations: cannot read ${read.db}: ${read.reason}\n`);
    }
  }

  const timeline = computeTimeline(loaded.tasks, {
    from,
    hours,
    displayZone: display.name,
    localZone,
    maintenanceOffsetMinutes: maintenance,
    ...(parallel !== undefined ? { parallelLimit: parallel } : {}),
    lastDurations,
  });
  for (const s of loaded.skipped) io.err(`note: ${s.id}: ${s.reason}\n`);
  if (options.svg !== undefined) {
    const file = String(options.svg);
    try {
      writeFileSync(file, renderSvg(timeline, width !== undefined ? { width } : {}));
    } catch (e) {
      throw new CliError(`cannot write ${file}: ${(e as Error).message}`, 1);
    }
  }
  if (options.json) {
    const { displayZone, ...rest } = timeline;
    io.out(`${JSON.stringify({ ...rest, displayZone: { name: displayZone.name, label: displayZone.label } }, null, 2)}\n`);
  } else io.out(renderText(timeline));
  return 0;
}
