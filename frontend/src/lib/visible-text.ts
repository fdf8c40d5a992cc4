/**
 * Characters that can hide or reorder text on screen (Trojan Source): C0/C1 controls, zero-width
 * characters, bidi embeddings, overrides and isolates, the BOM (tab and newline are a snippet's own).
 */
// eslint-disable-next-line no-control-regex
export const HIDDEN_CHAR = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** What a hidden character is shown as: its code point, e.g. `<U+202E>`. */
export function codePointLabel(char: string): string {
  return `<U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`;
}

const HIDDEN_OR_BREAK = new RegExp(`${HIDDEN_CHAR.source}|[\\n\\t]`, 'gu');

/**
 * A name or a path from a package (package names, file names, archive members) as one line of
 * plain text: every hidden character, and line breaks and tabs, shown as its code point, so
 * `left-pad\u202e` cannot render as another name.
 */
export function visibleText(text: string): string {
  return text.replace(HIDDEN_OR_BREAK, codePointLabel);
}
