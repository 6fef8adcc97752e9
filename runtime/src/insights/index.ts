/**
 * Queue insights (issue #9): counts over the last hour, throughput, latency per type, the
 * slowest types and the next retries, aggregated from the runtime's task events. See the README
 * in runtime/src/timeline for how the runtime feeds it and the control op that returns it.
 */
export {
  QueueInsights,
  percentile,
  type InsightsBucket,
  type InsightsEvent,
  type InsightsOptions,
  type InsightsQueueCounts,
  type InsightsSnapshot,
  type InsightsTaskFinished,
  type InsightsTaskStarted,
  type PendingRetry,
  type TypeLatency,
} from "./aggregator";
export { CountsSampler, type CountsSamplerOptions, type SamplerTimers } from "./counts-sampler";
