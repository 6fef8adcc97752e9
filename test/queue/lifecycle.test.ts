import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { endOfRun } from "../../runtime/src/queue/lifecycle";
import { DEFAULT_FAIL_RESCHEDULE_MS, nextAttemptAfterFailure, timeoutMessage } from "../../runtime/src/queue/policy";

const MIN = 60_000;
const HOUR = 60 * MIN;
const policy = { timeoutMs: 0, failRescheduleMs: DEFAULT_FAIL_RESCHEDULE_MS, maxFailures: -1 };

describe("retry policy", () => {
  it("backs off 15m, 30m, 1h, 2h, 4h, 8h, then 24h forever (WebHare's numbers)", () => {
    const now = 1_000_000;
    const delays = [];
    for (let failures = 0; failures < 9; failures++) {
      const d = nextAttemptAfterFailure({ failuresSoFar: failures, maxFailures: -1, failRescheduleMs: DEFAULT_FAIL_RESCHEDULE_MS, now });
      assert.equal(d.final, false);
      delays.push((d as { nextAttempt: number }).nextAttempt - now);
    }
    assert.deepEqual(delays, [15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 24 * HOUR, 24 * HOUR, 24 * HOUR]);
  });

  it("maxfailures 0 never retries, N allows N+1 attempts, -1 retries forever", () => {
    const d = (failuresSoFar: number, maxFailures: number) => nextAttemptAfterFailure({ failuresSoFar, maxFailures, failRescheduleMs: 1000, now: 0 }).final;
    assert.equal(d(0, 0), true);
    assert.equal(d(0, 2), false);
    assert.equal(d(1, 2), false);
    assert.equal(d(2, 2), true);
    assert.equal(d(100, -1), false);
  });

  it("an explicit nextRetry wins, but never lies in the past", () => {
    const now = 10_000;
    assert.deepEqual(nextAttemptAfterFailure({ failuresSoFar: 3, maxFailures: -1, failRescheduleMs: 1000, now, nextRetry: now + 5 }), { final: false, nextAttempt: now + 5 });
    assert.deepEqual(nextAttemptAfterFailure({ failuresSoFar: 3, maxFailures: -1, failRescheduleMs: 1000, now, nextRetry: now - 5000 }), { final: false, nextAttempt: now });
  });

  it("words timeouts as WebHare does", () => {
    assert.equal(timeoutMessage(100), "Task has timed out after 100ms");
    assert.equal(timeoutMessage(3000), "Task has timed out after 3s");
    assert.equal(timeoutMessage(1500), "Task has timed out after 1500ms");
  });
});

describe("end of a run", () => {
  const task = { failures: 2, iterations: 5 };
  it("completion finishes with the result and keeps the failure count", () => {
    const e = endOfRun(task, { kind: "completed", result: { a: 1 } }, policy, 100);
    assert.deepEqual([e.state, e.outcome, e.finished, e.failures, e.iterations, e.result], ["finished", "completed", 100, 2, 6, { value: { a: 1 } }]);
  });
  it("a temporary failure reschedules with backoff and counts the failure", () => {
    const e = endOfRun(task, { kind: "temporary-failure", error: "x" }, policy, 0);
    assert.deepEqual([e.state, e.nextAttempt, e.failures, e.error?.message], ["pending", DEFAULT_FAIL_RESCHEDULE_MS * 4, 3, "x"]);
  });
  it("a temporary failure past maxfailures is final", () => {
    const e = endOfRun(task, { kind: "temporary-failure", error: "x" }, { ...policy, maxFailures: 2 }, 7);
    assert.deepEqual([e.state, e.outcome, e.finished], ["finished", "failed", 7]);
  });
  it("a restart resets the failure count and may replace the data", () => {
    const e = endOfRun(task, { kind: "restart", when: 50, newData: { page: 2 }, hasNewData: true, hasAuxData: false }, policy, 10);
    assert.deepEqual([e.state, e.nextAttempt, e.failures, e.data], ["pending", 50, 0, { value: { page: 2 } }]);
    assert.equal(endOfRun(task, { kind: "restart", when: 5, hasNewData: false, hasAuxData: false }, policy, 10).nextAttempt, 10, "never before now");
  });
  it("cancellation finishes without counting an error", () => {
    const e = endOfRun(task, { kind: "cancelled", result: null, error: "stop" }, policy, 1);
    assert.deepEqual([e.state, e.outcome, e.failures], ["finished", "cancelled", 2]);
  });
  it("a permanent failure finishes at once", () => {
    const e = endOfRun(task, { kind: "permanent-failure", error: "bad" }, policy, 1);
    assert.deepEqual([e.state, e.outcome, e.failures, e.error?.message], ["finished", "failed", 3, "bad"]);
  });
});
