/**
 * Node's setTimeout takes at most 2^31-1 ms: a longer delay (a task timeout of 35 days, a result
 * wait of `--timeout 3000000000`) fires after 1 ms instead, with only a warning. Every timer fed
 * by user input goes through here.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimeout {
  clear(): void;
}

/** Calls fn after `ms` (any finite length): waits in steps of at most MAX_TIMER_MS. */
export function setLongTimeout(fn: () => void, ms: number, opts: { unref?: boolean } = {}): LongTimeout {
  const due = Date.now() + ms;
  let t: NodeJS.Timeout;
  const arm = (wait: number) => {
    t = setTimeout(() => {
      const left = due - Date.now();
      if (left > 0) arm(left);
      else fn();
    }, Math.max(0, Math.min(wait, MAX_TIMER_MS)));
    if (opts.unref) t.unref();
  };
  arm(ms);
  return { clear: () => clearTimeout(t) };
}
