/**
 * One field of a mask: list items → the set of values they stand for, with a finding at the
 * exact item (or character) for anything the dialect rejects. The mask-level checks (field
 * count, impossible dates, the OR rule) live in parse.ts; this file only knows one field.
 */
import type { FindingData } from "../text/finding";
import type { Span } from "../text/span";
import { closestMatch } from "../text/suggest";
import { MONTH_LONG, type DialectRules, type FieldSpec } from "./dialects";
import { lexItem, splitItems, type Lexeme, type Token } from "./tokens";

/** Where findings go (the mask parser). */
export interface IssueSink {
  error(span: Span, code: string, message: string, data?: FindingData): void;
  warn(span: Span, code: string, message: string, data?: FindingData): void;
}

/** A list item after syntax checking, before meaning. */
type ItemAst =
  | { kind: "star"; span: Span; text: string; step?: Lexeme }
  | { kind: "value"; span: Span; text: string; value: Lexeme; step?: Lexeme }
  | { kind: "range"; span: Span; text: string; from: Lexeme; to: Lexeme; step?: Lexeme }
  | { kind: "question"; span: Span; text: string }
  | { kind: "nth"; span: Span; text: string }
  | { kind: "suffix"; span: Span; text: string; value: Lexeme; suffix: Lexeme };

export interface FieldResult {
  /** Raw values, min..max of the field (day of week keeps 7 here; mapped to 0 when compiled). */
  set: Uint8Array;
  lastDom: boolean;
  ok: boolean;
  token: Token;
}

function spanOf(t: { start: number; end: number }): Span {
  return { start: t.start, end: t.end };
}

export class FieldParser {
  private readonly dialect: DialectRules["dialect"];

  constructor(
    private readonly sink: IssueSink,
    private readonly rules: DialectRules,
  ) {
    this.dialect = rules.dialect;
  }

  private error(span: Span, code: string, message: string, data?: FindingData): void {
    this.sink.error(span, code, message, data);
  }

  private warn(span: Span, code: string, message: string, data?: FindingData): void {
    this.sink.warn(span, code, message, data);
  }

  /** One field: items → value set. `quiet` = 1 while compiling a nickname's expansion (no warnings). */
  parseField(field: Token, spec: FieldSpec, quiet: 0 | 1): FieldResult {
    const set = new Uint8Array(spec.max + 1);
    const result: FieldResult = { set, lastDom: false, ok: true, token: field };
    const items = splitItems(field);
    for (const item of items) {
      if (item.text === "") {
        const commaAt = item.start < field.end ? item.start : item.start - 1;
        this.error({ start: commaAt, end: commaAt + 1 }, "cron-syntax", `empty list item ${where(spec)}`);
        result.ok = false;
        continue;
      }
      const ast = this.itemSyntax(item, spec);
      if (!ast) {
        result.ok = false;
        continue;
      }
      const values = this.itemValues(ast, spec, items.length, result, quiet);
      if (!values) {
        result.ok = false;
        continue;
      }
      for (const v of values) set[v] = 1;
    }
    return result;
  }

  private itemSyntax(item: Token, spec: FieldSpec): ItemAst | undefined {
    const lex = lexItem(item);
    const span = spanOf(item);
    const text = item.text;
    const unexpected = (l: Lexeme): undefined => {
      this.error(l, "cron-syntax", l.kind === "other" ? `unexpected character '${l.text}' ${where(spec)}` : `unexpected '${l.text}' ${where(spec)}`);
      return undefined;
    };
    const missing = (after: Lexeme, what: string): undefined => {
      this.error(after, "cron-syntax", `'${after.text}' must be followed by ${what} ${where(spec)}`);
      return undefined;
    };
    const isValue = (l: Lexeme | undefined) => l !== undefined && (l.kind === "number" || l.kind === "word");
    const first = lex[0]!;
    if (first.kind === "star") {
      if (lex.length === 1) return { kind: "star", span, text };
      if (lex[1]!.kind !== "slash") return unexpected(lex[1]!);
      if (lex.length === 2) return missing(lex[1]!, "a step");
      if (lex[2]!.kind !== "number") return unexpected(lex[2]!);
      if (lex.length > 3) return unexpected(lex[3]!);
      return { kind: "star", span, text, step: lex[2]! };
    }
    if (first.kind === "question") {
      if (lex.length > 1) return unexpected(lex[1]!);
      return { kind: "question", span, text };
    }
    if (!isValue(first)) return unexpected(first);
    if (lex.length === 1) return { kind: "value", span, text, value: first };
    if (first.kind === "number" && lex[1]!.kind === "word") {
      if (lex.length > 2) return unexpected(lex[2]!);
      return { kind: "suffix", span, text, value: first, suffix: lex[1]! };
    }
    const op = lex[1]!;
    if (op.kind === "dash") {
      if (lex.length === 2) return missing(op, "the end of the range");
      if (!isValue(lex[2])) return unexpected(lex[2]!);
      if (lex.length === 3) return { kind: "range", span, text, from: first, to: lex[2]! };
      if (lex[3]!.kind !== "slash") return unexpected(lex[3]!);
      if (lex.length === 4) return missing(lex[3]!, "a step");
      if (lex[4]!.kind !== "number") return unexpected(lex[4]!);
      if (lex.length > 5) return unexpected(lex[5]!);
      return { kind: "range", span, text, from: first, to: lex[2]!, step: lex[4]! };
    }
    if (op.kind === "slash") {
      if (lex.length === 2) return missing(op, "a step");
      if (lex[2]!.kind !== "number") return unexpected(lex[2]!);
      if (lex.length > 3) return unexpected(lex[3]!);
      return { kind: "value", span, text, value: first, step: lex[2]! };
    }
    if (op.kind === "hash") {
      if (lex.length === 2) return missing(op, "a number");
      if (lex[2]!.kind !== "number") return unexpected(lex[2]!);
      if (lex.length > 3) return unexpected(lex[3]!);
      return { kind: "nth", span, text };
    }
    return unexpected(op);
  }

  /** The values an item stands for (raw, within min..max), or undefined after reporting why not. */
  private itemValues(ast: ItemAst, spec: FieldSpec, itemCount: number, field: FieldResult, quiet: 0 | 1): number[] | undefined {
    const rules = this.rules;
    const inList = itemCount > 1;
    switch (ast.kind) {
      case "question":
        this.error(ast.span, "cron-unsupported-syntax", `'?' ${where(spec)} ${rules.notSupported} (use *)`, { replacement: "*" });
        return undefined;
      case "nth":
        this.error(ast.span, "cron-unsupported-syntax", `'#' (nth weekday of the month) ${where(spec)} ${rules.notSupported}`);
        return undefined;
      case "suffix": {
        const s = ast.suffix.text.toUpperCase();
        if (s === "W") this.error(ast.span, "cron-unsupported-syntax", `'W' (nearest weekday) ${where(spec)} ${rules.notSupported}`);
        else if (s === "L" && spec.name === "dayOfWeek") this.error(ast.span, "cron-unsupported-syntax", `'${ast.text}' (last weekday of the month) ${where(spec)} ${rules.notSupported}`);
        else this.error(ast.suffix, "cron-syntax", `unexpected '${ast.suffix.text}' ${where(spec)}`);
        return undefined;
      }
      case "star": {
        if (!ast.step) {
          if (inList && !rules.starInList) {
            this.error(ast.span, "cron-unsupported-syntax", `'*' in a list ${where(spec)} ${rules.notSupported} (use '*' alone)`);
            return undefined;
          }
          return seq(spec.min, spec.max, 1);
        }
        const n = this.step(ast.step, spec);
        if (n === undefined) return undefined;
        const values = seq(spec.min, spec.max, n);
        if (inList && !rules.starInList) {
          this.error(ast.span, "cron-unsupported-syntax", `'${ast.text}' in a list ${where(spec)} ${rules.notSupported} (use ${values.join(",")})`, { replacement: values.join(",") });
          return undefined;
        }
        if (this.dialect === "webhare" && !quiet) this.webhareStepQuirk(ast, spec, values, seq(spec.min, spec.max - 1, n), inList);
        return values;
      }
      case "value": {
        if (isLastDay(ast.value)) {
          if (ast.step) {
            this.error(ast.span, "cron-unsupported-syntax", `'L' ${where(spec)} cannot take a step`);
            return undefined;
          }
          return this.lastDay(ast, spec, field) ? [] : undefined;
        }
        const v = this.value(ast.value, spec, false);
        if (v === undefined) return undefined;
        if (!ast.step) return [v];
        const n = this.step(ast.step, spec);
        if (n === undefined) return undefined;
        if (rules.startStep === "single") {
          // cron4j: a step only applies to `*` or a range, so `5/15` is just 5.
          if (!quiet)
            this.warn(ast.span, "cron-step-ignored", `in cron4j '${ast.text}' means only ${ast.value.text} (a step needs '*' or a range); write ${ast.value.text}-${spec.max}/${n} for every ${n} from ${ast.value.text}`, {
              replacement: `${ast.value.text}-${spec.max}/${n}`,
            });
          return [v];
        }
        const values = seq(v, spec.max, n);
        if (this.dialect === "webhare") {
          if (inList) {
            this.error(ast.span, "cron-unsupported-syntax", `'${ast.text}' in a list ${where(spec)} ${rules.notSupported} (use ${values.join(",")})`, { replacement: values.join(",") });
            return undefined;
          }
          // WebHare reads `a/n` as `*/n`, which also stops before the maximum.
          if (!quiet) this.webhareStepQuirk(ast, spec, values, seq(spec.min, spec.max - 1, n), inList);
        }
        return values;
      }
      case "range": {
        if (isLastDay(ast.from) || isLastDay(ast.to)) {
          this.error(ast.span, "cron-unsupported-syntax", spec.name === "dayOfMonth" && rules.lastDay ? `'L' cannot be part of a range ${where(spec)}; use it alone or in a list` : `'L' ${where(spec)} ${rules.notSupported}`);
          return undefined;
        }
        const a = this.value(ast.from, spec, true);
        const b = this.value(ast.to, spec, true);
        if (a === undefined || b === undefined) return undefined;
        let n = 1;
        if (ast.step) {
          const s = this.step(ast.step, spec);
          if (s === undefined) return undefined;
          n = s;
        }
        const list = a <= b ? seq(a, b, 1) : [...seq(a, spec.max, 1), ...seq(spec.min, b, 1)];
        const values = list.filter((_, i) => i % n === 0);
        if (!rules.ranges) {
          const equivalent = this.listText(values, spec, itemCount === 1);
          this.error(ast.span, "cron-unsupported-syntax", `range '${ast.text}' ${where(spec)} ${rules.notSupported} (use ${equivalent})`, { replacement: equivalent, fixTitle: `Change to '${equivalent}'` });
          return undefined;
        }
        if (a > b && rules.reversedRange === "error") {
          const fix = `${ast.from.text}-${spec.max === 7 ? 6 : spec.max},${spec.min}-${ast.to.text}${ast.step ? `/${ast.step.text}` : ""}`;
          const replacement = ast.step ? values.join(",") : fix;
          this.error(ast.span, "cron-reversed-range", `range ${ast.from.text}-${ast.to.text} ${where(spec)} is reversed (use ${replacement})`, { replacement });
          return undefined;
        }
        return values;
      }
    }
  }

  /** `L` in day of month: Prudence only. */
  private lastDay(ast: ItemAst, spec: FieldSpec, field: FieldResult): boolean {
    if (spec.name !== "dayOfMonth") {
      this.error(ast.span, "cron-unsupported-syntax", spec.name === "dayOfWeek" ? `'L' (last weekday of the month) ${where(spec)} ${this.rules.notSupported}` : `'L' ${where(spec)}: 'L' is only meaningful in the day of month field`);
      return false;
    }
    if (!this.rules.lastDay) {
      this.error(ast.span, "cron-unsupported-syntax", `'L' (last day of the month) ${where(spec)} ${this.rules.notSupported}`);
      return false;
    }
    field.lastDom = true;
    return true;
  }

  /** A number or a name, checked against the field; `inRange` suppresses the "names unsupported" error (the range error covers it). */
  private value(lex: Lexeme, spec: FieldSpec, inRange: boolean): number | undefined {
    const rules = this.rules;
    if (lex.kind === "number") {
      const n = Number(lex.text);
      if (n < spec.min || n > spec.max) {
        this.error(lex, "cron-out-of-range", `${spec.label} ${lex.text} is out of range ${spec.min}-${spec.max}`);
        return undefined;
      }
      return n;
    }
    const lower = lex.text.toLowerCase();
    const idx = spec.names ? spec.names.indexOf(lower) : -1;
    if (idx >= 0) {
      const v = idx + spec.namesBase!;
      if (!rules.names) {
        if (!inRange) this.error(lex, "cron-unsupported-syntax", `${spec.label} '${lex.text}' ${rules.notSupported} (use ${v}): the ${spec.label} field (${spec.min}-${spec.max}) takes numbers only`, { replacement: String(v), fixTitle: `Change to '${v}'` });
        return inRange ? v : undefined;
      }
      return v;
    }
    if (lower === "w" || lower === "lw") {
      this.error(lex, "cron-unsupported-syntax", `'${lex.text}' (nearest weekday) ${where(spec)} ${rules.notSupported}`);
      return undefined;
    }
    if (!spec.names) {
      this.error(lex, "cron-syntax", `unexpected '${lex.text}' in the ${spec.label} field (expected a number ${spec.min}-${spec.max})`);
      return undefined;
    }
    // An unknown name: suggest the 3-letter form of a full name ("Monday"), else the closest.
    let suggestion: number | undefined;
    const long = spec.longNames!.findIndex((l) => l.toLowerCase() === lower);
    if (long >= 0) suggestion = long + spec.namesBase!;
    else {
      const close = closestMatch(lower, spec.names);
      if (close) suggestion = spec.names.indexOf(close) + spec.namesBase!;
    }
    if (suggestion === undefined) {
      this.error(lex, "cron-unknown-name", `unknown ${spec.label} '${lex.text}' (use ${rules.names ? `${spec.names[0]}-${spec.names[spec.names.length - 1]} or ` : ""}${spec.min}-${spec.max})`);
      return undefined;
    }
    const replacement = rules.names ? spec.names[suggestion - spec.namesBase!]!.toUpperCase() : String(suggestion);
    this.error(lex, "cron-unknown-name", `unknown ${spec.label} '${lex.text}' (did you mean ${replacement}?); the ${spec.label} field takes ${spec.min}-${spec.max}${rules.names ? ` or ${spec.names[0]!.toUpperCase()}-${spec.names[spec.names.length - 1]!.toUpperCase()}` : ""}`, { replacement, fixTitle: `Change to '${replacement}'` });
    return undefined;
  }

  private step(lex: Lexeme, spec: FieldSpec): number | undefined {
    const n = Number(lex.text);
    if (n === 0) {
      this.error(lex, "cron-step-zero", `step 0 in ${spec.label} field (${spec.min}-${spec.max})`);
      return undefined;
    }
    const span = spec.max - spec.min;
    if (n > span) {
      this.error(lex, "cron-out-of-range", `step ${lex.text} in ${spec.label} field is out of range 1-${span}`);
      return undefined;
    }
    return n;
  }

  /**
   * WebHare's `* /n` stops before the field's maximum and its `a/n` is read as `* /n`; warn
   * where that changes the matched values, with a list both read the same way as the fix.
   */
  private webhareStepQuirk(ast: ItemAst, spec: FieldSpec, ours: number[], theirs: number[], inList: boolean): void {
    const norm = (vs: number[]) => [...new Set(vs.map((v) => (spec.name === "dayOfWeek" ? v % 7 : v)))].sort((a, b) => a - b);
    const o = norm(ours);
    const t = norm(theirs);
    if (o.length === t.length && o.every((v, i) => v === t[i])) return;
    const replacement = this.listText(ours, spec, !inList);
    const missing = o.filter((v) => !t.includes(v));
    const extra = t.filter((v) => !o.includes(v));
    const runs = (vs: number[]) => `${spec.label} ${vs.map((v) => valueName(spec, v)).join(", ")}`;
    const stepText = (ast.kind === "star" || ast.kind === "value") && ast.step ? ast.step.text : "";
    let what: string;
    if (extra.length === 0 && ast.kind === "star") what = `WebHare's '${ast.text}' never runs at ${runs(missing)} (its steps stop before the field's maximum), modtasks does`;
    else what = `WebHare reads '${ast.text}' as '*/${stepText}' (${runs(t)}) but modtasks runs at ${runs(o)}`;
    this.warn(ast.span, "cron-webhare-quirk", `${what}; write ${replacement} so both run at the same times`, { replacement, fixTitle: `Change to '${replacement}'` });
  }

  /** A WebHare-valid text for a set of values: `*` where that means the same, else a comma list. */
  private listText(values: number[], spec: FieldSpec, wholeField: boolean): string {
    const distinct = [...new Set(values)].sort((a, b) => a - b);
    // `*` is only equivalent for fields outside the day-of-month/day-of-week OR rule.
    const starOk = wholeField && (spec.name === "minute" || spec.name === "hour" || spec.name === "month");
    if (starOk && distinct.length === spec.max - spec.min + 1) return "*";
    return distinct.join(",");
  }
}

/** Where a finding is, for messages: "in the hour field (0-23)". Every field error names its field and range. */
function where(spec: FieldSpec): string {
  return `in the ${spec.label} field (${spec.min}-${spec.max})`;
}

function isLastDay(l: Lexeme): boolean {
  return l.kind === "word" && l.text.toUpperCase() === "L";
}

function seq(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

function valueName(spec: FieldSpec, v: number): string {
  if (spec.name === "month") return `${v} (${MONTH_LONG[v - 1]})`;
  return String(v);
}
