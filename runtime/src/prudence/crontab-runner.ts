import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Zone } from "../cron/index";
import { isLiteralCode, literalCode } from "../crontab/documents";
import { type CrontabEntry, parseCrontab, parseSystemCrontab, type SystemCrontabEntry } from "../crontab/parse";
import type { ModuleInfo } from "../engine/modules";
import type { Clock } from "../scheduler/clock";
import type { BackgroundTasks } from "./background";
import { runSystemCommand } from "./system-command";

interface Armed {
  module: ModuleInfo;
  entry: CrontabEntry | SystemCrontabEntry;
  system: boolean;
  next: number | undefined;
}

/**
 * Prudence-style crontab files: `crontab` in a module folder (`<pattern> <document> [context]`,
 * prudence dialect: `|` unions count as one match, `L`, names, day of month AND day of week) and
 * optionally `crontab.system` (programs, with ENV:/DIR:/OUT:/ERR:/IN: options). The runner is
 * node-local and keeps no state, as in Prudence: missed minutes are not caught up. Each line is
 * its own job, so the same document on two lines may start twice in one minute.
 */
export class CrontabRunner {
  private armed: Armed[] = [];
  private cancelTimer: (() => void) | undefined;
  private stopped = false;
  /** `crontab.system` programs still running. */
  private readonly systemRuns = new Set<Promise<unknown>>();

  constructor(
    private readonly o: {
      background: BackgroundTasks;
      clock: Clock;
      /** Zone of the crontab masks (Prudence: the host's). */
      zone: Zone;
      systemCrontab: boolean;
      env: () => NodeJS.ProcessEnv;
      log: (level: "info" | "warn" | "error", text: string) => void;
    },
  ) {}

  /** (Re)reads the crontab files of these modules; called at start and after every change. */
  sync(modules: ModuleInfo[]): void {
    const now = this.o.clock.now();
    const armed: Armed[] = [];
    for (const m of modules) {
      const file = join(m.dir, "crontab");
      if (existsSync(file)) {
        const parsed = parseCrontab(readFileSync(file, "utf8"));
        for (const f of parsed.findings) if (f.severity === "error") this.o.log("warn", `${file}: ${f.message} (line skipped)`);
        for (const e of parsed.entries) if (e.compiled.schedule) armed.push({ module: m, entry: e, system: false, next: e.compiled.schedule.next(now, this.o.zone) });
      }
      const sysFile = join(m.dir, "crontab.system");
      if (existsSync(sysFile)) {
        if (!this.o.systemCrontab) {
          this.o.log("warn", `${sysFile} is ignored: system crontabs run only when enabled (--system-crontab, trusted workspaces only)`);
          continue;
        }
        const parsed = parseSystemCrontab(readFileSync(sysFile, "utf8"));
        for (const f of parsed.findings) if (f.severity === "error") this.o.log("warn", `${sysFile}: ${f.message} (line skipped)`);
        for (const e of parsed.entries) if (e.compiled.schedule) armed.push({ module: m, entry: e, system: true, next: e.compiled.schedule.next(now, this.o.zone) });
      }
    }
    this.armed = armed;
    this.arm();
  }

  get entries(): { module: string; line: number; what: string; next: number | undefined }[] {
    return this.armed.map((a) => ({ module: a.module.name, line: a.entry.line + 1, what: "document" in a.entry ? a.entry.document : a.entry.command, next: a.next }));
  }

  private arm(): void {
    this.cancelTimer?.();
    if (this.stopped) return;
    const next = Math.min(...this.armed.map((a) => a.next ?? Infinity));
    if (next === Infinity) return;
    this.cancelTimer = this.o.clock.setTimer(next, () => this.fireDue());
  }

  /** Starts every line whose minute has come (one start per line), then re-arms. */
  fireDue(): void {
    const now = this.o.clock.now();
    for (const a of this.armed) {
      if (a.next === undefined || a.next > now) continue;
      this.start(a);
      a.next = a.entry.compiled.schedule!.next(now, this.o.zone);
    }
    this.arm();
  }

  private start(a: Armed): void {
    try {
      if (a.system) {
        const e = a.entry as SystemCrontabEntry;
        const run = runSystemCommand(e, a.module.dir, this.o.env()).then((r) => {
          if (!r.ok) this.o.log("warn", `crontab.system line ${e.line + 1} (${e.command}): ${r.error}`);
        });
        this.systemRuns.add(run);
        void run.finally(() => this.systemRuns.delete(run));
        return;
      }
      const e = a.entry as CrontabEntry;
      const context = e.context ?? null;
      if (isLiteralCode(e.document)) this.o.background.execute({ module: a.module.name, code: literalCode(e.document), context });
      else this.o.background.execute({ module: a.module.name, document: e.document, context });
    } catch (err) {
      this.o.log("warn", `crontab of ${a.module.name}, line ${a.entry.line + 1}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Resolves when the `crontab.system` programs started so far have ended. */
  async whenSystemRunsDone(): Promise<void> {
    while (this.systemRuns.size) await Promise.all([...this.systemRuns]);
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
  }
}
