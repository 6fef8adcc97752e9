// A backend service the end-to-end suite shows in the Task Queue (test/e2e/workbench.test.ts):
// always on, started with the runtime (modtasks.json), restarted from the tree's context menu.
import { runBackendService } from "modtasks";

void runBackendService("e2emod:echo", () => ({
  echo: (value: unknown) => value,
  pid: () => process.pid,
}));
