import assert from "node:assert/strict";
import { test } from "node:test";
import { runOracle } from "./oracle-run";

test("the prudence dialect agrees with the brute-force oracle in 8 zones over 10 years of DST transitions", () => {
  const r = runOracle("prudence", 202);
  // Every transition of every zone is the start of some case (unless the run was scaled down).
  if (r.masks >= 500) {
    assert.equal(r.transitionsCovered, r.transitionsTotal);
    assert.ok(r.masks >= 500);
  }
  assert.ok(r.comparedRuns > r.cases, `compared ${r.comparedRuns} runs in ${r.cases} cases`);
  console.log(`  prudence: ${r.masks} masks, ${r.cases} cases, ${r.comparedRuns} runs compared, ${r.transitionsCovered}/${r.transitionsTotal} transitions`);
});
