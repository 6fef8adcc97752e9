/** Finding runBackendService/openBackendService names in source, and checking them across a workspace. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkServiceReferences, findRegistrations, scanServiceCalls, siteAt } from "../../runtime/src/services/scan-calls";

/** The sites as [kind, name, text at the name's span]. */
function sites(text: string) {
  return scanServiceCalls(text).map((s) => [s.kind, s.name, text.slice(s.nameSpan.start, s.nameSpan.end)]);
}

describe("scanServiceCalls", () => {
  it("finds registrations and uses with the span of the name", () => {
    const text = `import { runBackendService, openBackendService } from "modtasks";
runBackendService("mod:alpha", () => ({}));
const c = await openBackendService('mod:beta', [1], { timeout: 100 });
const d = await openBackendService<Api>(\`mod:gamma\`);
services.openBackendService  (  "mod:delta" as const);
`;
    assert.deepEqual(sites(text), [
      ["run", "mod:alpha", "mod:alpha"],
      ["open", "mod:beta", "mod:beta"],
      ["open", "mod:gamma", "mod:gamma"],
      ["open", "mod:delta", "mod:delta"],
    ]);
    const first = scanServiceCalls(text)[0]!;
    assert.equal(text.slice(first.calleeSpan.start, first.calleeSpan.end), "runBackendService");
  });

  it("skips comments, strings, templates, regular expressions and computed names", () => {
    const text = `// openBackendService("mod:comment")
/* runBackendService("mod:block") */
const s = 'openBackendService("mod:string")';
const t = \`openBackendService("mod:template") \${ openBackendService("mod:inside") } after\`;
const r = /openBackendService\\("mod:regex"\\)/g;
const half = x / 2; openBackendService("mod:afterdivision");
openBackendService(name);
openBackendService(\`mod:\${which}\`);
openBackendService("mod:" + which);
export async function openBackendService(name: string) {}
if (a) { b = /[/"]/.test(c) } openBackendService("mod:last");
`;
    assert.deepEqual(sites(text), [
      ["open", "mod:inside", "mod:inside"],
      ["open", "mod:afterdivision", "mod:afterdivision"],
      ["open", "mod:last", "mod:last"],
    ]);
  });

  it("decodes escapes in the name, keeping the span on the source text", () => {
    const text = `openBackendService("mod:\\x61b");`;
    const [s] = scanServiceCalls(text);
    assert.equal(s!.name, "mod:ab");
    assert.equal(text.slice(s!.nameSpan.start, s!.nameSpan.end), "mod:\\x61b");
  });

  it("survives unterminated strings, comments and templates", () => {
    for (const text of [`openBackendService("mod:x`, "/* openBackendService(", "`${openBackendService(`", `openBackendService('a\\u{`, "x = /["]) {
      assert.doesNotThrow(() => scanServiceCalls(text));
    }
  });
});

describe("checkServiceReferences", () => {
  const server = { file: "server.ts", sites: scanServiceCalls(`runBackendService("shop:basket", f); runBackendService("shop:Orders", g);`) };
  const clientText = `openBackendService("shop:basket"); openBackendService("shop:baskte"); openBackendService("shop:orders"); openBackendService("nomodule"); openBackendService("other:thing");`;
  const client = { file: "client.ts", sites: scanServiceCalls(clientText) };

  it("warns about names nobody registers, with did you mean and a fix; errors on invalid names", () => {
    const findings = checkServiceReferences(client.sites, [server, client], ["other:thing"]);
    assert.deepEqual(
      findings.map((f) => [f.code, f.severity, clientText.slice(f.span.start, f.span.end), f.message, f.data?.replacement]),
      [
        ["unknown-service", "warning", "shop:baskte", "No runBackendService('shop:baskte') in this workspace; did you mean 'shop:basket'?", "shop:basket"],
        ["invalid-service-name", "error", "nomodule", "'nomodule' is not a service name: expected 'module:name' (letters, digits, '_', '.', '-')", undefined],
      ],
    );
  });

  it("finds the registration of a name for go to definition, case-insensitively", () => {
    const at = siteAt(client.sites, clientText.indexOf("shop:orders") + 3)!;
    assert.equal(at.name, "shop:orders");
    const regs = findRegistrations(at.name, [server, client]);
    assert.deepEqual(regs.map((r) => [r.file, r.site.name]), [["server.ts", "shop:Orders"]]);
  });
});
