import { openRuntime, type RuntimeHandle } from "../api/runtime-handle";
import { parseArgs } from "./args";
import { CliError } from "./command";
import { dbFromOption, existingDb } from "./db-option";
import { taskDetails, taskLine } from "./format";
import { milliseconds } from "./values";

const HELP = `usage: modtasks tasks <action> [options]

  list [--type MASK] [--state S] [--limit N]   tasks, newest first (S: pending, retrying, running,
                                               failed, completed, cancelled, finished, stuck)
  describe ID                                  everything about one task
  result ID [--timeout MS] [--accept-cancel] [--accept-temp-failure] [--accept-perm-failure] [--accept-timeout]
                                               wait for a task and print its result
  retry ID...                                  run pending tasks now (never before notBefore)
  cancel ID                                    cancel (a running task's worker is killed)
  delete ID                                    remove a task
  reschedule ID                                queue a finished task again as a new task

  --db URL   task database (default: .modtasks/tasks.db beside the modules)
  --json     machine-readable output
`;

function taskId(s: string | undefined): number {
  const id = Number(s);
  if (!s || !Number.isInteger(id) || id <= 0) throw new CliError(`expected a task id, got '${s ?? ""}'`);
  return id;
}

export async function run(args: string[]): Promise<number> {
  const { positionals, options } = parseArgs(args, {
    db: { type: "string" },
    json: { type: "boolean" },
    type: { type: "string" },
    state: { type: "string", choices: ["pending", "retrying", "running", "failed", "completed", "cancelled", "finished", "stuck"] },
    limit: { type: "number" },
    timeout: { type: "number" },
    "accept-cancel": { type: "boolean" },
    "accept-temp-failure": { type: "boolean" },
    "accept-perm-failure": { type: "boolean" },
    "accept-timeout": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  const [action, ...rest] = positionals;
  if (options.help || !action) {
    process.stdout.write(HELP);
    return action || options.help ? 0 : 2;
  }
  const json = !!options.json;
  const out = (v: unknown, human: () => string) => process.stdout.write((json ? JSON.stringify(v, null, 2) : human()) + "\n");
  const db = existingDb(dbFromOption(options.db));
  let rt: RuntimeHandle;
  try {
    rt = await openRuntime({ db: db.kind === "sqlite" ? `sqlite:${db.path}` : db.url });
  } catch (e) {
    throw new CliError(`cannot open the task database: ${(e as Error).message}`, 1);
  }
  try {
    switch (action) {
      case "list": {
        const list = await rt.listTasks(String(options.type ?? "*"), {
          ...(options.state ? { state: options.state as never } : {}),
          limit: (options.limit as number | undefined) ?? 100,
        });
        out(list, () => (list.length ? list.map(taskLine).join("\n") : "no tasks"));
        return 0;
      }
      case "describe": {
        const t = await rt.describeTask(taskId(rest[0]));
        if (!t) throw new CliError(`No such task #${rest[0]}`, 1);
        out(t, () => taskDetails(t));
        return 0;
      }
      case "result": {
        const result = await rt.retrieveTaskResult(taskId(rest[0]), {
          ...(options.timeout !== undefined ? { timeout: milliseconds(Number(options.timeout), "--timeout") } : {}),
          acceptCancel: !!options["accept-cancel"],
          acceptTempFailure: !!options["accept-temp-failure"],
          acceptPermFailure: !!options["accept-perm-failure"],
          acceptTimeout: !!options["accept-timeout"],
        });
        process.stdout.write(JSON.stringify(result, null, json ? 2 : undefined) + "\n");
        return 0;
      }
      case "retry": {
        const ids = rest.map(taskId);
        if (!ids.length) throw new CliError("retry: expected one or more task ids");
        const n = await rt.retryTasks(ids);
        out({ retried: n }, () => `${n} pending task(s) will run now`);
        return n === ids.length ? 0 : 1;
      }
      case "cancel": {
        const r = await rt.cancelTask(taskId(rest[0]));
        out({ result: r }, () => (r === "cancelled" ? `task #${rest[0]} cancelled` : r === "finished" ? `task #${rest[0]} had already finished` : `No such task #${rest[0]}`));
        return r === "missing" ? 1 : 0;
      }
      case "delete": {
        const ok = await rt.deleteTask(taskId(rest[0]));
        out({ deleted: ok }, () => (ok ? `task #${rest[0]} deleted` : `No such task #${rest[0]}`));
        return ok ? 0 : 1;
      }
      case "reschedule": {
        const id = await rt.rescheduleTask(taskId(rest[0]));
        out({ id }, () => String(id));
        return 0;
      }
      default:
        throw new CliError(`unknown action '${action}'\n\n${HELP}`);
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message, 1);
  } finally {
    await rt.close();
  }
}
