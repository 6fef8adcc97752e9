import type { Clock } from "../../runtime/src/scheduler/clock";

/** A clock the test moves by hand; timers fire when it passes them. */
export class FakeClock implements Clock {
  private timers: { at: number; fn: () => void; live: boolean }[] = [];
  constructor(public t: number) {}

  now(): number {
    return this.t;
  }

  setTimer(at: number, fn: () => void): () => void {
    const timer = { at, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** The earliest pending timer, if any. */
  nextTimer(): number | undefined {
    const live = this.timers.filter((t) => t.live);
    return live.length ? Math.min(...live.map((t) => t.at)) : undefined;
  }

  /** Moves to `t`, firing every timer due by then (in time order). */
  advanceTo(t: number): void {
    this.t = t;
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= t).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      due.fn();
    }
    this.timers = this.timers.filter((x) => x.live);
  }
}
