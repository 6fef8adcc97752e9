/**
 * The modtasks API for application and task code: `import { openRuntime, ManagedTaskBase } from "modtasks"`.
 */
export { ManagedTaskBase, TaskRequest, type TaskResponse, type TemporaryFailureOptions, type RestartOptions } from "./task-base";
export type { TaskDb } from "./task-db";
export { openRuntime, RuntimeHandle, type OpenRuntimeOptions, type RetrieveOptions, type AppTransaction } from "./runtime-handle";
export type { ScheduleOptions, TaskRecord, TaskState, TaskOutcome, ListTasksOptions, PriorityName } from "../queue/types";
// Backend services (#10): runtime/src/services/README.md.
export { runBackendService, BackendServiceConnection, type BackendServiceFactory, type BackendServiceController, type RunBackendServiceOptions } from "../services/service";
export { openBackendService, type OpenBackendServiceOptions, type BackendServiceProxy, type BackendServiceClient, type AnyBackendService } from "../services/client";
export { UnsupportedValueError } from "../services/wire";
export { BackgroundTaskHandle, type ExecuteSpec, type BackgroundTaskState } from "./background-task";
export type { EphemeralTaskOptions } from "./task-db";
export { DistributedHandle, type DistributedSpec, type DistributedResult } from "./distributed";
