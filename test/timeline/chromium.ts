/**
 * Headless Chromium for the timeline tests: Debian's Chromium driven by playwright-core from
 * test/e2e/node_modules (installed by test/e2e/setup.mjs, which this runs when either is missing).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CHROMIUM_ARGS, loadPlaywright, type Browser } from "../e2e/lib/playwright";

export const REPO_ROOT = join(__dirname, "..", "..");
export const SHOTS_DIR = join(REPO_ROOT, "test-results", "timeline");
const E2E_DIR = join(REPO_ROOT, "test", "e2e");

export async function launchChromium(): Promise<Browser> {
  let executablePath = process.env.MODTASKS_E2E_CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(executablePath) || !existsSync(join(E2E_DIR, "node_modules", "playwright-core"))) {
    // @ts-expect-error: setup.mjs is plain JavaScript without declarations.
    const setup = (await import("../e2e/setup.mjs")) as { ensureE2eTools: () => { chromium: string } };
    executablePath = setup.ensureE2eTools().chromium;
  }
  mkdirSync(SHOTS_DIR, { recursive: true });
  const { chromium } = loadPlaywright(E2E_DIR);
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** The few DOM members the tests read inside page.evaluate (the repository typechecks without lib.dom). */
export interface DomRect {
  left: number;
  top: number;
  width: number;
  height: number;
}
export interface DomElement {
  getBoundingClientRect(): DomRect;
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
}
export interface DomDocument {
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
}
