/**
 * Runs at every start of the runtime (`runatstartup`): queues the demo's managed tasks in one
 * transaction, asks for an ephemeral result, and starts two Prudence-style background tasks. The runtime gives scheduled scripts its database
 * (MODTASKS_DB) and control socket (MODTASKS_SOCKET), so openRuntime() needs no arguments here.
 */
import { openRuntime } from "modtasks";

async function main() {
  const rt = await openRuntime({ db: process.env.MODTASKS_DB });
  const ids = await rt.transaction(async (tx) => [
    await tx.scheduleManagedTask("hello:greet", { name: "world" }),
    await tx.scheduleManagedTask("hello:add", { a: 20, b: 22 }),
    await tx.scheduleManagedTask("hello:flaky", { label: "demo" }),
  ]);
  console.log(`queued managed tasks ${ids.map((id) => `#${id}`).join(", ")}`);
  const page = await rt.scheduleEphemeralTask("hello:render", { title: "modtasks demo" });
  console.log(`ephemeral result: ${JSON.stringify(page)}`);

  // Prudence-style background tasks: an entry point (returns a value) and a program.
  const thumb = await rt.executeTask({ module: "hello", document: "/tasks/thumbnail/", entryPoint: "resize", context: { width: 4000, height: 3000, max: 640 } });
  console.log(`entry point result: ${JSON.stringify(await thumb.result(10_000))}`);
  const program = await rt.executeTask({ module: "hello", document: "/tasks/notify/", context: "sent by the seed script" });
  await program.result(10_000);
  await rt.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
