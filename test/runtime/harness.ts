import { join } from "node:path";
import { openRuntime, type RuntimeHandle } from "../../runtime/src/api/runtime-handle";
import type { TaskEvent } from "../../runtime/src/engine/dispatcher";
import { Runtime, type RuntimeOptions } from "../../runtime/src/engine/runtime";
import type { DbUnderTest } from "../helpers/stores";

export const TMOD = join(__dirname, "..", "fixtures", "runtime", "tmod");

/** A runtime (in this process, with real worker processes) plus an application handle on its database. */
export interface Harness {
  rt: Runtime;
  api: RuntimeHandle;
  url: string;
  /** Resolves with the first event that matches. */
  nextEvent(match: (e: TaskEvent) => boolean): Promise<TaskEvent>;
  /** The runtime's log lines so far (`level: text`). */
  logs: string[];
  /** Resolves with the first log line (already logged, or to come) that matches. */
  nextLog(match: RegExp): Promise<string>;
  stop(): Promise<void>;
}

export async function startHarness(dbut: DbUnderTest, opts: Partial<RuntimeOptions> = {}): Promise<Harness> {
  const made = await dbut.create();
  const logs: string[] = [];
  const logWaiters = new Set<(line: string) => void>();
  const rt = await Runtime.start({
    db: made.db,
    moduleDirs: [TMOD],
    workers: 2,
    log: (level, text) => {
      const line = `${level}: ${text}`;
      logs.push(line);
      for (const w of logWaiters) w(line);
    },
    ...opts,
  });
  const api = await openRuntime({ db: made.url, modules: [TMOD] });
  return {
    rt,
    api,
    url: made.url,
    logs,
    nextLog(match) {
      return new Promise((resolve) => {
        const seen = logs.find((l) => match.test(l));
        if (seen) return resolve(seen);
        const w = (line: string) => {
          if (!match.test(line)) return;
          logWaiters.delete(w);
          resolve(line);
        };
        logWaiters.add(w);
      });
    },
    nextEvent(match) {
      return new Promise((resolve) => {
        const off = rt.onEvent((e) => {
          if (match(e)) {
            off();
            resolve(e);
          }
        });
      });
    },
    async stop() {
      await api.close();
      await rt.stop();
      await made.cleanup();
    },
  };
}

/** Schedules one task in its own transaction and returns its id. */
export function schedule(h: Harness, type: string, data: unknown, opts: Parameters<RuntimeHandle["transaction"]> extends never ? never : object = {}): Promise<number> {
  return h.api.transaction((tx) => tx.scheduleManagedTask(type, data, opts));
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
