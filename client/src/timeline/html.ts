/**
 * The timeline panel's HTML shell: a strict Content-Security-Policy (no inline script or style;
 * the one script carries a nonce, the stylesheet comes from the extension), the two tabs, the
 * toolbar. The content (SVG, insights) arrives by message. Pure: unit-tested without VS Code.
 */
import { esc } from "../../../runtime/src/timeline/svg";

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** Every zone name, for the "Other zone…" field's suggestions. */
  allZones: readonly string[];
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `style-src ${cspSource}`, `script-src 'nonce-${nonce}'`, `img-src ${cspSource} data:`, `font-src ${cspSource}`].join("; ");
}

/** 32 random base-64 characters (from crypto.getRandomValues, available in Node 20 and browsers). */
export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64").replace(/[+/=]/g, "x");
}

export function panelHtml(o: PanelHtmlOptions): string {
  const zones = o.allZones.map((z) => `<option value="${esc(z)}"></option>`).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(o.styleUri)}">
<title>modtasks: Schedule Timeline</title>
</head>
<body>
<div class="tabs" role="tablist" aria-label="modtasks timeline views">
  <button type="button" role="tab" id="tab-schedule" data-tab="schedule" aria-controls="panel-schedule" aria-selected="true">Schedule</button>
  <button type="button" role="tab" id="tab-insights" data-tab="insights" aria-controls="panel-insights" aria-selected="false" tabindex="-1">Queue insights</button>
</div>
<section id="panel-schedule" role="tabpanel" aria-labelledby="tab-schedule">
  <div class="toolbar">
    <div class="segmented" role="group" aria-label="Window">
      <button type="button" class="toggle" data-hours="24" aria-pressed="true">24 hours</button>
      <button type="button" class="toggle" data-hours="168" aria-pressed="false">7 days</button>
    </div>
    <label class="field">Zone <select id="zone-select"></select></label>
    <input id="zone-input" class="zone-input" list="zone-list" placeholder="Area/City, e.g. Asia/Tokyo" aria-label="IANA time zone" spellcheck="false" hidden>
    <datalist id="zone-list">${zones}</datalist>
    <label class="field">Start <input type="datetime-local" id="from-input"></label>
    <button type="button" id="now-button" class="secondary">Now</button>
    <span id="field-error" class="field-error" role="alert"></span>
  </div>
  <p id="heading" class="heading"></p>
  <p id="summary" class="summary" aria-live="polite"></p>
  <div id="timeline" class="timeline"></div>
  <ul id="notes" class="notes" aria-label="Collisions, DST changes and problems"></ul>
  <p class="hint">Tab moves between tasks and runs; ← → move between a task's runs; Enter reveals the declaration.</p>
</section>
<section id="panel-insights" role="tabpanel" aria-labelledby="tab-insights" hidden>
  <div id="insights" class="insights" aria-live="polite"><p class="muted">Loading…</p></div>
</section>
<div id="tooltip" class="tooltip" role="tooltip" hidden></div>
<script nonce="${esc(o.nonce)}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}
