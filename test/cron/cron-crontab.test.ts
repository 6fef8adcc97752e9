import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseCrontab, parseSystemCrontab } from "../../runtime/src/crontab/parse";

const at = (text: string, s: { start: number; end: number } | undefined) => (s ? text.slice(s.start, s.end) : undefined);

describe("parseCrontab (Prudence application crontab)", () => {
  test("a line whose | union has a dead alternative still runs its live one (the runtime arms compiled schedules)", () => {
    const text = "# leap-proof end of February\n0 0 31 2 *|0 0 L 2 * /tasks/feb/\n";
    const { entries, findings } = parseCrontab(text);
    assert.equal(entries.length, 1);
    const schedule = entries[0]!.compiled.schedule;
    assert.ok(schedule, "the line is armed, not skipped");
    assert.equal(new Date(schedule.next(Date.UTC(2027, 0, 1), { kind: "utc" })!).toISOString(), "2027-02-28T00:00:00.000Z");
    assert.deepEqual(findings.map((f) => [f.code, f.severity, at(text, f.span)]), [["cron-dead-pattern", "warning", "0 0 31 2 *"]]);
    // The fix's edit is at file offsets too: it removes the dead alternative and its '|'.
    const edit = findings[0]!.data!.edits![0]!;
    assert.equal(text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end), "# leap-proof end of February\n0 0 L 2 * /tasks/feb/\n");
  });

  test("the manual's examples", () => {
    const text = [
      "# every minute",
      "",
      "* * * * * /tasks/every-minute/",
      "59 23 * * tue,fri <% application.getSubLogger('scheduled').info('It is Tue or Fri, 11:59PM') %>",
      '* * * * * /tasks/every-minute/ {"message": "This is a JSON context"}',
      "*/5 5-7 * * *|*/30 0-4,8-23 * * * /tasks/morning/",
      "1,6,11,16,21,26,31,36,41,46,51,56 5-7 * * * | 1,31 0-4,8-23 * * *   /tasks/plus-one/   context with  spaces  ",
    ].join("\n");
    const { entries, findings } = parseCrontab(text);
    assert.equal(entries.length, 5);
    assert.deepEqual(
      entries.map((e) => [e.line, at(text, e.patternSpan), e.document, e.context]),
      [
        [2, "* * * * *", "/tasks/every-minute/", undefined],
        [3, "59 23 * * tue,fri", "<% application.getSubLogger('scheduled').info('It is Tue or Fri, 11:59PM') %>", undefined],
        [4, "* * * * *", "/tasks/every-minute/", '{"message": "This is a JSON context"}'],
        [5, "*/5 5-7 * * *|*/30 0-4,8-23 * * *", "/tasks/morning/", undefined],
        [6, "1,6,11,16,21,26,31,36,41,46,51,56 5-7 * * * | 1,31 0-4,8-23 * * *", "/tasks/plus-one/", "context with  spaces"],
      ],
    );
    for (const e of entries) {
      assert.equal(at(text, e.documentSpan), e.document);
      assert.equal(at(text, e.contextSpan), e.context);
      assert.equal(e.compiled.dialect, "prudence");
      assert.ok(e.compiled.schedule, e.compiled.mask);
    }
    // Only warnings: every minute (twice).
    assert.deepEqual(findings.map((f) => f.code), ["cron-every-minute", "cron-every-minute"]);
    assert.equal(at(text, findings[0]!.span), "* * * * *");
  });

  test("findings from the pattern are at file offsets; CRLF; missing document; unclosed code", () => {
    const text = "0 0 * * *  /ok/\r\n0 25 * * mon /bad/\r\n  0 0 * *\r\n0 0 * * * <% never closed\r\n0 0 * * * /x/ ctx \r\n";
    const { entries, findings } = parseCrontab(text);
    assert.deepEqual(entries.map((e) => e.line), [0, 1, 3, 4]);
    assert.deepEqual(
      findings.map((f) => [f.code, at(text, f.span)]),
      [
        ["cron-out-of-range", "25"],
        ["cron-field-count", "0 0 * *"],
        ["crontab-missing-document", "0 0 * *"],
        ["crontab-unclosed-code", "<% never closed"],
      ],
    );
    assert.equal(entries[1]!.compiled.schedule, undefined);
    // The compiled mask keeps mask-relative spans.
    assert.deepEqual(entries[1]!.compiled.issues[0]!.span, { start: 2, end: 4 });
    assert.equal(entries[3]!.context, "ctx");
  });

  test("a short pattern before a document is a field-count error, not a swallowed document", () => {
    const text = "* * * * /tasks/short/";
    const { entries, findings } = parseCrontab(text);
    assert.equal(entries[0]!.document, "/tasks/short/");
    assert.deepEqual(findings.map((f) => [f.code, at(text, f.span)]), [["cron-field-count", "* * * *"]]);
  });
});

describe("parseSystemCrontab (cron4j system crontab)", () => {
  test("the manual's examples: options, quotes, Java methods", () => {
    const text = [
      "0 5 * * * sol.exe",
      "0,30 * * * * OUT:C:\\ping.txt ping",
      '0,30 4 * * * "OUT:C:\\Documents and Settings\\Carlo\\ping.txt" ping',
      '0 3 * * * ENV:JAVA_HOME=C:\\jdks\\1.4.2_15 DIR:C:\\myproject OUT:C:\\myproject\\build.log C:\\myproject\\build.bat "Nightly Build"',
      "0 4 * * * java:mypackage.MyClass#startApplication myOption1 myOption2",
      "0 6 * * * ERR:err.log IN:in.txt ENV:A=1 ENV:B= cmd",
    ].join("\n");
    const { entries, findings } = parseSystemCrontab(text);
    assert.deepEqual(findings, []);
    const e = entries.map(({ command, args, env, dir, out, err, in: input }) => ({ command, args, env, dir, out, err, in: input }));
    assert.deepEqual(e[0], { command: "sol.exe", args: [], env: {}, dir: undefined, out: undefined, err: undefined, in: undefined });
    assert.equal(e[1]!.out, "C:\\ping.txt");
    assert.equal(e[2]!.out, "C:\\Documents and Settings\\Carlo\\ping.txt");
    assert.deepEqual(e[3], { command: "C:\\myproject\\build.bat", args: ["Nightly Build"], env: { JAVA_HOME: "C:\\jdks\\1.4.2_15" }, dir: "C:\\myproject", out: "C:\\myproject\\build.log", err: undefined, in: undefined });
    assert.deepEqual(e[4]!.args, ["myOption1", "myOption2"]);
    assert.equal(e[4]!.command, "java:mypackage.MyClass#startApplication");
    assert.deepEqual(e[5], { command: "cmd", args: [], env: { A: "1", B: "" }, dir: undefined, out: undefined, err: "err.log", in: "in.txt" });
    assert.equal(at(text, entries[3]!.commandSpan), "C:\\myproject\\build.bat");
  });

  test("errors: missing command, bad options, unclosed quotes", () => {
    const text = "0 5 * * * OUT:log\n0 5 * * * ENV:novalue cmd\n0 5 * * * DIR: cmd\n0 5 * * * \"unclosed arg";
    const { entries, findings } = parseSystemCrontab(text);
    assert.deepEqual(
      findings.map((f) => [f.code, at(text, f.span)]),
      [
        ["crontab-missing-command", "0 5 * * *"],
        ["crontab-bad-option", "ENV:novalue"],
        ["crontab-bad-option", "DIR:"],
        ["crontab-unclosed-quote", '"unclosed arg'],
      ],
    );
    assert.deepEqual(entries.map((e) => e.command), ["cmd", "cmd", "unclosed arg"]);
  });
});
