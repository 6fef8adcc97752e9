import { setLongTimeout } from "../workers/long-timeout";

/**
 * Time for the scheduler, injectable so tests can jump across months and DST changes without
 * waiting for real minutes.
 */
export interface Clock {
  now(): number;
  /** Calls fn at (or soon after) `at`; returns a canceller. */
  setTimer(at: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    // Months ahead is normal for a cron time: setLongTimeout re-arms past Node's 2^31-1 ms limit.
    const t = setLongTimeout(fn, at - Date.now(), { unref: true });
    return () => t.clear();
  },
};
