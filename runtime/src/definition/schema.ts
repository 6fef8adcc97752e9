/**
 * The `<servicemanager>` section of moduledefinition.xml, described once. Everything else reads
 * this table: the checker (unknown elements and attributes, required attributes, enum values,
 * value types), the language server (hover documentation, completion of element and attribute
 * names and enum values) and `scripts/gen-schema.ts` (the XSD in `schemas/` for generic XML
 * tooling). Documentation is Markdown written for module authors.
 *
 * Facts come from WebHare's own moduledefinition XSD and task runtime (see
 * `/work/shared/reference/webhare-tasks.md`); where modtasks checks more than WebHare does, the
 * documentation says so.
 */

export const MODULEDEFINITION_NAMESPACE = "http://www.webhare.net/xmlns/system/moduledefinition";

/** Value types of attributes. The checker validates each kind; the XSD maps each to a simple type. */
export type AttributeType =
  /** A name: a letter, `_` or `$` first, then letters, digits, `_`, `$`. */
  | { kind: "name" }
  /** An optionally module-qualified name (`cluster`): `name` or `module:name`. */
  | { kind: "qualifiedName" }
  /**
   * A path relative to the module folder (or `mod::module/path`). `script`: a program;
   * `object`: `path#ExportName` naming a task class; `function`: `path#exportName` naming a function.
   */
  | { kind: "path"; target: "script" | "object" | "function" }
  /** A cron mask (`runat`). */
  | { kind: "cron" }
  /** An IANA time zone name, `maintenance`, or empty for UTC (`runtz`). */
  | { kind: "zone" }
  | { kind: "enum"; values: readonly EnumValue[] }
  /** A whole number, at least `min`, in `unit` when it has one. */
  | { kind: "integer"; min: number; unit?: "minutes" | "milliseconds" }
  /** `true`, `false`, `1` or `0` (XML Schema booleans). */
  | { kind: "boolean" }
  | { kind: "text" }
  /** A semantic-version range such as `>=5.2.0 <6` or `^5.6`. */
  | { kind: "semver" }
  /** Space-separated environment variable names. */
  | { kind: "envList" }
  /** Module names separated by `;`, `,` or spaces. */
  | { kind: "moduleList" }
  /** Space-separated wildcard masks matched against the server's name. */
  | { kind: "serverMasks" }
  /** A wall-clock time `H:MM` (the deprecated `runtime`). */
  | { kind: "time" };

export interface EnumValue {
  value: string;
  doc: string;
  /** The number behind the name, where there is one (priorities). */
  number?: number;
}

export interface AttributeSchema {
  name: string;
  required: boolean;
  type: AttributeType;
  /** The value used when the attribute is absent, as it would be written. */
  default?: string;
  /** Set when the attribute is deprecated: what to use instead. */
  deprecated?: string;
  /** Markdown for users: what it does, units, an example. */
  doc: string;
  /** Attributes shared by all declarations that decide whether the declaration applies. */
  group?: "applicability";
}

export interface ElementSchema {
  name: string;
  /** Markdown for users. */
  doc: string;
  attributes: readonly AttributeSchema[];
  /** Child elements allowed inside (by name). */
  children: readonly string[];
  /** The element's text content is meaningful (`<arg>`). */
  text?: boolean;
  /** Exactly one of these attributes must be present. */
  exactlyOneOf?: readonly string[];
  /** Set when the element is deprecated: what to use instead. */
  deprecated?: string;
  /** A complete example, used for snippets and documentation. */
  example: string;
}

const nameDoc = "A name: a letter, `_` or `$` first, then letters, digits, `_` or `$`.";

export const PRIORITIES: readonly EnumValue[] = [
  { value: "background", number: 100, doc: "For long-running work that can wait and must not get in the way of a busy system. Runs after all other priorities." },
  { value: "normal", number: 0, doc: "The default; right for most tasks." },
  { value: "interactive", number: -100, doc: "For tasks a user is waiting for (a password reset mail)." },
  { value: "update", number: -200, doc: "For tasks that update the system, where waiting too long breaks things (rebuilding assets)." },
  { value: "updateinteractive", number: -300, doc: "For tasks that block a developer or administrator who is fixing things. Runs before everything else." },
];

export const RUNONCE_WHEN: readonly EnumValue[] = [
  { value: "afterschemacreation", doc: "After the module's database schema exists; its tables may not exist yet." },
  { value: "aftertablecreation", doc: "After the module's schema and tables exist (obsolete columns may not be removed yet). The default." },
  { value: "afterregistryupdate", doc: "After the schema is completely up to date and missing registry keys were added." },
  { value: "aftertablesbeforerights", doc: "After the tables exist, before rights are updated." },
  { value: "poststart", doc: "After the server has fully started." },
];

/** Server types from the lowest to the highest stage: `minservertype`/`maxservertype` compare in this order. */
export const SERVER_TYPES: readonly EnumValue[] = [
  { value: "development", doc: "A developer's own server. The lowest stage." },
  { value: "test", doc: "A test server." },
  { value: "acceptance", doc: "An acceptance (staging) server." },
  { value: "production", doc: "A live server. The highest stage." },
];

/** Attributes that decide whether a declaration applies to this server, shared by all declarations. */
export const APPLICABILITY_ATTRIBUTES: readonly AttributeSchema[] = [
  {
    name: "ifenvironset",
    required: false,
    type: { kind: "envList" },
    group: "applicability",
    doc: "Space-separated environment variable names that must **all be set** (to a non-empty value) for this declaration to apply.\n\nExample: `ifenvironset=\"WEBHARE_IN_DOCKER\"`.",
  },
  {
    name: "unlessenvironset",
    required: false,
    type: { kind: "envList" },
    group: "applicability",
    doc: "Space-separated environment variable names that must **all be unset** (absent or empty) for this declaration to apply; one set variable disables it.\n\nExample: `unlessenvironset=\"WEBHARE_CI WEBHARE_NOUPDATEGEOIP\"`.",
  },
  {
    name: "webhareversion",
    required: false,
    type: { kind: "semver" },
    group: "applicability",
    doc: "Applies only when the platform version matches this [semantic version range](https://www.npmjs.com/package/semver#ranges).\n\nExample: `webhareversion=\">=5.6.0\"`.",
  },
  {
    name: "postgresversion",
    required: false,
    type: { kind: "semver" },
    group: "applicability",
    doc: "Applies only when the PostgreSQL server version matches this semantic version range.\n\nExample: `postgresversion=\">=16\"`.",
  },
  {
    name: "minservertype",
    required: false,
    type: { kind: "enum", values: SERVER_TYPES },
    group: "applicability",
    doc: "Lowest server type this declaration applies to. Stages go `development` < `test` < `acceptance` < `production`, so `minservertype=\"acceptance\"` applies to acceptance and production servers.",
  },
  {
    name: "maxservertype",
    required: false,
    type: { kind: "enum", values: SERVER_TYPES },
    group: "applicability",
    doc: "Highest server type this declaration applies to. Stages go `development` < `test` < `acceptance` < `production`, so `maxservertype=\"test\"` applies to development and test servers, and `maxservertype=\"development\"` to development servers only.",
  },
  {
    name: "restrictservers",
    required: false,
    type: { kind: "serverMasks" },
    group: "applicability",
    doc: "Space-separated wildcard masks (`*`, `?`); the server's name must match one of them for this declaration to apply.\n\nExample: `restrictservers=\"web-* backup\"`.",
  },
  {
    name: "ifmodules",
    required: false,
    type: { kind: "moduleList" },
    group: "applicability",
    doc: "Applies only if **any** of these modules is installed. Separate names with `;` (WebHare's documentation also allows `,`).\n\nExample: `ifmodules=\"newsletter;forms\"`.",
  },
  {
    name: "allowifrestore",
    required: false,
    type: { kind: "boolean" },
    default: "false",
    group: "applicability",
    doc: "Also run while the server is in *restore* mode (after restoring a backup, when most tasks are held back so they do not act on restored data). Default `false`.",
  },
  {
    name: "requireversion",
    required: false,
    type: { kind: "text" },
    group: "applicability",
    deprecated: "use `webhareversion` with a semantic version range, e.g. `webhareversion=\">=4.10.2\"`",
    doc: "Minimum platform version (an integer such as `41002` meant `>= 4.10.2`). Deprecated: use `webhareversion`.",
  },
  {
    name: "beforeversion",
    required: false,
    type: { kind: "text" },
    group: "applicability",
    deprecated: "use `webhareversion` with a range such as `webhareversion=\"<4.10.2\"`",
    doc: "Platform version before which this declaration applies (an integer such as `41002`). Deprecated: use `webhareversion`.",
  },
];

const taskAttributes: readonly AttributeSchema[] = [
  {
    name: "tag",
    required: true,
    type: { kind: "name" },
    doc: `Names this scheduled task, unique among the module's \`<task>\`s. Its full name is \`module:tag\`, used to trigger it by hand and in status views. ${nameDoc}`,
  },
  {
    name: "script",
    required: true,
    type: { kind: "path", target: "script" },
    doc: "The program to run at each occurrence, relative to the module folder (the folder of moduledefinition.xml), e.g. `scripts/tasks/cleanup.ts`. `<arg>` children are passed as its arguments. A path that leaves the module folder is an error.",
  },
  {
    name: "runat",
    required: false,
    type: { kind: "cron" },
    default: "",
    doc: "When to run: a cron mask of 5 space-separated fields, *minute hour day-of-month month day-of-week* (0-59, 0-23, 1-31, 1-12, 0-7 with 0 and 7 = Sunday). Each field is `*`, a number, a comma list (`0,30`) or a step (`*/5`). When both day fields are restricted, either may match.\n\nExamples: `13 0 * * *` = daily at 00:13; `*/10 * * * *` = every 10 minutes; `0 8 * * 1` = Mondays at 08:00.\n\nEmpty (the default): the task never runs on a schedule, only at startup (`runatstartup`) or when triggered by hand. The mask is evaluated in the zone given by `runtz` (UTC by default).",
  },
  {
    name: "runtz",
    required: false,
    type: { kind: "zone" },
    default: "",
    doc: "The time zone in which `runat` is evaluated: an IANA zone name such as `Europe/Amsterdam`, or `maintenance`, or empty for UTC (the default).\n\n`maintenance` is UTC shifted by the server's maintenance offset (`WEBHARE_MAINTENANCE_OFFSET` minutes, or a random offset chosen once per installation), so that heavy maintenance does not run on every server at the same moment.",
  },
  {
    name: "runatstartup",
    required: false,
    type: { kind: "boolean" },
    default: "false",
    doc: "Also run once every time the runtime starts. Default `false`.",
  },
  {
    name: "timeout",
    required: false,
    type: { kind: "integer", min: 0, unit: "minutes" },
    default: "0",
    doc: "How long a run may take, in **minutes**; the run is killed afterwards. `0` (the default) means the default of 60 minutes.\n\nNote the unit: on `<managedtask>` and `<ephemeraltask>`, `timeout` is in milliseconds.",
  },
  {
    name: "description",
    required: false,
    type: { kind: "text" },
    doc: "A short description, shown in status views.",
  },
  {
    name: "workerthreads",
    required: false,
    type: { kind: "integer", min: 1 },
    doc: "Number of worker threads for the script's HareScript engine. Has no effect on TypeScript or JavaScript scripts.",
  },
  {
    name: "runtime",
    required: false,
    type: { kind: "time" },
    deprecated: "use `runat` (and `runtz`): `runtime=\"3:15\"` is `runat=\"15 3 * * *\"`",
    doc: "Deprecated: the time of day to run, as `H:MM`. Use `runat` (a cron mask) and `runtz` instead.",
  },
  {
    name: "runinterval",
    required: false,
    type: { kind: "integer", min: 0 },
    deprecated: "use `runat` (and `runtz`) with a step, such as `runat=\"*/15 * * * *\"` for every 15 minutes",
    doc: "Deprecated: run at a fixed interval. Use a cron mask in `runat` instead, such as `*/15 * * * *`.",
  },
];

const queuedCommon = (kind: "managed" | "ephemeral"): AttributeSchema[] => [
  {
    name: "type",
    required: true,
    type: { kind: "name" },
    doc: `Names this ${kind} task type, unique among the module's managed and ephemeral tasks (compared case-insensitively: types are lower-cased at run time). Its full name is \`module:type\`, which code passes to ${kind === "managed" ? "`scheduleManagedTask(\"module:type\", data)`" : "`scheduleEphemeralTask(\"module:type\", data)`"}. ${nameDoc}`,
  },
  {
    name: "objectname",
    required: false,
    type: { kind: "path", target: "object" },
    doc: "The task class, as `path#ClassName` relative to the module folder: a TypeScript or JavaScript class that extends `ManagedTaskBase` (e.g. `lib/tasks.ts#SendMailTask`), or a HareScript object type (`lib/tasks.whlib#SendMailTask`, which needs a WebHare server). A `mod::othermodule/...` path points into another module.\n\nGive either `objectname` or `taskrunner`, not both.",
  },
  {
    name: "taskrunner",
    required: false,
    type: { kind: "path", target: "function" },
    doc: "The task as a function, `path#exportedFunction` relative to the module folder, e.g. `lib/tasks.ts#sendMail`. It receives the task's request and returns its response.\n\nGive either `objectname` or `taskrunner`, not both.",
  },
  {
    name: "priority",
    required: false,
    type: { kind: "enum", values: PRIORITIES },
    default: "normal",
    doc: "Which tasks run first when workers are busy: `updateinteractive` (-300), `update` (-200), `interactive` (-100), `normal` (0, the default), `background` (100). Lower numbers run first; equal priorities run in scheduled order.",
  },
  {
    name: "timeout",
    required: false,
    type: { kind: "integer", min: 0, unit: "milliseconds" },
    default: "0",
    doc: `How long one run may take, in **milliseconds**; \`0\` (the default) means no limit. On expiry the worker is killed and the run counts as a ${kind === "managed" ? "temporary failure (retried)" : "failure (the caller's promise rejects)"}. Example: \`timeout="600000"\` = 10 minutes.\n\nNote the unit: on \`<task>\`, \`timeout\` is in minutes.`,
  },
  {
    name: "failreschedule",
    required: false,
    type: { kind: "integer", min: 0, unit: "milliseconds" },
    default: "900000",
    doc: "Base delay of the retry backoff after a failure, in **milliseconds** (default 900000 = 15 minutes). Attempt *n* waits `failreschedule × 2^n`: 15m, 30m, 1h, 2h, 4h, 8h, then once a day.",
  },
  {
    name: "cluster",
    required: false,
    type: { kind: "qualifiedName" },
    default: "system:default",
    doc: "The worker pool that runs this task: the `tag` of a `<taskcluster>` in this module, or `module:tag` of another module's cluster. Default `system:default`.",
  },
];

const managedAttributes: readonly AttributeSchema[] = [
  ...queuedCommon("managed"),
  {
    name: "maxfailures",
    required: false,
    type: { kind: "integer", min: 0 },
    doc: "How many failures before giving up: `0` = never retry, *N* = at most *N*+1 attempts. Without this attribute a failing task is retried forever.",
  },
];

/** The root `<module>`: documented in the XSD and in hovers, though only its `<servicemanager>` is checked. */
export const MODULE_DOC = "The root of a module definition. Only its <servicemanager> section is described here.";

export const ELEMENTS: readonly ElementSchema[] = [
  {
    name: "servicemanager",
    doc: "Declares the module's background work: scheduled tasks (`<task>`), managed and ephemeral task types (`<managedtask>`, `<ephemeraltask>`), worker pools (`<taskcluster>`) and one-time scripts (`<runonce>`). At most one per module definition.",
    attributes: [],
    children: ["task", "managedtask", "ephemeraltask", "taskcluster", "runonce", "runatstartup"],
    example: "<servicemanager>\n  <task tag=\"cleanup\" runat=\"13 0 * * *\" script=\"scripts/tasks/cleanup.ts\" />\n</servicemanager>",
  },
  {
    name: "task",
    doc: "A **scheduled task**: runs `script` at the times given by the cron mask `runat` (in zone `runtz`), and/or at startup. At most one run per task at a time; runs missed while the runtime was down are made up once, right after startup. A failed run is not retried; it waits for the next occurrence.",
    attributes: [...taskAttributes, ...APPLICABILITY_ATTRIBUTES],
    children: ["arg"],
    example: "<task tag=\"cleanup\" runat=\"13 0 * * *\" runtz=\"Europe/Amsterdam\" script=\"scripts/tasks/cleanup.ts\" />",
  },
  {
    name: "arg",
    doc: "One argument for the task's script; arguments are passed in order.",
    attributes: [],
    children: [],
    text: true,
    example: "<arg>--verbose</arg>",
  },
  {
    name: "managedtask",
    doc: "A **managed task** type: work queued in the database by `scheduleManagedTask(\"module:type\", data)` inside a transaction, run by a worker in a transaction of its own, and retried with backoff until it resolves. The task's own database changes commit together with its completion.",
    attributes: [...managedAttributes, ...APPLICABILITY_ATTRIBUTES],
    children: [],
    exactlyOneOf: ["objectname", "taskrunner"],
    example: "<managedtask type=\"sendmail\" objectname=\"lib/tasks.ts#SendMailTask\" />",
  },
  {
    name: "ephemeraltask",
    doc: "An **ephemeral task** type: like a managed task, but not stored in the database and never retried. `scheduleEphemeralTask(\"module:type\", data)` returns a promise of the result; a throw, crash or timeout rejects it.",
    attributes: [...queuedCommon("ephemeral"), ...APPLICABILITY_ATTRIBUTES],
    children: [],
    exactlyOneOf: ["objectname", "taskrunner"],
    example: "<ephemeraltask type=\"render\" taskrunner=\"lib/render.ts#render\" />",
  },
  {
    name: "taskcluster",
    doc: "A separate **worker pool** for managed and ephemeral tasks, so slow work cannot starve other tasks. Tasks choose it with `cluster=\"tag\"` (or `module:tag` from another module).",
    attributes: [
      { name: "tag", required: true, type: { kind: "name" }, doc: `Names this cluster; tasks refer to it with \`cluster="tag"\` (full name \`module:tag\`). ${nameDoc}` },
      { name: "harescriptworkers", required: true, type: { kind: "integer", min: 1 }, doc: "Number of worker processes in this pool (at least 1)." },
      { name: "harescriptworkerthreads", required: false, type: { kind: "integer", min: 1 }, doc: "Number of threads each worker starts with (at least 1)." },
      ...APPLICABILITY_ATTRIBUTES,
    ],
    children: [],
    example: "<taskcluster tag=\"heavy\" harescriptworkers=\"2\" />",
  },
  {
    name: "runonce",
    doc: "A script that runs **once** per module and tag, at the moment given by `when` (even if it fails, it is not run again). To run it again, change the tag (e.g. add a date: `initdb_20260701`).",
    attributes: [
      { name: "tag", required: true, type: { kind: "name" }, doc: `Identifies the script: it runs once per module and tag. ${nameDoc}` },
      { name: "script", required: true, type: { kind: "path", target: "script" }, doc: "The script to run, relative to the module folder." },
      { name: "when", required: false, type: { kind: "enum", values: RUNONCE_WHEN }, default: "aftertablecreation", doc: "When during installation or upgrade the script runs. Default `aftertablecreation`." },
      ...APPLICABILITY_ATTRIBUTES,
    ],
    children: [],
    example: "<runonce tag=\"initdb_20260701\" script=\"scripts/runonce/initdb.ts\" when=\"afterregistryupdate\" />",
  },
  {
    name: "runatstartup",
    doc: "Deprecated: runs `script` after every start. Use a `<task>` with `runatstartup=\"true\"` instead.",
    deprecated: "use `<task tag=\"...\" script=\"...\" runatstartup=\"true\" />`",
    attributes: [
      { name: "script", required: true, type: { kind: "path", target: "script" }, doc: "The script to run, relative to the module folder." },
      { name: "when", required: false, type: { kind: "enum", values: [{ value: "afterlaunch", doc: "After the server has launched." }] }, default: "afterlaunch", doc: "Always `afterlaunch`." },
      ...APPLICABILITY_ATTRIBUTES,
    ],
    children: [],
    example: "<runatstartup script=\"scripts/startup.ts\" when=\"afterlaunch\" />",
  },
];

const byName = new Map(ELEMENTS.map((e) => [e.name, e]));
const attributeMaps = new Map(ELEMENTS.map((e) => [e.name, new Map(e.attributes.map((a) => [a.name, a]))]));

/** The schema of an element of the `<servicemanager>` section (including `servicemanager` itself), by local name. */
export function elementSchema(name: string): ElementSchema | undefined {
  return byName.get(name);
}

/** The schema of one attribute of such an element. */
export function attributeSchema(element: string, attribute: string): AttributeSchema | undefined {
  return attributeMaps.get(element)?.get(attribute);
}

/** Human words for an integer unit, for messages and hovers. */
export function unitName(unit: "minutes" | "milliseconds" | undefined, n = 2): string {
  if (!unit) return "";
  if (unit === "minutes") return n === 1 ? "minute" : "minutes";
  return "ms";
}
