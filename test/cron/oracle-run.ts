/**
 * Drives the oracle comparison for one dialect (one test file per dialect, so the runner can
 * use both cores). Scale and seed come from the environment so a failure can be replayed:
 *   CRON_ORACLE_SEED=123 CRON_ORACLE_MASKS=500 node test/run.mjs cron-oracle-webhare
 */
import assert from "node:assert/strict";
import { parseCron, type CronDialect, type Zone } from "../../runtime/src/cron";
import { generateMasks, OracleZone, oracleRuns, prng } from "./oracle-lib";

export const ORACLE_ZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "America/Santiago", "Africa/Cairo", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham"];

/** Ten years with every kind of transition: Cairo's DST returned in 2023, Santiago's at midnight. */
const FROM = Date.UTC(2020, 0, 1);
const TO = Date.UTC(2030, 0, 1);
const MINUTE = 60_000;
/** Runs compared per case, and how far the walk may go (masks with rarer runs compare fewer). */
const RUNS = 3;
const CAP_MINUTES = 45 * 1440;

const oracleZones = new Map<string, OracleZone>();
const transitionCache = new Map<string, number[]>();

function oracleZone(name: string): OracleZone {
  let z = oracleZones.get(name);
  if (!z) oracleZones.set(name, (z = new OracleZone(name)));
  return z;
}

/** Every transition of the zone in the ten years (UTC ms), found by the oracle itself. */
export function transitionsOf(name: string): number[] {
  let ts = transitionCache.get(name);
  if (!ts) transitionCache.set(name, (ts = oracleZone(name).transitions(FROM / MINUTE, TO / MINUTE).map((t) => t * MINUTE)));
  return ts;
}

export interface OracleReport {
  cases: number;
  masks: number;
  comparedRuns: number;
  transitionsCovered: number;
  transitionsTotal: number;
}

export function runOracle(dialect: CronDialect, defaultSeed: number): OracleReport {
  const seed = Number(process.env.CRON_ORACLE_SEED ?? defaultSeed);
  const maskCount = Number(process.env.CRON_ORACLE_MASKS ?? 500);
  const masks = generateMasks(dialect, seed, maskCount);
  const rnd = prng(seed ^ 0x5eed);
  const failures: string[] = [];
  let cases = 0;
  let comparedRuns = 0;
  const covered = new Set<string>();
  let transitionsTotal = 0;
  for (const name of ORACLE_ZONES) transitionsTotal += transitionsOf(name).length;

  masks.forEach((mask, i) => {
    const compiled = parseCron(mask.text, dialect);
    const errors = compiled.issues.filter((f) => f.severity === "error");
    if (errors.length > 0 || !compiled.schedule) {
      failures.push(`seed ${seed} mask #${i} ${JSON.stringify(mask.text)} (${dialect}): unexpected errors ${errors.map((e) => e.message).join("; ")}`);
      return;
    }
    for (const name of ORACLE_ZONES) {
      const zone: Zone = name === "UTC" ? { kind: "utc" } : { kind: "iana", name };
      const ts = transitionsOf(name);
      // One random start, plus two just before transitions (round robin, so every transition is covered).
      const starts = [FROM + Math.floor(rnd() * (TO - FROM))];
      for (const k of [2 * i, 2 * i + 1]) {
        if (ts.length === 0) starts.push(FROM + Math.floor(rnd() * (TO - FROM)));
        else {
          const t = ts[k % ts.length]!;
          covered.add(`${name}@${t}`);
          const before = k % 2 === 0 ? Math.floor(rnd() * 36 * 60) : Math.floor(rnd() * 6 * 60);
          starts.push(t - before * MINUTE);
        }
      }
      for (let s of starts) {
        // Half of the starts are exact minutes (the next run must be strictly after), half anywhere.
        s = rnd() < 0.5 ? Math.floor(s / MINUTE) * MINUTE : s + Math.floor(rnd() * MINUTE);
        cases++;
        const expected = oracleRuns(mask, oracleZone(name), s, RUNS, CAP_MINUTES);
        const limit = (Math.floor(s / MINUTE) + 1 + CAP_MINUTES) * MINUTE;
        const actual = compiled.schedule.nextRuns(s, zone, RUNS).filter((t) => t < limit);
        comparedRuns += expected.length;
        if (expected.length !== actual.length || expected.some((t, j) => t !== actual[j])) {
          failures.push(
            `seed ${seed} mask #${i} ${JSON.stringify(mask.text)} (${dialect}) in ${name} after ${new Date(s).toISOString()}:\n` +
              `    oracle ${expected.map((t) => new Date(t).toISOString()).join(" ")}\n    engine ${actual.map((t) => new Date(t).toISOString()).join(" ")}`,
          );
        }
      }
    }
  });
  if (failures.length > 0) {
    assert.fail(`${failures.length} of ${cases} cases disagree with the oracle (replay: CRON_ORACLE_SEED=${seed} CRON_ORACLE_MASKS=${maskCount}):\n  ${failures.slice(0, 8).join("\n  ")}`);
  }
  return { cases, masks: masks.length, comparedRuns, transitionsCovered: covered.size, transitionsTotal };
}
