/**
 * `modtasks next "<mask>"`: the next run times of a mask in a zone, through the same engine the
 * runtime schedules with, so what this prints is what will run.
 */
import { DIALECTS, describeCron, formatInZone, parseCron, parseIsoInZone, resolveMaintenanceOffset, resolveRunTz, zoneWarnings, type CronDialect, type MaintenanceOffset } from "../cron";
import type { Finding } from "../text/finding";
import { parseArgs } from "./args";
import { CliError } from "./command";

const HELP = `usage: modtasks next "<mask>" [options]

Prints the next run times of a cron mask as ISO 8601 times with the zone's offset,
after a first line that describes the mask.

options:
  --tz ZONE                 IANA zone, "maintenance", or empty for UTC (default: UTC)
  --count N, -n N           how many run times (default 5)
  --from ISO                start after this time (default: now); without an offset it
                            is read on the zone's wall clock
  --dialect D               webhare (default), prudence or extended
  --maintenance-offset MIN  minutes the maintenance zone runs behind UTC, 0-1439 (wins over
                            WEBHARE_MAINTENANCE_OFFSET; without either, the value stored
                            once per installation)
  --json                    print a JSON array of the times only

exit status: 0 ok (warnings go to stderr), 1 invalid mask or zone, 2 usage error`;

/** Where the command writes; tests pass their own (the dispatcher uses the process's streams). */
export interface NextOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: NextOutput = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

export async function run(args: string[], io: NextOutput = processOutput): Promise<number> {
  const { positionals, options } = parseArgs(args, {
    tz: { type: "string" },
    count: { type: "number", short: "n" },
    from: { type: "string" },
    dialect: { type: "string", choices: DIALECTS },
    json: { type: "boolean" },
    "maintenance-offset": { type: "number" },
    help: { type: "boolean", short: "h" },
  });
  if (options.help) {
    io.out(`${HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new CliError(positionals.length === 0 ? "expects a mask, e.g. modtasks next \"0 3 * * *\"" : `expects the mask as one argument (quote it: modtasks next "${positionals.join(" ")}")`);
  }
  const mask = positionals[0]!;
  const dialect = (options.dialect as CronDialect | undefined) ?? "webhare";
  const count = options.count === undefined ? 5 : (options.count as number);
  if (!Number.isInteger(count) || count < 1 || count > 10000) throw new CliError(`option '--count' needs a whole number 1-10000, got '${count}'`);
  const offsetOption = options["maintenance-offset"] as number | undefined;
  if (offsetOption !== undefined && (!Number.isInteger(offsetOption) || offsetOption < 0 || offsetOption >= 1440)) {
    throw new CliError(`option '--maintenance-offset' needs whole minutes 0-1439, got '${offsetOption}'`);
  }
  const json = options.json === true;

  // The zone first: a bad zone is reported even when the mask is fine.
  const tz = (options.tz as string | undefined) ?? "";
  // Only look up (and possibly create) the stored offset when the maintenance zone is asked for.
  const offset = tz.trim().toLowerCase() === "maintenance" ? resolveMaintenanceOffset(offsetOption === undefined ? {} : { override: offsetOption }) : undefined;
  // An invalid WEBHARE_MAINTENANCE_OFFSET is said once, not silently replaced by the stored value.
  if (offset?.envNote) io.err(`warning: ${offset.envNote}; using ${offset.offsetMinutes} (${offsetOrigin(offset)})\n`);
  const resolved = resolveRunTz(tz, offset?.offsetMinutes ?? 0);
  const compiled = parseCron(mask, dialect);
  let failed = false;
  for (const f of resolved.issues) {
    printFinding(io, f, tz, "--tz ");
    if (f.severity === "error") failed = true;
  }
  for (const f of compiled.issues) {
    printFinding(io, f, mask, "");
    if (f.severity === "error") failed = true;
  }
  if (failed || !compiled.schedule || !resolved.zone) return 1;
  const zone = resolved.zone;

  let from = Date.now();
  if (options.from !== undefined) {
    const parsed = parseIsoInZone(String(options.from), zone);
    if (parsed === undefined) throw new CliError(`option '--from' needs an ISO 8601 time like 2026-03-29T02:30 or 2026-03-29T02:30:00+01:00, got '${String(options.from)}'`);
    from = parsed;
  }
  for (const w of zoneWarnings(compiled.schedule, zone, from)) printFinding(io, w, mask, "");

  const runs = compiled.schedule.nextRuns(from, zone, count).map((t) => formatInZone(t, zone));
  if (json) io.out(`${JSON.stringify(runs)}\n`);
  else io.out(`${describeCron(compiled.schedule, zone)}\n${runs.map((r) => `${r}\n`).join("")}`);
  return 0;
}

function offsetOrigin(m: MaintenanceOffset): string {
  switch (m.source) {
    case "override":
      return "--maintenance-offset";
    case "env":
      return "WEBHARE_MAINTENANCE_OFFSET";
    case "stored":
      return `stored in ${m.file ?? "the state folder"}`;
    case "created":
      return m.file ? `chosen now and stored in ${m.file}` : "chosen at random";
  }
}

/** "error: hour 24 is out of range 0-23 [cron-out-of-range]" + the text + carets under the span. */
function printFinding(io: NextOutput, f: Finding, text: string, prefix: string): void {
  const shown = text.replace(/[\t\r\n]/g, " ");
  const start = Math.max(0, Math.min(f.span.start, shown.length));
  const end = Math.max(start + 1, Math.min(f.span.end, shown.length));
  const fix = f.data?.replacement !== undefined && f.data.replacement !== "" ? `\n  fix: replace with '${f.data.replacement}'` : "";
  io.err(`${f.severity}: ${f.message} [${f.code}]\n  ${prefix}${shown}\n  ${" ".repeat(prefix.length + start)}${"^".repeat(end - start)}${fix}\n`);
}
