/**
 * Loaded (`--require`) into every Prudence-style program process before the document runs:
 * makes the context available as `document.context`, as in Prudence.
 */
const raw = process.env.MODTASKS_CONTEXT;
let context: unknown = null;
if (raw !== undefined) {
  try {
    context = JSON.parse(raw);
  } catch {
    context = raw;
  }
}
(globalThis as { document?: unknown }).document = { context };
