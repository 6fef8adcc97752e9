/**
 * Calls of the scheduling API in TypeScript/JavaScript code: `scheduleManagedTask("mod:type", ...)`,
 * `scheduleManagedTasks(...)`, `scheduleEphemeralTask(...)`, `scheduleTimedTask("mod:tag")`, as
 * plain calls or as methods (`tx.scheduleManagedTask(...)`), whose first argument is a string
 * literal. Found with the shared JS lexer (runtime/src/text/js-tokens.ts), which skips comments,
 * strings, template literals and regular expressions, so a call inside a comment or a string is
 * never reported. No TypeScript compiler: it would triple the bundle and the start-up time for a
 * question a lexer answers.
 */
import { literalCalls, tokenizeJs } from "../../../runtime/src/text/js-tokens";
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

function isScheduleFunction(name: string): boolean {
  return Object.hasOwn(SCHEDULE_FUNCTIONS, name);
}

/** Every call of a scheduling function whose first argument is a string literal. */
export function findScheduleCalls(src: string): ScheduleCall[] {
  if (!src.includes("schedule")) return [];
  const out: ScheduleCall[] = [];
  for (const { callee, literal } of literalCalls(tokenizeJs(src), isScheduleFunction)) {
    // A template literal counts only without substitutions and closed; a string also while it is being typed (for completion).
    if (literal.kind === "template" && literal.value === undefined) continue;
    const fn = callee.value as ScheduleFunction;
    const contentEnd = literal.closed ? literal.end - 1 : literal.end;
    out.push({
      fn,
      kind: SCHEDULE_FUNCTIONS[fn],
      name: src.slice(literal.start + 1, contentEnd),
      span: { start: literal.start + 1, end: contentEnd },
      literalSpan: { start: literal.start, end: literal.end },
      fnSpan: { start: callee.start, end: callee.end },
      closed: literal.closed,
    });
  }
  return out;
}
