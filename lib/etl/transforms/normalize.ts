/**
 * pandas `json_normalize` for one batch of records: nested objects become `parent<sep>child`
 * columns (down to `maxLevel`), arrays and objects below it stay as values, missing keys become
 * null, and records of different shapes produce the union of their columns in first-seen order.
 *
 * Output is columnar, so building an arquero table from it copies nothing.
 */
export type Columns = { names: string[]; columns: Map<string, unknown[]> };

/** A key's place in the records: its column's name and values, and the keys nested below it. */
type KeyPath = { name: string; values: unknown[] | null; nested: Map<string, KeyPath> | null };

export function normalizeRecords(
  records: readonly unknown[],
  options: { sep?: string; maxLevel?: number } = {},
): Columns {
  const sep = options.sep ?? ".";
  const maxLevel = options.maxLevel ?? Number.POSITIVE_INFINITY;
  const length = records.length;
  const columns = new Map<string, unknown[]>();
  const names: string[] = [];

  const column = (name: string): unknown[] => {
    let values = columns.get(name);
    if (!values) {
      values = new Array<unknown>(length).fill(null);
      columns.set(name, values);
      names.push(name);
    }
    return values;
  };

  // Each key path is named once per batch, not once per record: a record of a million-row feed
  // would otherwise build and hash "parent.child" strings for every nested value it holds.
  const visit = (value: Record<string, unknown>, paths: Map<string, KeyPath>, prefix: string, level: number, row: number) => {
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      const child = value[key];
      let path = paths.get(key);
      if (!path) {
        path = { name: prefix === "" ? columnKey(key) : prefix + sep + key, values: null, nested: null };
        paths.set(key, path);
      }
      if (isPlainObject(child) && level < maxLevel && hasKeys(child)) {
        visit(child, (path.nested ??= new Map()), path.name, level + 1, row);
      } else {
        (path.values ??= column(path.name))[row] = child === undefined ? null : child;
      }
    }
  };

  const top = new Map<string, KeyPath>();
  for (let row = 0; row < length; row++) {
    const record = records[row];
    if (isPlainObject(record)) visit(record, top, "", 0, row);
    else column("value")[row] = record ?? null;
  }
  return { names, columns };
}

/**
 * A data key as a column name JavaScript objects can hold: arquero keeps columns in a plain
 * object, where a column named __proto__ would set the prototype and vanish (or break the table).
 */
export function columnKey(name: string): string {
  return name === "__proto__" ? "__proto___data" : name;
}

function hasKeys(value: object): boolean {
  for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key)) return true;
  return false;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date);
}

/** Records to columns without flattening: the union of top-level keys, missing ones null. */
export function recordsToColumns(records: readonly unknown[]): Columns {
  return normalizeRecords(records, { maxLevel: 0 });
}
