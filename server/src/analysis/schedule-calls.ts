/**
 * Calls of the scheduling API in TypeScript/JavaScript code: `scheduleManagedTask("mod:type", ...)`,
 * `scheduleManagedTasks(...)`, `scheduleEphemeralTask(...)`, `scheduleTimedTask("mod:tag")`, as
 * plain calls or as methods (`tx.scheduleManagedTask(...)`), whose first argument is a string
 * literal. Found by a light lexer that skips comments, strings, template literals and regular
 * expressions, so a call inside a comment or a string is never reported. No TypeScript compiler:
 * it would triple the bundle and the start-up time for a question a lexer answers.
 */
import type { Span } from "../../../runtime/src/text/span";

export type ScheduleFunction = "scheduleManagedTask" | "scheduleManagedTasks" | "scheduleEphemeralTask" | "scheduleTimedTask";

export const SCHEDULE_FUNCTIONS: Readonly<Record<ScheduleFunction, "managed" | "ephemeral" | "scheduled">> = {
  scheduleManagedTask: "managed",
  scheduleManagedTasks: "managed",
  scheduleEphemeralTask: "ephemeral",
  scheduleTimedTask: "scheduled",
};

export interface ScheduleCall {
  fn: ScheduleFunction;
  /** What the function schedules. */
  kind: "managed" | "ephemeral" | "scheduled";
  /** The literal's content as written (no escapes are expected in task names). */
  name: string;
  /** The literal's content, inside the quotes. */
  span: Span;
  /** The literal with its quotes. */
  literalSpan: Span;
  /** The function name. */
  fnSpan: Span;
  /** The literal has its closing quote (false while it is being typed). */
  closed: boolean;
}

function isIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 0x80;
}
function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}

/** Keywords after which a `/` starts a regular expression, not a division. */
const REGEX_AFTER = new Set(["return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "yield", "await", "instanceof"]);

interface Tok {
  t: "id" | "str" | "p";
  v: string;
  start: number;
  end: number;
  closed?: boolean;
}

/** Tokens of a script; template literal text and regexes become opaque "str" tokens with an empty value. */
export function lexScript(src: string): Tok[] {
  const out: Tok[] = [];
  const n = src.length;
  let i = 0;
  let depth = 0;
  const templates: number[] = [];
  let prev: Tok | undefined;
  const push = (t: Tok) => {
    out.push(t);
    prev = t;
  };
  const scanTemplate = (from: number): number => {
    let j = from;
    while (j < n) {
      const c = src.charCodeAt(j);
      if (c === 92) j += 2;
      else if (c === 96) return j + 1;
      else if (c === 36 && src.charCodeAt(j + 1) === 123) {
        templates.push(depth);
        depth++;
        return j + 2;
      } else j++;
    }
    return n;
  };
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (c === 47 /* / */) {
      const d = src.charCodeAt(i + 1);
      if (d === 47) {
        const e = src.indexOf("\n", i);
        i = e < 0 ? n : e;
        continue;
      }
      if (d === 42) {
        const e = src.indexOf("*/", i + 2);
        i = e < 0 ? n : e + 2;
        continue;
      }
      const division = prev && (prev.t === "str" || (prev.t === "id" && !REGEX_AFTER.has(prev.v)) || prev.v === ")" || prev.v === "]" || prev.v === "}");
      if (!division) {
        let j = i + 1;
        let inClass = false;
        while (j < n) {
          const e = src.charCodeAt(j);
          if (e === 10) break;
          if (e === 92) j++;
          else if (e === 91) inClass = true;
          else if (e === 93) inClass = false;
          else if (e === 47 && !inClass) break;
          j++;
        }
        j++;
        while (j < n && isIdPart(src.charCodeAt(j))) j++;
        push({ t: "str", v: "", start: i, end: Math.min(j, n) });
        i = j;
        continue;
      }
    }
    if (c === 34 || c === 39) {
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const e = src.charCodeAt(j);
        if (e === 92) j += 2;
        else if (e === c) {
          closed = true;
          break;
        } else if (e === 10 || e === 13) break;
        else j++;
      }
      j = Math.min(j, n);
      push({ t: "str", v: src.slice(i + 1, j), start: i, end: closed ? j + 1 : j, closed });
      i = closed ? j + 1 : j;
      continue;
    }
    if (c === 96) {
      const start = i;
      const end = scanTemplate(i + 1);
      // A template without substitutions is a plain string literal for our purpose.
      const body = src.slice(start + 1, end - 1);
      const plain = src.charCodeAt(end - 1) === 96 && end > start + 1 && !body.includes("${");
      push({ t: "str", v: plain ? body : "", start, end, closed: src.charCodeAt(end - 1) === 96 && end > start + 1 });
      i = end;
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isIdPart(src.charCodeAt(j))) j++;
      push({ t: "id", v: src.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && (isIdPart(src.charCodeAt(j)) || src.charCodeAt(j) === 46)) j++;
      push({ t: "id", v: src.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (c === 123) {
      depth++;
      push({ t: "p", v: "{", start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === 125) {
      depth = Math.max(0, depth - 1);
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        const start = i;
        i = scanTemplate(i + 1);
        push({ t: "str", v: "", start, end: i });
        continue;
      }
      push({ t: "p", v: "}", start: i, end: i + 1 });
      i++;
      continue;
    }
    push({ t: "p", v: src[i]!, start: i, end: i + 1 });
    i++;
  }
  return out;
}

/** Every call of a scheduling function whose first argument is a string literal. */
export function findScheduleCalls(src: string): ScheduleCall[] {
  if (!src.includes("schedule")) return [];
  const toks = lexScript(src);
  const out: ScheduleCall[] = [];
  for (let k = 0; k < toks.length; k++) {
    const tok = toks[k]!;
    if (tok.t !== "id" || !Object.hasOwn(SCHEDULE_FUNCTIONS, tok.v)) continue;
    const before = toks[k - 1];
    // A declaration of the function itself (`function scheduleManagedTask(`), not a call.
    if (before && before.t === "id" && (before.v === "function" || before.v === "async" || before.v === "get" || before.v === "set")) continue;
    let j = k + 1;
    if (toks[j]?.v === "<") {
      // Type arguments: scheduleManagedTask<Data>("mod:type", ...)
      let nest = 0;
      for (; j < toks.length; j++) {
        const v = toks[j]!.v;
        if (v === "<") nest++;
        else if (v === ">") {
          nest--;
          if (nest === 0) {
            j++;
            break;
          }
        } else if (v === ";" || v === "{" || v === "}") break;
      }
    }
    if (toks[j]?.v !== "(") continue;
    const arg = toks[j + 1];
    if (!arg || arg.t !== "str" || src.charCodeAt(arg.start) === 47 /* a regex */) continue;
    const quote = src.charCodeAt(arg.start);
    if (quote === 96 && arg.v === "" && !arg.closed) continue;
    if (quote === 96 && arg.v === "" && src.slice(arg.start, arg.end).includes("${")) continue;
    const fn = tok.v as ScheduleFunction;
    const contentEnd = arg.closed ? arg.end - 1 : arg.end;
    out.push({
      fn,
      kind: SCHEDULE_FUNCTIONS[fn],
      name: src.slice(arg.start + 1, contentEnd),
      span: { start: arg.start + 1, end: contentEnd },
      literalSpan: { start: arg.start, end: arg.end },
      fnSpan: { start: tok.start, end: tok.end },
      closed: arg.closed === true,
    });
  }
  return out;
}
