/**
 * Text safety: the one place that decides which characters of user text may reach a
 * terminal, a Markdown file or an HTML page (hardening #28).
 *
 * Controls are C0 except newline and tab (so CR, ESC, BEL, backspace…), DEL, C1
 * (U+0080–U+009F: 8-bit CSI and OSC among them), and the bidi controls that can reorder
 * what is around them or hide what text says: embeddings and overrides U+202A–U+202E,
 * isolates U+2066–U+2069, and the marks U+200E, U+200F, U+061C. They are removed, not
 * replaced: what is left ("[2J", "]0;title") is visible and inert. Zero-width joiners and
 * emoji tag characters are not controls: emoji stay whole.
 */

const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
// For a terminal: as above, but a CR right before a LF is a line ending (CSV rows end CRLF).
const TERMINAL_CONTROLS = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
// What JSON.stringify leaves raw: DEL, C1 and the bidi controls (it escapes C0 itself).
const JSON_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** User text without controls (newline and tab kept): for Markdown and HTML. */
export function stripControls(text: string): string {
  return text.replace(CONTROLS, '');
}

/** True when the text holds any control `stripControls` removes. */
export function hasControls(text: string): boolean {
  CONTROLS.lastIndex = 0;
  return CONTROLS.test(text);
}

/** Output for a terminal: no controls, CRLF line endings kept. */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_CONTROLS, '');
}

/**
 * JSON text with the controls JSON.stringify leaves raw written as \uXXXX escapes: the same
 * JSON value, and no raw control reaches whoever reads it. Only valid on JSON text, where
 * such characters can only stand inside strings.
 */
export function jsonSafe(json: string): string {
  return json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Controls shown as visible escapes ("\u001b"), for quoting user text in error messages. */
export function visibleControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
