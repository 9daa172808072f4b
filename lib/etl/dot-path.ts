/** Reads `a.b.c` from a parsed JSON value; undefined when any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  if (path === "") return value;
  let current: unknown = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
