import { ControlClient } from "../control/client";
import { controlSocketPath } from "../control/protocol";
import type { TimedTaskState } from "../scheduler/timed-scheduler";
import { parseArgs } from "./args";
import { CliError } from "./command";
import { dbFromOption } from "./db-option";
import { iso } from "./format";

const HELP = `usage: modtasks scheduled <action> [options]   (needs a running runtime)

  list                    scheduled tasks: next run, last run, state
  trigger MODULE:TAG      run now (also when disabled: once, it stays disabled);
                          waits until that run finished (exit 1 if it failed)
  enable MODULE:TAG       enable a scheduled task
  disable MODULE:TAG      disable it (no runs until enabled again)

  --db URL   task database (default: .modtasks/tasks.db beside the modules)
  --json     machine-readable output
  --no-wait  (trigger) return once the runtime has stored the request
`;

export async function run(args: string[], defaultAction?: string): Promise<number> {
  const { positionals, options } = parseArgs(args, { db: { type: "string" }, json: { type: "boolean" }, "no-wait": { type: "boolean" }, "node-name": { type: "string" }, help: { type: "boolean", short: "h" } });
  const [action, name] = defaultAction ? [defaultAction, positionals[0]] : positionals;
  if (options.help || !action) {
    process.stdout.write(HELP);
    return options.help ? 0 : 2;
  }
  const db = dbFromOption(options.db);
  const client = new ControlClient(controlSocketPath(db, options["node-name"] as string | undefined), { db });
  try {
    await client.connect();
  } catch {
    throw new CliError(`no modtasks runtime is running for this database (start one with \`modtasks run\`)`, 1);
  }
  try {
    const out = (v: unknown, human: string) => process.stdout.write((options.json ? JSON.stringify(v, null, 2) : human) + "\n");
    switch (action) {
      case "list": {
        const list = await client.request<TimedTaskState[]>("scheduled");
        out(
          list,
          list.length
            ? list
                .map((t) => `${t.name}  ${t.runat || "(no runat)"}${t.runtz ? ` ${t.runtz}` : ""}  next ${iso(t.nextRun)}  last ${iso(t.lastRun)} ${lastOutcome(t)}${t.running ? "  RUNNING" : ""}${t.enabled ? "" : "  disabled"}${t.unrunnable ? `  cannot run: ${t.unrunnable}` : ""}`)
                .join("\n")
            : "no scheduled tasks",
        );
        return 0;
      }
      case "trigger": {
        if (!name) throw new CliError("trigger: expected MODULE:TAG");
        if (options["no-wait"]) {
          // Wait for the runtime's acknowledgement (the request is stored), not for the run:
          // closing the connection before the request arrived would lose it.
          await client.request("trigger", { name, wait: false });
          out({ requested: name }, `requested a run of ${name}`);
          return 0;
        }
        const r = await client.request<{ ok: boolean; error: string | null; warning?: string | null; start: number }>("trigger", { name });
        out(r, r.ok ? `${name} ran at ${iso(r.start)}: ok${r.warning ? ` (warning: ${firstLine(r.warning)})` : ""}` : `${name} ran at ${iso(r.start)} and failed: ${r.error}`);
        return r.ok ? 0 : 1;
      }
      case "enable":
      case "disable": {
        if (!name) throw new CliError(`${action}: expected MODULE:TAG`);
        await client.request("set-enabled", { name, enabled: action === "enable" });
        out({ name, enabled: action === "enable" }, `${name} ${action}d`);
        return 0;
      }
      default:
        throw new CliError(`unknown action '${action}'\n\n${HELP}`);
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message, 1);
  } finally {
    client.close();
  }
}

const firstLine = (s: string) => s.split("\n")[0]!;

/** How the last run went: a failure's first line, or ok with the warning (stderr with exit 0) if any. */
function lastOutcome(t: TimedTaskState): string {
  if (t.lastOk === false) return `FAILED: ${firstLine(t.lastError ?? "")}`;
  if (t.lastOk) return t.lastWarning ? `ok, warning: ${firstLine(t.lastWarning)}` : "ok";
  return "";
}
