/**
 * While a run is in progress, `process.exit` in task code throws instead of ending the worker,
 * exactly as WebHare's JS task runner does (`Task attempted to abort with error code N`): the run
 * fails temporarily with that message and the worker (its loaded modules, open connections) is
 * reused. A real crash (an uncaught exception, a kill) still ends the worker, and the runtime
 * records it as `Task process exited with code N`.
 */

/** The worker's own way out, taken before any task code can replace it. */
export const realExit: (code?: number) => never = process.exit.bind(process);

/** Replaces process.exit until the returned function is called. */
export function guardExit(): () => void {
  const previous = process.exit;
  process.exit = ((code?: number | string | null) => {
    // WebHare prints the argument as given; `process.exit()` means the exit code Node would use.
    throw new Error(`Task attempted to abort with error code ${code ?? process.exitCode ?? 0}`);
  }) as typeof process.exit;
  return () => {
    process.exit = previous;
  };
}
