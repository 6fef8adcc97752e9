/**
 * Mask → compiled pattern(s) + findings with exact spans. One algorithm for all dialects; the
 * dialect table (dialects.ts) switches syntax on and off. This file handles the mask as a whole
 * (nicknames, `|` alternatives, field count, impossible dates, the warnings that need all five
 * fields); field.ts handles one field. Errors are collected, never thrown: an editor wants every
 * problem in a mask at once, and garbage must not crash a hover.
 */
import type { Finding, FindingData, Severity } from "../text/finding";
import type { Span } from "../text/span";
import { closestMatch } from "../text/suggest";
import { FIELDS, MONTH_LONG, NICKNAMES, RULES, isDialect, type CronDialect, type DialectRules } from "./dialects";
import { FieldParser, type FieldResult, type IssueSink } from "./field";
import { compilePattern, countSet, impossibleMonths, type CompiledPattern, type PatternSets } from "./pattern";
import { CronScheduleImpl, type CronSchedule } from "./schedule";
import { tokenizeMask, type Token } from "./tokens";

export interface CompiledCron {
  mask: string;
  dialect: CronDialect;
  /** Spans are relative to offset 0 of `mask`. Sorted by position. */
  issues: Finding[];
  /** Present iff no issue has severity "error". */
  schedule?: CronSchedule;
}

/** Parses a mask in a dialect. Never throws, whatever the input. */
export function parseCron(mask: string, dialect: CronDialect): CompiledCron {
  const text = typeof mask === "string" ? mask : mask == null ? "" : String(mask);
  const d: CronDialect = isDialect(dialect) ? dialect : "webhare";
  try {
    return new MaskParser(text, d).parse();
  } catch (e) {
    // A bug must surface as a finding, not as an exception inside the language server.
    return {
      mask: text,
      dialect: d,
      issues: [issue({ start: 0, end: text.length }, "error", "cron-internal", `internal error while parsing the mask: ${e instanceof Error ? e.message : String(e)}`)],
    };
  }
}

function issue(span: Span, severity: Severity, code: string, message: string, data?: FindingData): Finding {
  const f: Finding = { span: { start: span.start, end: span.end }, severity, code, message };
  if (data) f.data = data;
  return f;
}

function spanOf(t: { start: number; end: number }): Span {
  return { start: t.start, end: t.end };
}

class MaskParser implements IssueSink {
  private readonly issues: Finding[] = [];
  private readonly rules: DialectRules;
  readonly fields: FieldParser;

  constructor(
    private readonly mask: string,
    private readonly dialect: CronDialect,
  ) {
    this.rules = RULES[dialect];
    this.fields = new FieldParser(this, this.rules);
  }

  private push(f: Finding): void {
    this.issues.push(f);
  }

  error(span: Span, code: string, message: string, data?: FindingData): void {
    this.push(issue(span, "error", code, message, data));
  }

  warn(span: Span, code: string, message: string, data?: FindingData): void {
    this.push(issue(span, "warning", code, message, data));
  }

  parse(): CompiledCron {
    const patterns = this.parsePatterns();
    this.issues.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
    const result: CompiledCron = { mask: this.mask, dialect: this.dialect, issues: this.issues };
    if (patterns && !this.issues.some((i) => i.severity === "error")) {
      result.schedule = new CronScheduleImpl(this.mask, this.dialect, patterns);
    }
    return result;
  }

  private parsePatterns(): CompiledPattern[] | undefined {
    const mask = this.mask;
    const trimmed = mask.trim();
    if (trimmed === "") {
      this.error({ start: 0, end: mask.length }, "cron-empty", "the mask is empty");
      return undefined;
    }
    if (trimmed.startsWith("@")) return this.parseNickname();

    const tokens = tokenizeMask(mask);
    if (this.dialect === "webhare") {
      // WebHare splits a mask on plain spaces only: to it, `0\u00a015 * * 1` has 4 fields.
      for (const sp of tokens.oddSpaces) {
        const code = mask.charCodeAt(sp.start).toString(16).toUpperCase().padStart(4, "0");
        const what = code === "00A0" ? "a non-breaking space (U+00A0)" : `a Unicode space (U+${code})`;
        this.error(sp, "cron-syntax", `${what} separates fields here; WebHare separates fields with plain spaces only`, { replacement: " ", fixTitle: "Change to a plain space" });
      }
    }
    if (tokens.bars.length > 0 && !this.rules.union) {
      for (const bar of tokens.bars) this.error(bar, "cron-unsupported-syntax", `'|' (several patterns in one mask) ${this.rules.notSupported}`);
      return undefined;
    }
    const compiled: CompiledPattern[] = [];
    /** Alternatives that parse but can never match a date (`0 0 31 2 *`). */
    const dead: { k: number; fields: Token[]; span: Span; reason: string }[] = [];
    let ok = true;
    tokens.patterns.forEach((p, k) => {
      if (p.fields.length === 0) {
        // `a||b`, a leading or trailing `|`
        const bar = tokens.bars[k] ?? tokens.bars[k - 1] ?? { start: 0, end: mask.length };
        this.error(bar, "cron-syntax", "empty pattern next to '|'");
        ok = false;
        return;
      }
      if (p.fields.length !== 5) {
        ok = false;
        this.fieldCountError(p.fields, tokens.patterns.length > 1 ? k + 1 : 0);
        return;
      }
      const c = this.parsePattern(p.fields, p.span, k);
      if (c === undefined) ok = false;
      else if (typeof c === "string") dead.push({ k, fields: p.fields, span: p.span, reason: c });
      else compiled.push(c);
    });
    if (compiled.length === 0) {
      // Nothing can ever run: that is an error, at the day of month of each alternative.
      for (const d of dead) this.error(d.fields[2]!, "cron-no-match", `no date matches: ${d.reason}`);
      return undefined;
    }
    // Some alternatives run: a dead one is only suspicious, and the live ones are scheduled as usual.
    for (const d of dead) {
      const n = tokens.patterns.length;
      const removal = d.k > 0 ? { start: tokens.patterns[d.k - 1]!.span.end, end: d.span.end } : { start: d.span.start, end: tokens.patterns[1]!.span.start };
      this.warn(d.span, "cron-dead-pattern", `pattern ${d.k + 1} of ${n} never runs: ${d.reason} (the rest of the mask still runs)`, {
        edits: [{ span: removal, newText: "" }],
        fixTitle: `Remove pattern ${d.k + 1}`,
      });
    }
    return ok ? compiled : undefined;
  }

  private fieldCountError(fields: Token[], patternNumber: number): void {
    const n = fields.length;
    const who = this.dialect === "webhare" ? "WebHare masks have" : this.dialect === "prudence" ? "cron4j patterns have" : "cron masks have";
    const subject = patternNumber ? `pattern ${patternNumber} of the mask has` : "the mask has";
    const first = fields[0]!;
    const last = fields[n - 1]!;
    // Too many: point at the extra fields; too few: at what is there.
    const span = n > 5 ? { start: fields[5]!.start, end: last.end } : { start: first.start, end: last.end };
    const quartz = this.quartzEquivalent(fields);
    this.error(
      span,
      "cron-field-count",
      `${subject} ${n} field${n === 1 ? "" : "s"}; ${who} exactly 5`,
      quartz === undefined ? undefined : { edits: [{ span: { start: first.start, end: last.end }, newText: quartz }], fixTitle: `Change to '${quartz}'` },
    );
  }

  /**
   * A Quartz mask (seconds first, optional year, `?` for "no value", day of week 1-7 = SUN-SAT)
   * as the equivalent 5-field mask of this dialect, when there is one: `0 0 12 ? * MON` →
   * `0 12 * * 1` for WebHare. Only with seconds 0 and any year; the candidate must then parse
   * cleanly here, after the engine's own replacements (names → numbers, ranges → lists).
   */
  private quartzEquivalent(fields: Token[]): string | undefined {
    const t = fields.map((f) => f.text);
    if ((t.length !== 6 && t.length !== 7) || !/^0+$/.test(t[0]!)) return undefined;
    if (t.length === 7 && t[6] !== "*" && t[6] !== "?") return undefined;
    const noValue = (x: string) => (x === "?" ? "*" : x);
    // Quartz numbers weekdays 1-7 from Sunday; cron from 0. Steps (`/2`) and `#n` are not weekdays.
    const dow = t[5] === "?" ? "*" : t[5]!.replace(/(^|[,-])(\d+)/g, (m, sep: string, d: string) => (Number(d) >= 1 && Number(d) <= 7 ? `${sep}${Number(d) - 1}` : m));
    let candidate = [t[1], t[2], noValue(t[3]!), t[4], dow].join(" ");
    for (let round = 0; round < 2; round++) {
      const c = new MaskParser(candidate, this.dialect).parse();
      const errors = c.issues.filter((i) => i.severity === "error");
      if (errors.length === 0) return candidate;
      if (errors.some((e) => typeof e.data?.replacement !== "string")) return undefined;
      for (const e of [...errors].sort((a, b) => b.span.start - a.span.start)) candidate = candidate.slice(0, e.span.start) + (e.data!.replacement as string) + candidate.slice(e.span.end);
    }
    return undefined;
  }

  private parseNickname(): CompiledPattern[] | undefined {
    const mask = this.mask;
    const start = mask.search(/\S/);
    let end = start;
    while (end < mask.length && !/\s/.test(mask[end]!)) end++;
    const word = mask.slice(start, end);
    const span = { start, end };
    const rest = mask.slice(end).trim();
    if (rest !== "") {
      const restStart = mask.indexOf(rest, end);
      this.error({ start: restStart, end: restStart + rest.length }, "cron-syntax", `unexpected text after '${word}'`);
    }
    const key = word.toLowerCase();
    if (!(key in NICKNAMES)) {
      const suggestion = closestMatch(key, Object.keys(NICKNAMES).filter((k) => NICKNAMES[k] !== undefined));
      const replacement = suggestion ? (this.rules.nicknames ? suggestion : NICKNAMES[suggestion]) : undefined;
      this.error(
        span,
        "cron-syntax",
        `unknown nickname '${word}'${suggestion ? ` (did you mean '${suggestion}'${this.rules.nicknames ? "" : `, that is '${NICKNAMES[suggestion]}'`}?)` : ""}`,
        replacement ? { replacement } : undefined,
      );
      return undefined;
    }
    const equivalent = NICKNAMES[key];
    if (equivalent === undefined) {
      this.error(span, "cron-unsupported-syntax", `'${word}' is not a time of day: a mask cannot say "at startup"`);
      return undefined;
    }
    if (!this.rules.nicknames) {
      this.error(span, "cron-unsupported-syntax", `'${word}' ${this.rules.notSupported} (use ${equivalent})`, { replacement: equivalent, fixTitle: `Change to '${equivalent}'` });
      return undefined;
    }
    if (rest !== "") return undefined;
    // Compile the equivalent; every field "is" the nickname for spans and warnings.
    const sub = new MaskParser(equivalent, this.dialect);
    const tokens = tokenizeMask(equivalent);
    const pattern = tokens.patterns[0]!;
    const results = pattern.fields.map((f, i) => sub.fields.parseField(f, FIELDS[i]!, 1));
    const sets = sub.buildSets(results, pattern.fields, span, 0);
    if (!sets) return undefined;
    sets.fieldSpans = FIELDS.map(() => span);
    return [compilePattern(sets)];
  }

  /** A compiled alternative; a string (why) when it parses but no date can ever match; undefined after errors. */
  private parsePattern(fields: Token[], span: Span, alternative: number): CompiledPattern | string | undefined {
    const results = fields.map((f, i) => this.fields.parseField(f, FIELDS[i]!, 0));
    if (results.some((r) => !r.ok)) return undefined;
    const sets = this.buildSets(results, fields, span, alternative);
    if (!sets) return undefined;
    const impossible = impossibleMonths(sets);
    if (impossible) return describeImpossible(impossible.months, impossible.days);
    this.patternWarnings(sets, fields);
    return compilePattern(sets);
  }

  buildSets(results: FieldResult[], fields: Token[], span: Span, alternative: number): PatternSets | undefined {
    if (results.some((r) => !r.ok)) return undefined;
    const [mi, ho, dm, mo, dw] = results as [FieldResult, FieldResult, FieldResult, FieldResult, FieldResult];
    const dows = new Uint8Array(7);
    for (let v = 0; v <= 7; v++) if (dw.set[v]) dows[v % 7] = 1;
    const restricted = (t: string) => (this.rules.unrestricted === "exact-star" ? t !== "*" : !t.startsWith("*"));
    return {
      minutes: mi.set,
      hours: ho.set,
      doms: dm.set,
      months: mo.set,
      dows,
      lastDom: dm.lastDom,
      dayOr: this.rules.dayCombine === "or" && restricted(fields[2]!.text) && restricted(fields[4]!.text),
      alternative,
      span,
      fieldSpans: fields.map(spanOf),
      fieldTexts: fields.map((f) => f.text),
    };
  }

  /** Legal but suspicious: every minute, the DOM/DOW OR rule, WebHare's day-loop quirk. */
  private patternWarnings(s: PatternSets, fields: Token[]): void {
    const [mi, ho, dm, mo, dw] = fields as [Token, Token, Token, Token, Token];
    const everyMinute = countSet(s.minutes, 0, 59) === 60;
    const allHours = countSet(s.hours, 0, 23) === 24;
    const allDays = !s.dayOr && countSet(s.doms, 1, 31) === 31 && countSet(s.dows, 0, 6) === 7 && countSet(s.months, 1, 12) === 12;
    if (everyMinute) {
      if (allHours && allDays) this.warn(s.span, "cron-every-minute", "this mask runs every minute (1440 times a day)");
      else
        this.warn(mi, "cron-every-minute", `'${mi.text}' in the minute field runs every minute of each matching hour; did you mean minute 0?`, {
          replacement: "0",
          fixTitle: "Run once an hour, at minute 0",
        });
    }
    if (s.dayOr) {
      this.warn(
        { start: dm.start, end: dw.end },
        "cron-dom-dow-or",
        `day of month '${dm.text}' and day of week '${dw.text}' are both restricted, so this runs on days that match EITHER of them, not only on days that match both`,
      );
    }
    if (this.dialect === "webhare") {
      const timesOfDay = countSet(s.minutes, 0, 59) * countSet(s.hours, 0, 23);
      if (timesOfDay > 1 && (dm.text !== "*" || dw.text !== "*" || mo.text !== "*")) {
        this.warn(
          { start: mi.start, end: ho.end },
          "cron-webhare-quirk",
          "WebHare keeps the time of day when it moves on to the next matching day, so its first run on that day can be late " +
            "(e.g. '0 * * * 1' from Sunday 15:20 runs Monday 16:00 instead of 00:00); modtasks runs at the day's first matching minute",
        );
      }
    }
  }
}

function joinOr(items: string[], word: string): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${word} ${items[items.length - 1]}`;
}

function describeImpossible(months: number[], days: number[]): string {
  const names = months.map((m) => MONTH_LONG[m - 1]!);
  const monthText = months.length === 12 ? "no month" : joinOr(names, "and");
  const verb = months.length === 1 || months.length === 12 ? "has" : "have";
  return `${monthText} ${verb} no day ${joinOr(days.map(String), "or")}`;
}
