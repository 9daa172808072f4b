/**
 * Deeply nested JSON is a denial of service: JSON.parse copes with a million levels of `[[[…`
 * (V8's parser is not recursive), but everything recursive that touches the value afterwards
 * (JSON.stringify, validation, flattening) overflows the stack. Documents are therefore parsed,
 * then refused past a depth no real data reaches, before anything else reads them.
 */
export const MAX_JSON_DEPTH = 200;

/**
 * The deepest nesting of arrays and objects in a parsed JSON value (a scalar is 0, `[]` is 1).
 * Stops past `limit`, returning limit + 1, so the walk itself never recurses deeper than that.
 * Walking the parsed value costs a quarter of scanning its text for brackets outside strings.
 */
export function jsonValueDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  return depthBelow(value, 0, limit);
}

function depthBelow(value: unknown, depth: number, limit: number): number {
  if (value === null || typeof value !== "object") return depth;
  const here = depth + 1;
  if (here > limit) return here;
  let deepest = here;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === "object") {
        deepest = Math.max(deepest, depthBelow(item, here, limit));
        if (deepest > limit) return deepest;
      }
    }
  } else {
    for (const key in value) {
      const item: unknown = (value as Record<string, unknown>)[key];
      if (item !== null && typeof item === "object") {
        deepest = Math.max(deepest, depthBelow(item, here, limit));
        if (deepest > limit) return deepest;
      }
    }
  }
  return deepest;
}

export function tooDeepMessage(what: string): string {
  return `${what} is nested more than ${MAX_JSON_DEPTH} levels deep.`;
}
