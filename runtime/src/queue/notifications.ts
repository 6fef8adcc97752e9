/**
 * Payloads of the `modtasks_events` notification: the ids of tasks whose run just ended, so
 * waiters re-read those tasks. PostgreSQL limits a payload to 8000 bytes; big batches are split.
 */
const MAX_PAYLOAD = 7000;

export function finishedPayload(ids: number[]): string {
  return JSON.stringify({ finished: ids });
}

export function finishedPayloads(ids: number[]): string[] {
  const out: string[] = [];
  let chunk: number[] = [];
  let size = 20;
  for (const id of ids) {
    const len = String(id).length + 1;
    if (size + len > MAX_PAYLOAD) {
      out.push(finishedPayload(chunk));
      chunk = [];
      size = 20;
    }
    chunk.push(id);
    size += len;
  }
  if (chunk.length) out.push(finishedPayload(chunk));
  return out;
}

export function parseFinished(payload: string): number[] {
  try {
    const v = JSON.parse(payload) as { finished?: unknown };
    return Array.isArray(v.finished) ? v.finished.filter((x): x is number => typeof x === "number") : [];
  } catch {
    return [];
  }
}
