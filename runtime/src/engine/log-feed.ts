/**
 * The runtime's log for clients that asked for it (control op `subscribe` with `logs: true`):
 * an editor attached to a runtime it did not start has no stdout to read, so every line the
 * runtime logs is also sent to them as `{"event":"log","level":…,"text":…,"at":…}`. Subscribers
 * that did not ask get nothing (the log can be chatty), and without any it costs one check.
 */
export interface LogSubscriber {
  send(line: object): void;
}

export interface LogEvent {
  event: "log";
  level: "info" | "warn" | "error";
  text: string;
  at: number;
}

export class LogFeed {
  private readonly subscribers = new Set<LogSubscriber>();

  add(s: LogSubscriber): void {
    this.subscribers.add(s);
  }

  remove(s: LogSubscriber): void {
    this.subscribers.delete(s);
  }

  get size(): number {
    return this.subscribers.size;
  }

  publish(level: LogEvent["level"], text: string, at = Date.now()): void {
    if (this.subscribers.size === 0) return;
    const line: LogEvent = { event: "log", level, text, at };
    for (const s of this.subscribers) s.send(line);
  }
}
