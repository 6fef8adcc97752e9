/**
 * Fuzz: random incremental edits to real files (the WebHare corpus and the fixtures) fed to the
 * server as didChange, interleaved with hover, completion, code action and other requests at
 * random positions. The server must never crash, stall or throw: every request answers within a
 * generous bound, nothing is logged as an error, and the process is alive at the end.
 * Deterministic (seeded); MODTASKS_FUZZ_STEPS sets the number of steps (default 4000), MODTASKS_FUZZ_SEED the seed.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, it } from "node:test";
import type { Position, Range } from "vscode-languageserver-protocol";
import { corpus, fixtures, LspClient } from "./lsp-client";
import { prng } from "../helpers/prng";

const STEPS = Number(process.env.MODTASKS_FUZZ_STEPS ?? 4000);
const SEED = Number(process.env.MODTASKS_FUZZ_SEED ?? 20261123);
const BOUND_MS = 10_000;


const SNIPPETS = [
  "<", ">", "/>", '"', "'", "=", '="', " ", "\n", "\t", "#", "/", "*", "*/5", "|", ",", "-", "L", "?", "@daily",
  "<task ", '<task tag="x" runat="', "</servicemanager>", "<servicemanager>", "<managedtask type=\"", 'objectname="lib/tasks.ts#',
  'runtz="Europe/', "maintenance", "&amp;", "&lt;", "&#x1F600;", "&bogus;", "<!--", "-->", "<![CDATA[", "]]>", "<?xml", "\u{1F600}", "é",
  'scheduleManagedTask("', 'scheduleTimedTask("shop:', "`${", "}`", "//", "/*", "0 3 * * *", "99 99 99 99 99", "/tasks/x/ {}",
];

let c: LspClient;
before(async () => {
  c = await LspClient.start({ folders: [join(fixtures, "ws"), corpus], settings: { diagnostics: { debounceMs: 0 } } });
  await c.waitForLog(/indexed \d+ module/);
});
after(async () => {
  await c.stop();
});

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const bound = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${BOUND_MS} ms`)), BOUND_MS)));
  return Promise.race([p, bound]).finally(() => clearTimeout(timer));
}

it(`survives ${STEPS} random edits and requests`, { timeout: 900_000 }, async () => {
  const rnd = prng(SEED);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const paths = [
    join(corpus, "system", "moduledefinition.xml"),
    join(corpus, "publisher", "moduledefinition.xml"),
    join(fixtures, "ws", "shop", "moduledefinition.xml"),
    join(fixtures, "ws", "broken", "moduledefinition.xml"),
    join(fixtures, "ws", "shop", "crontab"),
    join(fixtures, "ws", "app", "src", "use.ts"),
    join(fixtures, "ws", "shop", "lib", "tasks.ts"),
  ];
  const uris: string[] = [];
  for (const p of paths) uris.push(await c.open(p, readFileSync(p, "utf8")));
  const randomPos = (text: string): Position => {
    const lines = text.split("\n");
    const line = Math.floor(rnd() * (lines.length + 1)); // sometimes one past the end
    return { line, character: Math.floor(rnd() * ((lines[line]?.length ?? 0) + 3)) };
  };
  const offsetOf = (text: string, p: Position) => {
    const lines = text.split("\n");
    if (p.line >= lines.length) return text.length;
    return lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + Math.min(p.character, lines[p.line]!.length);
  };
  const posOf = (text: string, off: number): Position => {
    const before = text.slice(0, off);
    return { line: before.split("\n").length - 1, character: off - (before.lastIndexOf("\n") + 1) };
  };
  let requests = 0;
  let edits = 0;
  const pending: Promise<unknown>[] = [];
  for (let step = 0; step < STEPS; step++) {
    const uri = pick(uris);
    const text = c.text(uri);
    if (rnd() < 0.45) {
      // An edit: delete a little, insert a snippet or a copy of nearby text.
      const start = Math.floor(rnd() * (text.length + 1));
      const end = Math.min(text.length, start + Math.floor(rnd() * (rnd() < 0.8 ? 6 : 200)));
      const insert = rnd() < 0.7 ? pick(SNIPPETS) : text.slice(Math.max(0, start - 40), start);
      const range: Range = { start: posOf(text, start), end: posOf(text, end) };
      await c.change(uri, [{ range, text: insert }]);
      edits++;
      continue;
    }
    const pos = randomPos(text);
    const kind = Math.floor(rnd() * 12);
    let p: Promise<unknown>;
    switch (kind) {
      case 0:
      case 1:
        p = c.hover(uri, pos);
        break;
      case 2:
      case 3:
        p = c.completion(uri, pos, rnd() < 0.5 ? pick(["<", " ", '"', "/", "#", ":"]) : undefined).then(async (r) => {
          const list = Array.isArray(r) ? r : r?.items ?? [];
          if (list.length) await c.resolveCompletion(list[Math.floor(rnd() * list.length)]!);
        });
        break;
      case 4:
      case 5: {
        const a = offsetOf(text, pos);
        const b = Math.min(text.length, a + Math.floor(rnd() * 30));
        p = c.codeActions(uri, { start: posOf(text, a), end: posOf(text, b) });
        break;
      }
      case 6:
        p = c.pullDiagnostics(uri);
        break;
      case 7:
        p = c.definition(uri, pos);
        break;
      case 8:
        p = c.references(uri, pos);
        break;
      case 9:
        p = Promise.all([c.documentSymbols(uri), c.foldingRanges(uri), c.documentLinks(uri)]);
        break;
      case 10:
        p = Promise.all([c.codeLens(uri), c.inlayHints(uri, { start: { line: 0, character: 0 }, end: { line: 99999, character: 0 } })]);
        break;
      default:
        p = c.workspaceSymbols(pick(["", "task", "shop", "x"]));
    }
    requests++;
    // Some requests overlap with later edits (as in an editor); every one must still answer.
    const bounded = within(p, `request ${kind} at step ${step}`);
    if (rnd() < 0.3) pending.push(bounded);
    else await bounded;
  }
  await Promise.all(pending);
  // Still alive, still answering, and nothing threw inside a feature.
  assert.equal(c.exited, false, `the server exited: ${c.stderr}`);
  for (const uri of uris) await within(c.pullDiagnostics(uri), "final diagnostics");
  assert.deepEqual(c.errorLogs, []);
  assert.ok(edits > STEPS / 4 && requests > STEPS / 4);
});
