import { openRuntime } from "../api/runtime-handle";
import { findModules } from "../engine/modules";
import { describeDb } from "../queue/open-store";
import { parseArgs } from "./args";
import { CliError } from "./command";
import { dbFromOption } from "./db-option";
import { isoTime, milliseconds, priority } from "./values";

const HELP = `usage: modtasks schedule <module:type> [json-data] [options]

Queues managed tasks and prints their ids, one per line. The task types come from the modules
below the current folder (or --modules), else from what a runtime published in the database.

  --db URL            task database (default: .modtasks/tasks.db beside the modules)
  --not-before ISO    do not run before this time: ISO 8601, e.g. 2030-12-25T08:00:00Z
                      (a date alone is midnight UTC; a time without a zone is local time)
  --priority P        background | normal | interactive | update | updateinteractive, or an
                      integer from -1000 to 1000 (lower runs first; normal is 0)
  --timeout MS        per-task timeout override (milliseconds; 0: none)
  --auxdata JSON      auxiliary data merged into the data at run time
  --count N           queue N identical tasks (one transaction)
  --modules DIR       module folder(s) to read declarations from (repeatable)
`;

export async function run(args: string[]): Promise<number> {
  const { positionals, options } = parseArgs(args, {
    db: { type: "string" },
    "not-before": { type: "string" },
    priority: { type: "string" },
    timeout: { type: "number" },
    auxdata: { type: "string" },
    count: { type: "number" },
    modules: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  });
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [type, json, ...extra] = positionals;
  if (!type) throw new CliError("missing the task type (module:type)\n\n" + HELP);
  if (extra.length) throw new CliError(`unexpected argument '${extra[0]}' (quote the JSON data as one argument)`);
  let data: unknown = null;
  if (json !== undefined) {
    try {
      data = JSON.parse(json);
    } catch (e) {
      throw new CliError(`the data is not valid JSON: ${(e as Error).message}`);
    }
  }
  let auxdata: unknown;
  if (options.auxdata !== undefined) {
    try {
      auxdata = JSON.parse(String(options.auxdata));
    } catch (e) {
      throw new CliError(`--auxdata is not valid JSON: ${(e as Error).message}`);
    }
  }
  const notBefore = options["not-before"] !== undefined ? isoTime(String(options["not-before"]), "--not-before") : undefined;
  const prio = options.priority !== undefined ? priority(String(options.priority)) : undefined;
  const timeout = options.timeout !== undefined ? milliseconds(Number(options.timeout), "--timeout") : undefined;
  const count = (options.count as number | undefined) ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new CliError("--count must be a positive integer");
  const moduleArg = options.modules as string[] | undefined;
  let modules: string[] | undefined;
  try {
    modules = moduleArg ?? findModules(["."]).map((m) => m.dir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (modules.length === 0) modules = undefined;
  const db = dbFromOption(options.db, modules);
  const rt = await openRuntime({ db: db.kind === "sqlite" ? `sqlite:${db.path}` : db.url, ...(modules ? { modules } : {}) });
  try {
    const ids = await rt.transaction((tx) =>
      tx.scheduleManagedTasks(type, Array.from({ length: count }, () => data), {
        ...(notBefore !== undefined ? { notBefore } : {}),
        ...(prio !== undefined ? { priority: prio } : {}),
        ...(timeout !== undefined ? { timeout } : {}),
        ...(auxdata !== undefined ? { auxdata } : {}),
      }),
    );
    process.stdout.write(ids.join("\n") + "\n");
    return 0;
  } catch (e) {
    throw new CliError(`${(e as Error).message} (database ${describeDb(db)})`, 1);
  } finally {
    await rt.close();
  }
}
