/**
 * The `modtasks` command line: the contract that tests, other editors and CI use.
 * Each subcommand lives in its own file and is loaded only when asked for, so `modtasks lsp`
 * and `modtasks check` never load the database drivers.
 */
import { CliError, type CommandModule } from "./command";

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  check: { summary: "check moduledefinition.xml and crontab files", load: () => import("./check") },
  next: { summary: "print the next run times of a cron mask", load: () => import("./next") },
  timeline: { summary: "show when scheduled tasks run, with DST changes and collisions (text or SVG)", load: () => import("./timeline") },
  run: { summary: "run the local runtime for modules (foreground)", load: () => import("./run") },
  schedule: { summary: "queue managed tasks", load: () => import("./schedule") },
  tasks: { summary: "list, describe, retry, cancel, delete tasks; wait for a result", load: () => import("./tasks") },
  status: { summary: "show the running runtime and the queue", load: () => import("./status") },
  scheduled: { summary: "list, trigger, enable or disable scheduled tasks", load: () => import("./scheduled") },
  trigger: { summary: "run a scheduled task now and wait for it", load: () => import("./trigger") },
  services: { summary: "list backend services; start, stop or restart one", load: () => import("./services") },
  call: { summary: "call a method of a backend service and print the result", load: () => import("./call") },
  lsp: { summary: "run the language server (--stdio)", load: () => import("./lsp") },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    "usage: modtasks <command> [options]",
    "",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `modtasks <command> --help` for a command's options.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage() + "\n");
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${typeof MODTASKS_VERSION === "string" ? MODTASKS_VERSION : "dev"}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`modtasks: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const mod = await entry.load();
  try {
    return await mod.run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`modtasks ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

declare const MODTASKS_VERSION: string;

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`modtasks: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
