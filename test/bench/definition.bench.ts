// Benchmark (not a test): parse + check of a generated moduledefinition.xml with 5,000
// declarations, the size of the language server's worst case (it re-checks on every edit).
// Prints ms per full check, p50/p95, without file access and with an in-memory file system
// holding every target, warm (as the language server re-checks on each edit) and cold (first
// check). Target (issue #2): ≤ 50 ms p50 on a 2-core machine. Run through tsx (as here) every
// cross-module call goes through an export getter; the esbuild bundles that ship are faster.
import { cpus, loadavg } from "node:os";
import { checkModuleDefinition, clearCheckCaches, memoryFs, parseModuleDefinition } from "../../runtime/src/definition";
import { parseXml } from "../../runtime/src/xml";
import { PATHOLOGICAL_XML } from "../fixtures/pathological-xml";

const N = 5000;
const TARGET_P50_MS = 50;

function generate(n: number): { text: string; files: Record<string, string> } {
  const zones = ["", "maintenance", "Europe/Amsterdam", "America/New_York", "UTC"];
  const priorities = ["background", "normal", "interactive", "update", "updateinteractive"];
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>`, `<module xmlns="http://www.webhare.net/xmlns/system/moduledefinition">`, `  <meta><description>bench</description></meta>`, `  <servicemanager>`];
  const files: Record<string, string> = {};
  const lib = (i: number) => `lib/tasks${i % 50}.ts`;
  for (let f = 0; f < 50; f++) {
    let src = `import { ManagedTaskBase } from "modtasks";\n`;
    for (let i = f; i < n; i += 50) src += `export class Task${i} extends ManagedTaskBase { async run() {} }\nexport async function run${i}(req: unknown) { return req; }\n`;
    files[`/bench/mymod/${lib(f)}`] = src;
  }
  lines.push(`    <taskcluster tag="heavy" harescriptworkers="4" harescriptworkerthreads="2" />`);
  for (let i = 0; i < n - 1; i++) {
    switch (i % 5) {
      case 0:
      case 1: {
        const script = `scripts/task${i}.ts`;
        files[`/bench/mymod/${script}`] = "";
        const tz = zones[i % zones.length];
        lines.push(`    <task tag="task${i}" runat="${i % 60} ${i % 24} * * ${i % 7}"${tz ? ` runtz="${tz}"` : ""} script="${script}" description="Task number ${i} &amp; friends"${i % 3 === 0 ? ` runatstartup="true"` : ""} />`);
        break;
      }
      case 2:
        lines.push(`    <managedtask type="managed${i}" objectname="${lib(i)}#Task${i}" priority="${priorities[i % 5]}" timeout="60000" maxfailures="5" />`);
        break;
      case 3:
        lines.push(`    <ephemeraltask type="ephemeral${i}" taskrunner="${lib(i)}#run${i}" cluster="heavy" allowifrestore="true" />`);
        break;
      case 4: {
        const script = `scripts/once${i}.ts`;
        files[`/bench/mymod/${script}`] = "";
        lines.push(`    <runonce tag="once${i}" script="${script}" when="afterregistryupdate" ifenvironset="WEBHARE_CI" />`);
        break;
      }
    }
  }
  lines.push(`  </servicemanager>`, `</module>`, ``);
  return { text: lines.join("\n"), files };
}

function stats(samples: number[]): { p50: number; p95: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p95: q(0.95), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

/** Missed targets, repeated at the end: a benchmark reports, it never fails on speed (the machine may be loaded). */
const missed: string[] = [];

function measure(label: string, runs: number, fn: () => void, target?: number): void {
  // One full collection per series, not per sample: a forced GC also shrinks the young
  // generation, and every sample would then pay for growing it again, which a language server
  // re-checking on each edit never does.
  (globalThis as { gc?: () => void }).gc?.();
  for (let i = 0; i < 5; i++) fn(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  const { p50, p95 } = stats(samples);
  if (target !== undefined && p50 > target) missed.push(`${label}: p50 ${p50.toFixed(1)} ms (target ≤ ${target} ms)`);
  const verdict = target === undefined ? "" : `   target p50 ≤ ${target} ms ${p50 <= target ? "ok" : "MISSED"}`;
  console.log(`${label.padEnd(44)} p50 ${p50.toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms${verdict}`);
}

const { text, files } = generate(N);
const fs = memoryFs(files);
const file = "/bench/mymod/moduledefinition.xml";
const probe = parseModuleDefinition(text, { file });
const probeFindings = checkModuleDefinition(probe, { fs, maintenanceOffsetMinutes: 60 });
console.log(`${cpus().length} CPU(s), ${cpus()[0]?.model ?? "?"}; Node ${process.version}`);
console.log(`document: ${(text.length / 1024).toFixed(0)} KiB, ${probe.declarations.length} declarations, ${probeFindings.length} findings (${probeFindings.filter((f) => f.severity === "error").length} errors)`);
measure("XML scan only (parseXml)", 40, () => parseXml(text));
measure("parse model (parseModuleDefinition)", 40, () => parseModuleDefinition(text, { file }));
measure("full check, no file access", 40, () => checkModuleDefinition(parseModuleDefinition(text, { file }), { maintenanceOffsetMinutes: 60 }), TARGET_P50_MS);
measure("full check, in-memory fs (all targets)", 40, () => checkModuleDefinition(parseModuleDefinition(text, { file }), { fs, maintenanceOffsetMinutes: 60 }), TARGET_P50_MS);
// Cold: the caches that make re-checks fast (compiled masks and zones, DST look-ahead, scanned
// code files) emptied before every run, as for the first check of a file.
measure("cold full check, in-memory fs", 20, () => {
  clearCheckCaches();
  checkModuleDefinition(parseModuleDefinition(text, { file }), { fs, maintenanceOffsetMinutes: 60 });
});

// Pathological XML: a quadratic scanner needs 16x the time for 4x the input; linear is ~4x.
console.log("\npathological XML, 20k vs 80k repetitions (best of 3; linear ≈ 4x, quadratic ≈ 16x):");
const best = (s: string) => {
  let b = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    parseXml(s);
    b = Math.min(b, performance.now() - t0);
  }
  return b;
};
for (const make of PATHOLOGICAL_XML) {
  const small = make(20_000);
  const big = make(80_000);
  best(small); // warm up
  const a = best(small);
  const b = best(big);
  const linear = b / Math.max(a, 1) < 10;
  if (!linear) missed.push(`pathological XML ${JSON.stringify(make(1))}: ${(b / Math.max(a, 0.01)).toFixed(1)}x for 4x the input (linear ≈ 4x)`);
  console.log(`  ${JSON.stringify(make(1)).padEnd(22)} ${a.toFixed(1).padStart(7)} ms -> ${b.toFixed(1).padStart(7)} ms   ${(b / Math.max(a, 0.01)).toFixed(1)}x ${linear ? "(linear)" : "(NOT linear)"}`);
}
console.log(missed.length === 0 ? "\nall targets met" : `\n${missed.length} target(s) missed on this run (load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}):\n${missed.map((m) => `  ${m}`).join("\n")}`);
