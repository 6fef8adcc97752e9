/** A scheduled report: prints what the queue holds. `<arg>` values arrive as arguments. */
import { openRuntime } from "modtasks";

async function main() {
  const rt = await openRuntime({ db: process.env.MODTASKS_DB });
  const tasks = await rt.listTasks("hello:*", { limit: 1000 });
  const by = (s: string) => tasks.filter((t) => (t.state === "finished" ? t.outcome : t.state) === s).length;
  console.log(`${process.argv.includes("--cleanup") ? "cleanup" : "report"}: ${by("completed")} completed, ${by("pending")} pending, ${by("failed")} failed`);
  await rt.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
