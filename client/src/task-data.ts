/**
 * The JSON data a user types for a task (Run Task… asks for it in an input box). Validation
 * messages are what the input box shows while typing. No `vscode` import.
 */

export type ParsedData = { ok: true; value: unknown } | { ok: false; message: string };

/** Empty input means `null` data: many tasks take none. */
export function parseTaskData(text: string): ParsedData {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(trimmed) as unknown };
  } catch (e) {
    return { ok: false, message: jsonErrorMessage(trimmed, e) };
  }
}

/** For `InputBox.validateInput`: undefined when valid, else a short message with the position. */
export function validateTaskData(text: string): string | undefined {
  const r = parseTaskData(text);
  return r.ok ? undefined : r.message;
}

/**
 * Node's JSON.parse messages differ between versions ("Unexpected token } in JSON at position 9",
 * "Expected property name or '}' in JSON at position 1 (line 1 column 2)"); keep the substance
 * and add a column, and a hint for the two mistakes people make most (single quotes, bare keys).
 */
function jsonErrorMessage(text: string, e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const pos = /position (\d+)/.exec(raw);
  let msg = raw.replace(/\s*\(line \d+ column \d+\)/, "").replace(/ in JSON at position \d+/, "").replace(/^JSON\.parse: /, "");
  if (pos) msg += ` (column ${Number(pos[1]) + 1})`;
  let hint = "";
  if (/'/.test(text)) hint = " — JSON strings use double quotes";
  else if (/[{,]\s*[A-Za-z_$][\w$]*\s*:/.test(text)) hint = " — JSON property names need double quotes";
  return `Not valid JSON: ${msg}${hint}`;
}

/** A placeholder that shows the user the shape of data a task was last run with, or an example. */
export function dataPlaceholder(kind: "managed" | "ephemeral" | "scheduled"): string {
  return kind === "scheduled" ? "" : 'JSON data for the task, e.g. {"name": "World"} (empty = null)';
}
