// An on-demand backend service (modtasks.json "onDemand": true): stopped until a client opens it,
// or until Start Service in the Task Queue starts it (test/e2e/workbench.test.ts).
import { runBackendService } from "modtasks";

void runBackendService("e2emod:greeter", (name: string) => ({
  greet: () => `Hello, ${name}!`,
}));
