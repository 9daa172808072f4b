import * as aq from "arquero";
import { columnValues, declaredTypes, withDeclaredTypes, type Batch } from "./batch";
import { isPlainObject, normalizeRecords } from "./normalize";

export type ExplodeOptions = { column: string; prefix?: string; sep?: string; keepEmpty?: boolean };

/**
 * One row per element of an array column, like pandas `json_normalize(record_path=…, meta=…)`
 * with every other column as meta: object elements are flattened into `prefix + key` columns
 * placed where the array was, other elements stay in the column itself. A value that is not an
 * array counts as a one-element list; an empty array or null yields no row unless `keepEmpty`.
 *
 * Returns the names that would collide with existing columns instead of overwriting them.
 */
export function explodeBatch(batch: Batch, options: ExplodeOptions): { batch: Batch } | { collisions: string[] } {
  const { column } = options;
  const prefix = options.prefix ?? `${column}.`;
  const source = columnValues(batch, column);
  const rows = batch.numRows();
  const origins: number[] = [];
  const elements: unknown[] = [];
  for (let row = 0; row < rows; row++) {
    const value = source[row];
    const items = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
    if (items.length === 0 && options.keepEmpty) {
      origins.push(row);
      elements.push(null);
    }
    for (const element of items) {
      origins.push(row);
      elements.push(element);
    }
  }

  const flattened = normalizeRecords(
    elements.map((element) => (isPlainObject(element) ? element : {})),
    { sep: options.sep ?? "." },
  );
  const scalars = elements.map((element) => (isPlainObject(element) ? null : element));
  const keepColumn = scalars.some((value) => value !== null && value !== undefined) || flattened.names.length === 0;

  const others = batch.columnNames().filter((name) => name !== column);
  const added = flattened.names.map((name) => prefix + name);
  const collisions = added.filter((name) => others.includes(name) || (keepColumn && name === column));
  if (collisions.length > 0) return { collisions };

  const names: string[] = [];
  const data: Record<string, unknown[]> = {};
  for (const name of batch.columnNames()) {
    if (name !== column) {
      const values = columnValues(batch, name);
      data[name] = origins.map((row) => values[row]);
      names.push(name);
      continue;
    }
    if (keepColumn) {
      data[name] = scalars;
      names.push(name);
    }
    flattened.names.forEach((key, i) => {
      data[added[i]!] = flattened.columns.get(key)!;
      names.push(added[i]!);
    });
  }
  const types = new Map([...declaredTypes(batch)].filter(([name]) => name !== column));
  return { batch: withDeclaredTypes(aq.table(data, names), types) };
}
