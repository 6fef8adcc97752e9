import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { it } from "node:test";
import { checkModuleDefinition, memoryFs, parseModuleDefinition } from "../../runtime/src/definition";
import { nodeAt } from "../../runtime/src/xml";
import { corpus, mutate, prng } from "./helpers";

/**
 * Thousands of random mutations and truncations of the corpus files: the parser and the checker
 * (with every cross-file check, against an in-memory copy of the module trees) never throw, never
 * hang, and only report spans inside the text. Deterministic: a failure names its seed and input.
 */
const MUTATIONS = 5000;
const TRUNCATIONS = 500;
/** A hang guard, not a speed target (the definition benchmark measures speed): generous for a loaded CI machine. */
const PER_RUN_LIMIT_MS = 5000;

function snapshot(dir: string, out: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) snapshot(p, out);
    else out[join("/corpus", relative(corpus, p))] = readFileSync(p, "utf8");
  }
  return out;
}

it(`parser and checker survive ${MUTATIONS} mutations and ${TRUNCATIONS} truncations of the corpus`, { timeout: 300_000 }, () => {
  const files = snapshot(corpus);
  const fs = memoryFs(files);
  const sources = ["system", "publisher"].map((m) => ({ file: `/corpus/${m}/moduledefinition.xml`, text: files[`/corpus/${m}/moduledefinition.xml`]! }));
  const rnd = prng(424242);
  let slowest = 0;
  let findings = 0;
  for (let i = 0; i < MUTATIONS + TRUNCATIONS; i++) {
    const src = sources[i % sources.length]!;
    let text = src.text;
    if (i < MUTATIONS) {
      // Two in three mutate inside the <servicemanager> section: that is where the checks are.
      const n = 1 + Math.floor(rnd() * 6);
      const inside = i % 3 !== 0;
      for (let k = 0; k < n; k++) {
        const from = inside ? Math.max(0, text.indexOf("<servicemanager")) : 0;
        const end = text.indexOf("</servicemanager>");
        text = mutate(text, rnd, from, inside && end > from ? end + 17 : text.length + 1);
      }
    } else text = text.slice(0, Math.floor(rnd() * text.length));
    const t0 = performance.now();
    try {
      const def = parseModuleDefinition(text, { file: src.file });
      const out = checkModuleDefinition(def, { fs, maintenanceOffsetMinutes: 30, runatDialect: i % 3 === 0 ? "extended" : "webhare" });
      for (const f of out) {
        assert.ok(f.span.start >= 0 && f.span.end <= text.length && f.span.start <= f.span.end, `span out of range: ${JSON.stringify(f)}`);
        assert.ok(typeof f.code === "string" && f.code !== "" && typeof f.message === "string", JSON.stringify(f));
      }
      findings += out.length;
      for (let k = 0; k < 5; k++) nodeAt(def.xml, Math.floor(rnd() * (text.length + 1)));
    } catch (e) {
      assert.fail(`iteration ${i} threw ${e instanceof Error ? e.stack : String(e)}\ninput: ${JSON.stringify(text.slice(0, 2000))}`);
    }
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    assert.ok(ms < PER_RUN_LIMIT_MS, `iteration ${i} took ${ms.toFixed(0)} ms`);
  }
  assert.ok(findings > 0);
});
