/**
 * Deeply nested JSON is a denial of service: JSON.parse copes with 100k levels of `[[[…`, but
 * everything recursive that touches the value afterwards (JSON.stringify, validation, flattening)
 * overflows the stack. Documents are therefore refused past a depth no real data reaches.
 */
export const MAX_JSON_DEPTH = 200;

/**
 * The deepest nesting of arrays and objects in a JSON text, counted without parsing it (brackets
 * inside strings do not count). Stops counting once past `limit`, returning limit + 1.
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
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

export function tooDeepMessage(what: string): string {
  return `${what} is nested more than ${MAX_JSON_DEPTH} levels deep.`;
}
