/**
 * The one gate between crashguard's text and a terminal. Pod logs, termination messages, event
 * messages and manifest fields are written by others; raw, their escape sequences could clear the
 * screen, retitle the window, plant hyperlinks (OSC 8) or rewrite earlier lines (`\r`). Every
 * command's output passes through {@link terminalSafe} in cli/main.ts's `run`.
 *
 * Sequence grammar: ECMA-48 (https://ecma-international.org/publications-and-standards/standards/ecma-48/)
 * — CSI `ESC [ params final`, OSC/DCS/SOS/PM/APC strings ended by BEL or ST, two-byte `ESC x`,
 * and their 8-bit C1 forms.
 */

/** SGR parameters crashguard itself emits (verify/report.ts): reset, bold, dim, red, green, yellow. */
const OWN_SGR = new Set(["0", "1", "2", "22", "31", "32", "33", "39"]);

const UNSAFE = new RegExp(
  [
    // CSI: ESC [ or 8-bit CSI, parameter bytes, intermediate bytes, one final byte.
    "(?:\\x1b\\[|\\x9b)([0-?]*)([ -/]*)([@-~])?",
    // OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \\ or 8-bit ST); unterminated, up to the line's end.
    "(?:\\x1b[\\]PX^_]|[\\x90\\x98\\x9d\\x9e\\x9f])[^\\n]*?(?:\\x07|\\x1b\\\\|\\x9c|(?=\\n)|$)",
    // Any other escape: ESC, intermediates, one final byte.
    "\\x1b[ -/]*[0-~]?",
    // C0 controls but tab and newline, DEL, C1, and bidirectional overrides that reorder what is shown.
    "[\\x00-\\x08\\x0b-\\x1a\\x1c-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]",
  ].join("|"),
  "g",
);

/** `text` with every control character and escape sequence removed, except crashguard's own colours. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (seq: string, params?: string, intermediates?: string, final?: string) =>
    seq.startsWith("\x1b[") && final === "m" && !intermediates && isOwnSgr(params ?? "") ? seq : "",
  );
}

function isOwnSgr(params: string): boolean {
  return params === "" || params.split(";").every((p) => OWN_SGR.has(p));
}
