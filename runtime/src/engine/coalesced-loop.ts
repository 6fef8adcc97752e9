/**
 * "Look for work" triggered from many places (NOTIFYs, freed workers, timers): at most one
 * round runs at a time, and wake-ups during a round fold into one more round instead of piling
 * up concurrent claims. A round returns true when it may have left work behind (it filled its
 * room), which asks for another round at once.
 */
export class CoalescedLoop {
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly round: () => Promise<boolean>,
    private readonly onError: (e: unknown) => void,
  ) {}

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.run();
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        if (await this.round()) this.again = true;
      } while (this.again && !this.stopped);
    } catch (e) {
      this.onError(e);
    } finally {
      this.running = false;
    }
  }
}
