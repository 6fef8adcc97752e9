import assert from "node:assert/strict";
import { test } from "node:test";
import { DIALECTS, parseCron } from "../../runtime/src/cron";
import { parseCrontab, parseSystemCrontab } from "../../runtime/src/crontab/parse";
import { prng } from "./oracle-lib";

const SEED = Number(process.env.CRON_FUZZ_SEED ?? 4242);
const ALPHABET = "0123456789*/-,?#LW |@ \tMONJAFSDmonjanfridlyw\u00a0\u{1F600}.x";
const VALID = ["0 15 * * 1", "*/5 5-7 * * *|*/30 0-4,8-23 * * *", "59 23 * * tue,fri", "0 0 L * *", "@daily", "13 0 * * *", "0 9-17/2 * JAN-MAR MON-FRI"];

function mutate(rnd: () => number, s: string): string {
  const chars = [...s];
  const ops = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(rnd() * (chars.length + 1));
    const c = [...ALPHABET][Math.floor(rnd() * [...ALPHABET].length)]!;
    const op = rnd();
    if (op < 0.4) chars.splice(at, 0, c);
    else if (op < 0.7) chars.splice(at, 1);
    else chars[at] = c;
  }
  return chars.join("");
}

test("parseCron never throws on random strings and mutations, and keeps its invariants", () => {
  const rnd = prng(SEED);
  const alphabet = [...ALPHABET];
  let withSchedule = 0;
  for (let i = 0; i < 4000; i++) {
    const mask =
      i % 2 === 0
        ? Array.from({ length: Math.floor(rnd() * 30) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("")
        : mutate(rnd, VALID[i % VALID.length]!);
    for (const d of DIALECTS) {
      let c;
      try {
        c = parseCron(mask, d);
      } catch (e) {
        assert.fail(`seed ${SEED} case ${i}: parseCron(${JSON.stringify(mask)}, ${d}) threw ${String(e)}`);
      }
      assert.ok(!c.issues.some((f) => f.code === "cron-internal"), `seed ${SEED} case ${i}: internal error for ${JSON.stringify(mask)} (${d}): ${JSON.stringify(c.issues)}`);
      for (const f of c.issues) {
        assert.ok(f.span.start >= 0 && f.span.start <= f.span.end && f.span.end <= mask.length, `span ${JSON.stringify(f.span)} outside ${JSON.stringify(mask)}`);
        assert.ok(f.message.length > 0);
      }
      assert.equal(c.schedule !== undefined, !c.issues.some((f) => f.severity === "error"), JSON.stringify(mask));
      if (c.schedule) {
        withSchedule++;
        // Anything that compiles can be scheduled and described.
        const t = c.schedule.next(Date.UTC(2026, 0, 1), { kind: "iana", name: "Europe/Amsterdam" });
        assert.ok(t !== undefined && t > Date.UTC(2026, 0, 1), `no next run for ${JSON.stringify(mask)} (${d})`);
        assert.ok(c.schedule.describe().length > 0);
      }
    }
  }
  assert.ok(withSchedule > 100, `only ${withSchedule} fuzzed masks compiled`);
});

test("the crontab parsers never throw on garbage files", () => {
  const rnd = prng(SEED + 1);
  for (let i = 0; i < 500; i++) {
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => mutate(rnd, `${VALID[Math.floor(rnd() * VALID.length)]} /tasks/x/ "a b" <% c %> ENV:A=b`));
    const text = lines.join(rnd() < 0.5 ? "\n" : "\r\n");
    for (const parse of [parseCrontab, parseSystemCrontab]) {
      const r = parse(text);
      for (const f of r.findings) assert.ok(f.span.start >= 0 && f.span.end <= text.length && f.span.start <= f.span.end);
    }
  }
});
