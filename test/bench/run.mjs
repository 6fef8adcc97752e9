// Runs the benchmarks (`npm run bench`). Each *.bench.ts prints its own figures and the ratio
// against a baseline it measures in the same run. Benchmarks never fail the build on speed:
// targets are printed next to the figures, so a reviewer sees both.
// Usage: node test/bench/run.mjs [substring...]
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const root = join(dir, "..", "..");
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => /\.bench\.(ts|mjs)$/.test(f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", join(dir, f)], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.log(`(${f} exited with ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);
