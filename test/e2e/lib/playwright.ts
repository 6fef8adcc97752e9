/**
 * playwright-core, loaded from test/e2e/node_modules after setup.mjs installed it. Typed with the
 * few members the suite uses, so the repository typechecks before the e2e packages exist
 * (CI runs `tsc` before the tests install them).
 */
import { createRequire } from "node:module";
import { join } from "node:path";

export interface Locator {
  click(o?: { button?: "left" | "right"; timeout?: number; force?: boolean; position?: { x: number; y: number } }): Promise<void>;
  dblclick(o?: { timeout?: number }): Promise<void>;
  hover(o?: { timeout?: number; force?: boolean; position?: { x: number; y: number } }): Promise<void>;
  waitFor(o?: { state?: "attached" | "detached" | "visible" | "hidden"; timeout?: number }): Promise<void>;
  first(): Locator;
  last(): Locator;
  nth(i: number): Locator;
  locator(selector: string, o?: { hasText?: string | RegExp; has?: Locator }): Locator;
  filter(o: { hasText?: string | RegExp; has?: Locator }): Locator;
  count(): Promise<number>;
  textContent(o?: { timeout?: number }): Promise<string | null>;
  innerText(o?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  getAttribute(name: string, o?: { timeout?: number }): Promise<string | null>;
  isVisible(): Promise<boolean>;
  boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null>;
  press(key: string, o?: { timeout?: number }): Promise<void>;
  fill(value: string, o?: { timeout?: number }): Promise<void>;
  scrollIntoViewIfNeeded(o?: { timeout?: number }): Promise<void>;
  screenshot(o?: { path?: string }): Promise<Buffer>;
}

export interface Page {
  goto(url: string, o?: { waitUntil?: "load" | "domcontentloaded"; timeout?: number }): Promise<unknown>;
  locator(selector: string, o?: { hasText?: string | RegExp; has?: Locator }): Locator;
  getByRole(role: string, o?: { name?: string | RegExp; exact?: boolean }): Locator;
  keyboard: { press(key: string, o?: { delay?: number }): Promise<void>; type(text: string, o?: { delay?: number }): Promise<void>; insertText(text: string): Promise<void> };
  mouse: { move(x: number, y: number, o?: { steps?: number }): Promise<void>; click(x: number, y: number): Promise<void> };
  screenshot(o: { path: string; fullPage?: boolean }): Promise<Buffer>;
  waitForFunction<T>(fn: (arg: T) => unknown, arg: T, o?: { timeout?: number; polling?: number | "raf" }): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  on(event: "console" | "pageerror", fn: (msg: { text(): string; type?(): string } | Error) => void): void;
  setDefaultTimeout(ms: number): void;
  close(): Promise<void>;
}

export interface Browser {
  newPage(o?: { viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

interface PlaywrightCore {
  chromium: {
    launch(o: { executablePath: string; headless?: boolean; args?: string[]; timeout?: number }): Promise<Browser>;
  };
}

export function loadPlaywright(e2eDir: string): PlaywrightCore {
  const require = createRequire(join(e2eDir, "package.json"));
  return require("playwright-core") as PlaywrightCore;
}

/** Flags that keep Chromium off the (closed) network and working as root in a container. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];
