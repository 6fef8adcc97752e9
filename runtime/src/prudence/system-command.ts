import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { SystemCrontabEntry } from "../crontab/parse";

/**
 * One `crontab.system` line: a program with its arguments, environment additions (ENV:),
 * working folder (DIR:) and redirections (OUT:/ERR: append, IN:). Relative paths are taken
 * from the module folder.
 */
export function runSystemCommand(e: SystemCrontabEntry, moduleDir: string, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; error: string | null }> {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(moduleDir, p));
  const fds: number[] = [];
  const open = (p: string | undefined, flags: string) => {
    if (!p) return "ignore" as const;
    const fd = openSync(at(p), flags);
    fds.push(fd);
    return fd;
  };
  return new Promise((done) => {
    let child;
    try {
      child = spawn(e.command, e.args, {
        cwd: e.dir ? at(e.dir) : moduleDir,
        env: { ...env, ...e.env },
        stdio: [open(e.in, "r"), open(e.out, "a"), open(e.err, "a")],
      });
    } catch (err) {
      for (const fd of fds) closeSync(fd);
      return done({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
    const close = () => fds.splice(0).forEach((fd) => closeSync(fd));
    child.on("error", (err) => {
      close();
      done({ ok: false, error: `cannot start '${e.command}': ${err.message}` });
    });
    child.on("close", (code, signal) => {
      close();
      done(code === 0 ? { ok: true, error: null } : { ok: false, error: code === null ? `killed by signal ${signal}` : `exited with code ${code}` });
    });
  });
}
