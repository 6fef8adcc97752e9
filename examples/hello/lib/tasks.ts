import { ManagedTaskBase, type TaskRequest } from "modtasks";

interface GreetData {
  name: string;
}

/** Writes a greeting into the task database; the row and the task's completion commit together. */
export class GreetTask extends ManagedTaskBase<GreetData> {
  async runTask(data: GreetData) {
    await this.db.execute("CREATE TABLE IF NOT EXISTS greetings (name TEXT NOT NULL, taskid INTEGER NOT NULL)");
    await this.db.execute("INSERT INTO greetings (name, taskid) VALUES ($1, $2)", [data.name, this.taskId]);
    this.resolveByCompletion({ greeting: `Hello, ${data.name}!` });
  }
}

/** A taskrunner function: returns the resolution. */
export async function addNumbers(req: TaskRequest<{ a: number; b: number }>) {
  return req.resolveByCompletion({ sum: req.taskdata.a + req.taskdata.b });
}

/** Fails on the first attempt, succeeds on the next (see failreschedule in the definition). */
export async function flaky(req: TaskRequest<{ label: string }>) {
  if (req.numFailures === 0) return req.resolveByTemporaryFailure("first attempts always fail");
  return req.resolveByCompletion({ label: req.taskdata.label, attempts: req.numFailures + 1 });
}

/** An ephemeral task: its caller waits for this result. */
export async function render(req: TaskRequest<{ title: string }>) {
  return req.resolveByCompletion({ html: `<h1>${req.taskdata.title.replace(/[<&>]/g, "")}</h1>` });
}
