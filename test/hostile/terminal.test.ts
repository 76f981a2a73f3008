/**
 * Untrusted strings — log lines, termination messages, events, manifest fields — reach a
 * terminal only through cli/terminal.ts: no escape sequence or control character survives, while
 * plain text and JSON's own escaping do.
 */
import * as fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { run } from "../../cli/main";
import { terminalSafe } from "../../cli/terminal";
import { fakeIO } from "../support/io";
import { RAW_CONTROL } from "./fake-api";
import { app, deployment, useSim } from "../verify/sim-harness";

/** Sequences seen in attacks on terminals: clear, retitle, OSC 8 hyperlinks, DCS, 8-bit CSI, cursor moves, bidi. */
const HOSTILE = [
  "\x1b[2J",
  "\x1b]0;pwned\x07",
  "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
  "\x1bP+q\x1b\\",
  "\x9b2J",
  "\x1b[1A\x1b[2K",
  "\r",
  "\b",
  "\x1b[8m",
  "\x1b",
  "\x07",
  "\u202e",
  "\x00",
  "\x7f",
  "\x1b[?1049h",
];
const OWN_COLOURS = /\x1b\[(?:0|1|2|22|31|32|33|39)(?:;(?:0|1|2|22|31|32|33|39))*m/g;

const hostileText = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string(), fc.constantFrom("\x1b[31m", "\x1b[0m", "\n", "\t")), { maxLength: 12 })
  .map((parts) => parts.join(""));

describe("terminalSafe", () => {
  test("leaves no control character but newline, tab and crashguard's own colours", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const safe = terminalSafe(text);
        expect(safe.replace(OWN_COLOURS, "")).not.toMatch(RAW_CONTROL);
        expect(safe).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
        expect(terminalSafe(safe)).toBe(safe);
      }),
      { seed: 17, numRuns: 2000 },
    );
  });

  test("keeps text without controls exactly", () => {
    const plain = fc.string({ unit: "grapheme" }).filter((s) => !/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(s));
    fc.assert(
      fc.property(plain, (text) => terminalSafe(text) === text),
      { seed: 17, numRuns: 1000 },
    );
  });

  test.each([
    ["screen clear", "a\x1b[2Jb", "ab"],
    ["window title", "\x1b]0;pwned\x07x", "x"],
    ["fake hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"],
    ["carriage return overwrite", "ok\rFAILED", "okFAILED"],
    ["an unterminated OSC stops at the line's end", "\x1b]0;title\nnext", "\nnext"],
    ["own colours", "\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m"],
    ["conceal is not ours", "\x1b[8mhidden\x1b[0m", "hidden\x1b[0m"],
  ])("%s", (_name, text, expected) => {
    expect(terminalSafe(text)).toBe(expected);
  });
});

describe("every command's output goes through it", () => {
  const dir = mkdtempSync(join(tmpdir(), "crashguard-escapes-"));
  const evil = (s: string) => `${s}\x1b]0;pwned\x07\x1b[2J\x9b1A\u202e`;

  test("lint: hostile names and annotations, text and JSON, same exit code", async () => {
    const file = join(dir, "evil.yaml");
    writeFileSync(
      file,
      stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: evil("web"), namespace: "shop", annotations: { "crashguard.dev/exempt": evil("nope") } },
        spec: {
          template: { spec: { containers: [{ name: evil("api"), image: "nginx", resources: { limits: { memory: evil("1Gi") } } }] } },
        },
      }),
    );
    const text = fakeIO({ env: { NO_COLOR: "1" } });
    const json = fakeIO({ env: { NO_COLOR: "1" } });
    const textCode = await run(["lint", file], text);
    const jsonCode = await run(["lint", file, "--output", "json"], json);
    expect(textCode).toBe(1);
    expect(jsonCode).toBe(textCode);
    expect(text.out + text.err).not.toMatch(RAW_CONTROL);
    expect(text.out).toContain("web"); // the name is still shown, without its escapes
    expect(json.out).not.toMatch(RAW_CONTROL);
    // JSON keeps the data: C0 and ESC escaped by JSON.stringify, so the name reads back with them.
    expect(JSON.parse(json.out).findings[0].resource).toContain("\x1b]0;pwned\x07");
  });

  test("diagnose: a termination message and an event with escape sequences", async () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web-1", namespace: "shop" },
      spec: { containers: [{ name: "api", image: "nginx" }] },
      status: {
        phase: "Running",
        containerStatuses: [
          {
            name: "api",
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: "CrashLoopBackOff", message: evil("back-off") } },
            lastState: { terminated: { exitCode: 1, reason: "Error", message: evil("fatal") } },
          },
        ],
      },
    };
    const events = {
      kind: "List",
      items: [{ type: "Warning", reason: "BackOff", message: evil("Back-off restarting"), involvedObject: { kind: "Pod", name: "web-1" } }],
    };
    writeFileSync(join(dir, "pods.json"), JSON.stringify(pod));
    writeFileSync(join(dir, "events.json"), JSON.stringify(events));
    const io = fakeIO({ env: { NO_COLOR: "1" } });
    expect(await run(["diagnose", "-f", join(dir, "pods.json"), "--events", join(dir, "events.json")], io)).toBe(1);
    expect(io.out + io.err).toContain("fatal");
    expect(io.out + io.err).not.toMatch(RAW_CONTROL);
  });

  describe("verify", () => {
    const h = useSim();
    test("a crashed container's log lines and termination message", async () => {
      h.cluster.deploy(
        deployment("web", [
          app({ kind: "crash", runFor: 0.1, exitCode: 1, message: evil("panic"), logs: [evil("line one"), "\x1b[2Jline two"] }),
        ]),
      );
      const io = fakeIO({ env: { NO_COLOR: "1" } });
      expect(await run(["verify", "deployment/web", "--kubeconfig", h.kubeconfig, "--timeout", "20s"], io)).toBe(1);
      expect(io.out).toContain("line two");
      expect(io.out + io.err).not.toMatch(RAW_CONTROL);
    });
  });
});
