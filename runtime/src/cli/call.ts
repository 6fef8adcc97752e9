import { connectBackendService } from "../services/client";
import { findServiceLocation } from "../services/names";
import { decodeValue, encodeValue, isPublicMethodName } from "../services/wire";
import { parseArgs } from "./args";
import { CliError } from "./command";
import { dbFromOption } from "./db-option";

const HELP = `usage: modtasks call module:name method [args...] [options]

Connects to a backend service, calls one method and prints its result as JSON. Each argument is
JSON (quote strings: '"text"'); Dates and binary are written as the wire format tags them
({"$mt":"date","v":"2026-01-01T00:00:00.000Z"}, {"$mt":"bytes","v":"<base64>"}), in arguments
and in the printed result (undefined prints as null).
Exit code 1 with the error message when the service is unavailable or the call fails.

  --args JSON       arguments for the service's factory (a JSON array; default [])
  --timeout MS      how long to wait for the service (default 5000)
  --not-on-demand   do not ask the runtime to start an on-demand service
  --db URL          the runtime's database (default: as \`modtasks run\` chooses)
  --node-name NAME  the node whose service to call (PostgreSQL clusters; default: MODTASKS_NODE,
                    else the node on this machine that serves the database, whatever its name)

Services are node-local: this calls the copy that this machine's runtime serves.
`;

function parseJson(text: string, what: string): unknown {
  try {
    return decodeValue(JSON.parse(text));
  } catch (e) {
    throw new CliError(`${what} is not JSON (${(e as Error).message}); quote strings: '"text"'`);
  }
}

export async function run(args: string[]): Promise<number> {
  const { positionals, options } = parseArgs(args, {
    args: { type: "string" },
    timeout: { type: "number" },
    "not-on-demand": { type: "boolean" },
    db: { type: "string" },
    "node-name": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [name, method, ...rest] = positionals;
  if (!name || !method) throw new CliError("usage: modtasks call module:name method [json args...]");
  if (!isPublicMethodName(method)) throw new CliError(`'${method}' is not a method clients can call (not '_names', close, emit, onClose, constructor)`);
  const callArgs = rest.map((a, i) => parseJson(a, `argument ${i + 1}`));
  const factoryArgs = options.args === undefined ? [] : parseJson(String(options.args), "--args");
  if (!Array.isArray(factoryArgs)) throw new CliError("--args must be a JSON array");
  const timeout = options.timeout as number | undefined;
  if (timeout !== undefined && !(timeout >= 0)) throw new CliError("--timeout must be a number of milliseconds");

  const location = await findServiceLocation({
    ...(options.db !== undefined ? { db: dbFromOption(options.db) } : {}),
    ...(options["node-name"] !== undefined ? { node: String(options["node-name"]) } : {}),
  });
  let result: unknown;
  try {
    const service = await connectBackendService(name, factoryArgs, { ...(timeout !== undefined ? { timeout } : {}), notOnDemand: !!options["not-on-demand"], awaitConstructor: true }, location);
    const proxy = service as unknown as { close(): void } & Record<string, (...a: unknown[]) => Promise<unknown>>;
    try {
      result = await proxy[method]!(...callArgs);
    } finally {
      proxy.close();
    }
  } catch (e) {
    throw new CliError((e as Error).message, 1);
  }
  process.stdout.write(JSON.stringify(result === undefined ? null : encodeValue(result, "the result"), null, 2) + "\n");
  return 0;
}
