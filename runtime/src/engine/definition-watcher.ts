import { type FSWatcher, watch } from "node:fs";
import { dirname } from "node:path";

/**
 * Watches module definitions (and the crontab files and modtasks.json beside them) so edits take effect without a
 * restart. Watches the folders, not the files: editors often save by replacing the file, which
 * a file watch would lose. Changes are debounced into one reload.
 */
export class DefinitionWatcher {
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly files: () => string[],
    private readonly onChange: () => void,
    private readonly debounceMs = 200,
  ) {}

  start(): void {
    this.refresh();
  }

  /** Re-targets the watches (the set of modules may have changed). */
  refresh(): void {
    this.stopWatching();
    for (const dir of new Set(this.files().map((f) => dirname(f)))) {
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          if (name && !/^(moduledefinition\.xml|crontab|crontab\.system|modtasks\.json)$/.test(String(name))) return;
          clearTimeout(this.timer);
          this.timer = setTimeout(this.onChange, this.debounceMs);
          this.timer.unref();
        });
        w.on("error", () => {});
        this.watchers.push(w);
      } catch {
        // the folder vanished; the next reload re-targets
      }
    }
  }

  private stopWatching(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  stop(): void {
    clearTimeout(this.timer);
    this.stopWatching();
  }
}
