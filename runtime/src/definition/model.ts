import type { Finding } from "../text/finding";
import type { LineIndex } from "../text/line-index";
import type { Span } from "../text/span";
import type { XmlDocument, XmlElement } from "../xml/types";

/**
 * The typed model of one moduledefinition.xml: what its `<servicemanager>` declares, with
 * defaults applied, and for every value the XML element it came from (so every attribute's name
 * and value range stays reachable through `element.attr(name)`).
 *
 * The model is built by `parseModuleDefinition` (never throws; a half-typed file yields what can
 * be read) and checked by `checkModuleDefinition`. Values that are invalid are replaced by their
 * default in the typed fields; the checker reports them from the XML.
 */
export interface ModuleDefinition {
  /** The module's name: the name of the folder that holds moduledefinition.xml. */
  moduleName: string;
  /** Path of the file, when it came from one. */
  file?: string;
  text: string;
  lines: LineIndex;
  xml: XmlDocument;
  /** The root `<module>` element (absent when the root is something else or missing). */
  module?: XmlElement;
  /** The first `<servicemanager>` child of `<module>`; later ones are reported and ignored. */
  servicemanager?: XmlElement;
  /** Every declaration of the servicemanager, in document order. */
  declarations: Declaration[];
  scheduledTasks: ScheduledTaskDecl[];
  /** Managed and ephemeral task types. */
  queuedTasks: QueuedTaskDecl[];
  clusters: TaskClusterDecl[];
  runOnce: RunOnceDecl[];
  runAtStartup: RunAtStartupDecl[];
  /** XML syntax problems and structural problems found while building the model. */
  findings: Finding[];
}

export type Declaration = ScheduledTaskDecl | QueuedTaskDecl | TaskClusterDecl | RunOnceDecl | RunAtStartupDecl;
export type DeclarationKind = Declaration["kind"];

export type ServerType = "development" | "test" | "acceptance" | "production";

/**
 * Conditions under which a declaration applies. Absent attributes impose no condition.
 * Read-only: declarations without any of these attributes (most) share one frozen instance, and
 * absent lists are one shared empty array.
 */
export interface Applicability {
  /** Variables that must all be set (non-empty). */
  readonly ifEnvironSet: readonly string[];
  /** Variables that must all be unset (absent or empty). */
  readonly unlessEnvironSet: readonly string[];
  /** Semantic-version range the platform version must match. */
  readonly webhareVersion?: string;
  /** Semantic-version range the PostgreSQL version must match. */
  readonly postgresVersion?: string;
  readonly minServerType?: ServerType;
  readonly maxServerType?: ServerType;
  /** Wildcard masks; the server name must match one. Empty: no restriction. */
  readonly restrictServers: readonly string[];
  /** Applies when any of these modules is installed. Empty: no restriction. */
  readonly ifModules: readonly string[];
  /** Runs while the server is in restore mode. */
  readonly allowIfRestore: boolean;
}

interface DeclarationBase {
  element: XmlElement;
  applicability: Applicability;
}

/** A file (and optionally an export in it) that a declaration points to. */
export interface TargetRef {
  /** The attribute value as written (decoded). */
  raw: string;
  /** The module of a `mod::module/path` reference; absent for a path relative to this module. */
  module?: string;
  /** Path relative to its module's folder, no leading slash (`lib/tasks.ts`). */
  path: string;
  /** The part after `#`, when there is one. */
  exportName?: string;
  /** Where the path is in the document (for `mod::` references: the whole `mod::module/path`). */
  pathSpan: Span;
  /** Where the export name is in the document. */
  exportSpan?: Span;
  language: "typescript" | "javascript" | "harescript" | "other";
}

/** `<task>`: a scheduled (cron) task. */
export interface ScheduledTaskDecl extends DeclarationBase {
  kind: "task";
  tag: string;
  /** `module:tag`. */
  fullName: string;
  /** The `script` attribute as written ("" when missing). */
  script: string;
  /** The parsed script path, when `script` is present and non-empty. */
  scriptRef?: TargetRef;
  /** Cron mask as written; "" = runs only at startup or by hand. */
  runat: string;
  /** Zone as written; "" = UTC. */
  runtz: string;
  runAtStartup: boolean;
  /** Effective timeout in minutes: the attribute, or 60 when it is absent, 0 or invalid. */
  timeoutMinutes: number;
  /** The `timeout` attribute as written. */
  timeoutRaw?: string;
  description: string;
  /** `<arg>` children in order. */
  args: { value: string; element: XmlElement }[];
  /** Deprecated attributes, as written. */
  runtime?: string;
  runinterval?: string;
}

/** `<managedtask>` or `<ephemeraltask>`: a task type run by the queue. */
export interface QueuedTaskDecl extends DeclarationBase {
  kind: "managedtask" | "ephemeraltask";
  /** The type, lower-cased as at run time. */
  type: string;
  /** `module:type`. */
  fullName: string;
  objectname?: TargetRef;
  taskrunner?: TargetRef;
  /** Numeric priority; lower runs first. */
  priority: number;
  priorityName: "background" | "normal" | "interactive" | "update" | "updateinteractive";
  /** Per-run timeout in ms; 0 = none. */
  timeoutMs: number;
  /** Base of the retry backoff in ms. */
  failRescheduleMs: number;
  /** Managed only: -1 = retry forever, 0 = never retry, N = at most N+1 attempts. Absent for ephemeral tasks (never retried). */
  maxFailures?: number;
  /** Qualified cluster name (`module:tag`); `system:default` by default. */
  cluster: string;
}

/** `<taskcluster>`: a named worker pool. */
export interface TaskClusterDecl extends DeclarationBase {
  kind: "taskcluster";
  tag: string;
  /** `module:tag`. */
  fullName: string;
  /** Number of worker processes (`harescriptworkers`); 1 when missing or invalid. */
  workers: number;
  /** Threads per worker (`harescriptworkerthreads`), when given. */
  threads?: number;
}

export type RunOnceWhen = "afterschemacreation" | "aftertablecreation" | "afterregistryupdate" | "aftertablesbeforerights" | "poststart";

/** `<runonce>`: a script run once per module and tag. */
export interface RunOnceDecl extends DeclarationBase {
  kind: "runonce";
  tag: string;
  fullName: string;
  script: string;
  scriptRef?: TargetRef;
  when: RunOnceWhen;
}

/** `<runatstartup>` (deprecated): a script run after every start. */
export interface RunAtStartupDecl extends DeclarationBase {
  kind: "runatstartup";
  script: string;
  scriptRef?: TargetRef;
  when: "afterlaunch";
}
