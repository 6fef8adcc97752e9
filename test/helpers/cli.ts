import { execFile } from "node:child_process";
import { join } from "node:path";

/** The built `modtasks` command (`npm run build` first), as users run it. */
export const MODTASKS_BIN = join(__dirname, "..", "..", "runtime", "bin", "modtasks.js");

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `modtasks ...args` in a child process and resolves with its exit code and output, also
 * when it fails (a failing command is what many tests are about). Without MODTASKS_SOCKET and
 * MODTASKS_DB from the test's own environment, so only the arguments choose the database.
 */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const base = { ...process.env };
  delete base.MODTASKS_SOCKET;
  delete base.MODTASKS_DB;
  return new Promise((resolve) => {
    execFile(process.execPath, [MODTASKS_BIN, ...args], { env: { ...base, ...env } }, (e, stdout, stderr) => {
      const code = e ? (typeof (e as { code?: unknown }).code === "number" ? ((e as { code: number }).code) : 1) : 0;
      resolve({ code, out: stdout, err: stderr });
    });
  });
}
