/**
 * Deeply nested JSON is a denial of service: JSON.parse copes with 100k levels of `[[[…`, but
 * everything recursive that touches the value afterwards (JSON.stringify, validation, flattening)
 * overflows the stack. Documents are therefore refused past a depth no real data reaches.
 */
export const MAX_JSON_DEPTH = 200;

/**
 * The deepest nesting of arrays and objects in a JSON text, counted without parsing it (brackets
 * inside strings do not count). Stops counting once past `limit`, returning limit + 1. Strings,
 * most of a typical document, are skipped with indexOf rather than read character by character.
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = closingQuote(text, i + 1);
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

/** The index of the quote that ends the string starting at `from`: the first one not escaped by an odd run of backslashes. */
function closingQuote(text: string, from: number): number {
  for (let start = from; ; ) {
    const quote = text.indexOf('"', start);
    if (quote === -1) return text.length;
    let backslash = quote - 1;
    while (backslash >= start && text.charCodeAt(backslash) === 0x5c) backslash--;
    if ((quote - 1 - backslash) % 2 === 0) return quote;
    start = quote + 1;
  }
}

export function tooDeepMessage(what: string): string {
  return `${what} is nested more than ${MAX_JSON_DEPTH} levels deep.`;
}
