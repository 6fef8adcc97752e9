/**
 * Driving VS Code's workbench the way a user does: the command palette, quick picks, input boxes,
 * notifications, tree rows and their menus, the editor, the Problems panel. Every helper waits on
 * something appearing in the DOM, never on a fixed delay.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "./playwright";

export const SHOTS_DIR = join(__dirname, "..", "..", "..", "test-results", "e2e");

export class Workbench {
  private shot = 0;

  constructor(
    readonly page: Page,
    readonly prefix: string,
  ) {
    mkdirSync(SHOTS_DIR, { recursive: true });
    // A run's screenshots replace the previous run's (same prefix), so the folder shows one run.
    for (const f of readdirSync(SHOTS_DIR)) if (f.startsWith(`${prefix}-`) && f.endsWith(".png")) rmSync(join(SHOTS_DIR, f), { force: true });
  }

  /** Saves `test-results/e2e/<prefix>-NN-<name>.png` (artifacts of the suite). */
  async screenshot(name: string): Promise<string> {
    const path = join(SHOTS_DIR, `${this.prefix}-${String(++this.shot).padStart(2, "0")}-${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: "domcontentloaded" });
    await this.page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    await this.page.locator(".statusbar").waitFor();
  }

  get quickInput(): Locator {
    return this.page.locator(".quick-input-widget");
  }

  /**
   * Runs a command from the palette by its title as shown ("modtasks: Run Task…"). The palette
   * lists the commands known when it opens, so while the extension is still activating the row
   * may be missing: then it closes and opens the palette again (bounded), waiting on the DOM.
   */
  async runCommand(title: string, attempts = 6): Promise<void> {
    for (let i = 1; ; i++) {
      await this.page.keyboard.press("Escape");
      await this.page.keyboard.press("F1");
      const input = this.quickInput.locator("input");
      await input.waitFor({ state: "visible" });
      await input.fill(`>${title}`);
      const row = this.quickInput.locator(".monaco-list-row", { hasText: title }).first();
      try {
        await row.waitFor({ state: "visible", timeout: 5000 });
      } catch (e) {
        if (i >= attempts) throw e;
        continue;
      }
      await this.page.keyboard.press("Enter");
      return;
    }
  }

  /** Picks a row of the open quick pick by typing a filter and choosing the row that shows `label`. */
  async pick(label: string, filter = label): Promise<void> {
    const input = this.quickInput.locator("input");
    await input.waitFor({ state: "visible" });
    await input.fill(filter);
    const row = this.quickInput.locator(".monaco-list-row", { hasText: label }).first();
    await row.waitFor({ state: "visible" });
    await row.click();
  }

  /** Types into an open input box (replacing its value) without accepting. */
  async typeInput(text: string): Promise<void> {
    const input = this.quickInput.locator("input");
    await input.waitFor({ state: "visible" });
    await input.fill(text);
  }

  /** The validation message of the open input box. */
  inputMessage(text: string | RegExp): Locator {
    return this.quickInput.locator(".quick-input-message", { hasText: text });
  }

  /** A notification toast whose text matches. */
  notification(text: string | RegExp): Locator {
    return this.page.locator(".notifications-toasts .notification-toast", { hasText: text }).first();
  }

  /** Clicks a button of the notification that matches `text`. */
  async clickNotificationButton(text: string | RegExp, button: string): Promise<void> {
    const toast = this.notification(text);
    await toast.waitFor({ state: "visible" });
    await toast.locator(".monaco-button", { hasText: button }).first().click();
  }

  /** Dismisses every visible notification (so they do not cover the view under test). */
  async clearNotifications(): Promise<void> {
    await this.runCommand("Notifications: Clear All Notifications");
    await this.page.locator(".notifications-toasts .notification-toast").first().waitFor({ state: "hidden" }).catch(() => {});
  }

  /** The pane of a view by its title ("Task Queue", "Outline"). */
  pane(title: string): Locator {
    return this.page.locator(".pane", { has: this.page.locator(`.pane-header[aria-label*="${title}"]`) }).first();
  }

  /** Tree rows of a view whose aria-label contains `ariaLabel`. */
  treeRow(view: string, ariaLabel: string): Locator {
    return this.pane(view).locator(`.monaco-list-row[aria-label*="${ariaLabel.replace(/"/g, '\\"')}"]`).first();
  }

  /** Opens a tree row's context menu and runs one of its entries. */
  async contextMenu(row: Locator, entry: string): Promise<void> {
    await row.click({ button: "right" });
    const item = this.page.locator(".context-view .monaco-menu .action-item", { hasText: entry }).first();
    await item.waitFor({ state: "visible" });
    // Menus ignore a click that arrives as part of the gesture that opened them: point at the
    // entry first (it gets focus), then choose it with the keyboard as a user may.
    await item.hover();
    await this.page.locator(".context-view .monaco-menu .action-item.focused", { hasText: entry }).first().waitFor({ state: "visible" });
    await this.page.keyboard.press("Enter");
    await item.waitFor({ state: "hidden" });
  }

  /** Clicks one of a tree row's inline actions (they show on hover). */
  async inlineAction(row: Locator, title: string): Promise<void> {
    await row.hover();
    const action = row.locator(`.actions .action-label[aria-label="${title}"]`).first();
    await action.waitFor({ state: "visible" });
    await action.click();
  }

  /** Opens a file with Quick Open. */
  async openFile(relativePath: string): Promise<void> {
    await this.page.keyboard.press("Escape");
    await this.runCommand("Go to File...");
    const input = this.quickInput.locator("input");
    await input.waitFor({ state: "visible" });
    await input.fill(relativePath);
    const parts = relativePath.split("/");
    const name = parts.at(-1)!;
    // Several files may share the name (every module has a moduledefinition.xml): choose the row
    // whose description names the folder, not whichever is on top (a recently opened one).
    let row = this.quickInput.locator(".monaco-list-row", { hasText: name });
    if (parts.length > 1) row = row.filter({ hasText: parts.slice(0, -1).join("/") });
    await row.first().waitFor({ state: "visible" });
    await row.first().click();
    await this.page.locator(`.tab.active[aria-label*="${name}"]`).first().waitFor({ state: "visible" });
    await this.page.locator(".monaco-editor .view-lines").first().waitFor({ state: "visible" });
  }

  /** Moves the editor's cursor to a 1-based line and column (Go to Line). */
  async goTo(line: number, column: number): Promise<void> {
    await this.runCommand("Go to Line/Column...");
    const input = this.quickInput.locator("input");
    await input.waitFor({ state: "visible" });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press("Enter");
    await this.quickInput.waitFor({ state: "hidden" });
  }
}
