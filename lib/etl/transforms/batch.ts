import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import type { ColumnType } from "@/lib/schemas/jobs";
import { inferColumnType } from "@/lib/etl/infer-types";
import { ColumnPage } from "@/lib/etl/sources/page";
import type { Columns } from "./normalize";

/** A page of rows on its way through the steps: an arquero table, possibly a filtered or ordered view. */
export type Batch = ColumnTable;

/**
 * Types a `cast` step declared, carried beside the tables it applies to: they override
 * inference wherever a batch's column types are read (preview, the dataset destination).
 */
const declared = new WeakMap<Batch, ReadonlyMap<string, ColumnType>>();

export function declaredTypes(batch: Batch): ReadonlyMap<string, ColumnType> {
  return declared.get(batch) ?? new Map();
}

export function withDeclaredTypes(batch: Batch, types: ReadonlyMap<string, ColumnType>): Batch {
  const names = new Set(batch.columnNames());
  const kept = new Map([...types].filter(([name]) => names.has(name)));
  if (kept.size > 0) declared.set(batch, kept);
  return batch;
}

/** A column's type: the declared one when a `cast` set it, else inferred from its values (null: only nulls). */
export function batchColumnType(batch: Batch, name: string, values?: ArrayLike<unknown>): ColumnType | null {
  return declaredTypes(batch).get(name) ?? inferColumnType(values ?? columnValues(batch, name));
}

/** A table over the given column arrays (not copied): normalize's output, or a source's ColumnPage. */
export function tableFrom(data: Columns | ColumnPage): Batch {
  const { names } = data;
  const values = data instanceof ColumnPage ? (i: number) => data.columns[i]! : (i: number) => data.columns.get(names[i]!)!;
  return aq.table(Object.fromEntries(names.map((name, i) => [name, values(i)])), names as string[]);
}

/**
 * A column's values in the batch's row order, filter applied. Read-only: for a batch neither
 * filtered nor ordered it is the column's own array. arquero's `array()` copies through a
 * callback per row even then, and a load reads every column of every batch.
 */
export function columnValues(batch: Batch, name: string): ArrayLike<unknown> {
  const column: unknown = batch.column(name);
  if (!Array.isArray(column)) return batch.array(name) as ArrayLike<unknown>;
  if (!batch.isFiltered() && !batch.isOrdered()) return column as unknown[];
  const rows = batch.indices();
  const values = new Array<unknown>(rows.length);
  for (let i = 0; i < rows.length; i++) values[i] = column[rows[i]!];
  return values;
}

/** Replaces or adds whole columns, keeping the other columns, their order and the declared types. */
export function withColumns(batch: Batch, replaced: ReadonlyMap<string, unknown[]>): Batch {
  const names = batch.columnNames();
  const added = [...replaced.keys()].filter((name) => !names.includes(name));
  const all = [...names, ...added];
  const data = Object.fromEntries(all.map((name) => [name, replaced.get(name) ?? columnValues(batch, name)]));
  return withDeclaredTypes(aq.table(data, all), declaredTypes(batch));
}

/** The rows at these positions (of the batch's row order), in that order. */
export function takeRows(batch: Batch, positions: readonly number[]): Batch {
  const names = batch.columnNames();
  const data = Object.fromEntries(
    names.map((name) => {
      const values = columnValues(batch, name);
      return [name, positions.map((p) => values[p])];
    }),
  );
  return withDeclaredTypes(aq.table(data, names), declaredTypes(batch));
}

/**
 * Concatenates batches into one. arquero's concat keeps only the first table's columns, but
 * batches of JSON records can differ in shape: here the columns are the union in first-seen
 * order, missing ones null.
 */
export function concatBatches(batches: readonly Batch[]): Batch {
  const names: string[] = [];
  const types = new Map<string, ColumnType>();
  for (const batch of batches) {
    for (const name of batch.columnNames()) if (!names.includes(name)) names.push(name);
    for (const [name, type] of declaredTypes(batch)) types.set(name, type);
  }
  const data: Record<string, unknown[]> = {};
  for (const name of names) {
    const values: unknown[] = [];
    for (const batch of batches) {
      const rows = batch.numRows();
      if (batch.columnNames().includes(name)) {
        const column = columnValues(batch, name);
        for (let i = 0; i < rows; i++) values.push(column[i]);
      } else {
        for (let i = 0; i < rows; i++) values.push(null);
      }
    }
    data[name] = values;
  }
  return withDeclaredTypes(aq.table(data, names), types);
}
