/**
 * A Prudence-style entry point document: loaded once per background worker; `resize` is called
 * for every run with the context, and its return value goes back to the caller.
 */
const loadedAt = new Date().toISOString();

export function resize(context: { width: number; height: number; max: number }) {
  const scale = Math.min(1, context.max / Math.max(context.width, context.height));
  return { width: Math.round(context.width * scale), height: Math.round(context.height * scale), workerLoadedAt: loadedAt };
}
