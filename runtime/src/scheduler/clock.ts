/**
 * Time for the scheduler, injectable so tests can jump across months and DST changes without
 * waiting for real minutes.
 */
export interface Clock {
  now(): number;
  /** Calls fn at (or soon after) `at`; returns a canceller. */
  setTimer(at: number, fn: () => void): () => void;
}

/** Longest single timer: Node's setTimeout overflows above 2^31-1 ms; re-arming covers longer waits. */
const MAX_TIMER = 2 ** 31 - 1;

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    let t: NodeJS.Timeout;
    const arm = () => {
      const wait = at - Date.now();
      t = setTimeout(wait > MAX_TIMER ? arm : fn, Math.max(0, Math.min(wait, MAX_TIMER)));
      t.unref();
    };
    arm();
    return () => clearTimeout(t);
  },
};
