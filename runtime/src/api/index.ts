/**
 * The modtasks API for application and task code: `import { openRuntime, ManagedTaskBase } from "modtasks"`.
 */
export { ManagedTaskBase, TaskRequest, type TaskResponse, type TemporaryFailureOptions, type RestartOptions } from "./task-base";
export type { TaskDb } from "./task-db";
export { openRuntime, RuntimeHandle, type OpenRuntimeOptions, type RetrieveOptions, type AppTransaction } from "./runtime-handle";
export type { ScheduleOptions, TaskRecord, TaskState, TaskOutcome, ListTasksOptions, PriorityName } from "../queue/types";
