import { run as scheduled } from "./scheduled";

/** `modtasks trigger module:tag`: `modtasks scheduled trigger` under its own name. */
export function run(args: string[]): Promise<number> {
  return scheduled(args, "trigger");
}
