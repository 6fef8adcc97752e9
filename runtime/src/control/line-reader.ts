/**
 * Splits a byte stream into newline-terminated lines (the framing of the control protocol and of
 * backend services). A line longer than `maxLine` is a protocol error: the reader stops, so a
 * peer cannot make us buffer without bound.
 */
export class LineReader {
  private buffer = "";
  private dead = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
    private readonly maxLine: number,
  ) {}

  push(chunk: string): void {
    if (this.dead) return;
    let text = this.buffer ? this.buffer + chunk : chunk;
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf("\n", start)) >= 0) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (line.trim().length) this.onLine(line);
      if (this.dead) return;
    }
    text = start === 0 ? text : text.slice(start);
    if (text.length > this.maxLine) {
      this.stop();
      this.onOverflow();
      return;
    }
    this.buffer = text;
  }

  /** Stops reading (after a protocol error). */
  stop(): void {
    this.dead = true;
    this.buffer = "";
  }
}
