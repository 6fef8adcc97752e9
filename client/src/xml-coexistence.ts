/**
 * Living beside Red Hat's XML extension (LemMinX): it reports XML well-formedness errors of
 * every open XML file, so while it is active our `xml-syntax` diagnostics would say the same
 * thing twice. This module decides which of our diagnostics to show, and remembers what the
 * server pushed, so that when Red Hat's extension is activated (or goes away) after our
 * diagnostics arrived they can be filtered again without waiting for the next edit.
 *
 * Pure (no `vscode` import): the language client (language-client.ts) feeds it and asks it;
 * test/client/xml-coexistence.test.ts drives it with plain objects.
 */

export const RED_HAT_XML = "redhat.vscode-xml";

/** Diagnostic codes Red Hat's XML extension reports as well. */
export const REPORTED_BY_RED_HAT_XML: ReadonlySet<string> = new Set(["xml-syntax"]);

/** The shape of a diagnostic's code in VS Code: a string, a number, or `{ value, target }`. */
export type DiagnosticCode = string | number | { value: string | number } | undefined;

export function diagnosticCode(code: DiagnosticCode): string {
  if (code === undefined) return "";
  return typeof code === "object" ? String(code.value) : String(code);
}

/** Our diagnostics minus those Red Hat's extension reports too, when it is active. */
export function dropDuplicates<D extends { code?: DiagnosticCode }>(diagnostics: D[], redHatActive: boolean): D[] {
  return redHatActive ? diagnostics.filter((d) => !REPORTED_BY_RED_HAT_XML.has(diagnosticCode(d.code))) : diagnostics;
}

/**
 * The filter with memory. `isActive` asks the editor whether Red Hat's extension is active now.
 * Pushed diagnostics (textDocument/publishDiagnostics) are remembered per document as the server
 * sent them; pulled ones (textDocument/diagnostic) are not: the client asks the server again.
 */
export class XmlCoexistence<U, D extends { code?: DiagnosticCode }> {
  private active: boolean;
  private readonly pushed = new Map<string, { uri: U; diagnostics: D[] }>();

  constructor(private readonly isActive: () => boolean) {
    this.active = isActive();
  }

  /** Whether our duplicates are dropped now (as of the last look). */
  get redHatActive(): boolean {
    return this.active;
  }

  /** What to show of a pulled report. */
  filter(diagnostics: D[]): D[] {
    return dropDuplicates(diagnostics, this.active);
  }

  /** Remembers what the server pushed for a document and returns what to show. */
  push(uri: U, diagnostics: D[]): D[] {
    const key = String(uri);
    if (diagnostics.length) this.pushed.set(key, { uri, diagnostics });
    else this.pushed.delete(key);
    return this.filter(diagnostics);
  }

  /** The document was closed or its diagnostics cleared: nothing to re-filter for it. */
  forget(uri: U): void {
    this.pushed.delete(String(uri));
  }

  /**
   * Looks again whether Red Hat's extension is active (call it when the set of extensions
   * changes). When that changed: `changed` is true, and `republish` holds every pushed report
   * filtered the new way (only those with something to drop or restore), for the caller to show
   * again; pulled reports must be requested again by the caller.
   */
  recheck(): { changed: boolean; republish: { uri: U; diagnostics: D[] }[] } {
    const now = this.isActive();
    if (now === this.active) return { changed: false, republish: [] };
    this.active = now;
    const republish: { uri: U; diagnostics: D[] }[] = [];
    for (const { uri, diagnostics } of this.pushed.values()) {
      if (diagnostics.some((d) => REPORTED_BY_RED_HAT_XML.has(diagnosticCode(d.code)))) republish.push({ uri, diagnostics: this.filter(diagnostics) });
    }
    return { changed: true, republish };
  }
}
