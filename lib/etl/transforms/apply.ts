import * as aq from "arquero";
import type { ColumnType, TransformStep } from "@/lib/schemas/jobs";
import {
  columnValues,
  declaredTypes,
  tableFrom,
  takeRows,
  withColumns,
  withDeclaredTypes,
  type Batch,
} from "./batch";
import { castValue, CastError, describeValue } from "./cast";
import { CompiledExpressions } from "./compiled-expressions";
import { explodeBatch } from "./explode";
import { ColumnPage, pageRecords, type SourcePage } from "@/lib/etl/sources/page";
import { isPlainObject, normalizeRecords, recordsToColumns } from "./normalize";
import { quoteList, TransformStepError } from "./step-error";
import type { StepPlan } from "./step-plan";

// Destinations take batches from here.
export type { Batch };

type Step<Op extends TransformStep["op"]> = Extract<TransformStep, { op: Op }>;

/** A page of source rows as a table, columns as the source gave them. */
export function sourceTable(page: SourcePage): Batch {
  return tableFrom(page instanceof ColumnPage ? page : recordsToColumns(page));
}

/**
 * Turns a page of source rows into a table; a normalize step at the front runs on the records
 * directly. A ColumnPage of scalars (CSV cells, most database columns) is normalize's output as it
 * is; one holding objects (a database's json column) is flattened like the records it stands for.
 */
export function pageToBatch(page: SourcePage, first: TransformStep | undefined): { batch: Batch; consumed: number } {
  if (first?.op !== "normalize") return { batch: sourceTable(page), consumed: 0 };
  if (page instanceof ColumnPage && !page.columns.some((values) => values.some(isPlainObject))) return { batch: tableFrom(page), consumed: 1 };
  return { batch: tableFrom(normalizeRecords(pageRecords(page), first)), consumed: 1 };
}

/**
 * Applies one step to a batch. Columns the step names but the batch lacks are added as nulls
 * first (the pipeline reports names no batch ever had); `rowOffset` is how many rows reached
 * this step in earlier batches, so errors can name the row.
 */
export function applyStep(input: Batch, plan: StepPlan, rowOffset = 0): Batch {
  const { step } = plan;
  const batch = withNullColumns(input, plan.fills);
  const fail = (detail: string): never => {
    throw new TransformStepError(plan.index, step.op, detail);
  };
  switch (step.op) {
    case "normalize":
      return withDeclaredTypes(tableFrom(normalizeRecords(batch.objects(), step)), declaredTypes(batch));
    case "explode": {
      const result = explodeBatch(batch, step);
      if ("collisions" in result) {
        return fail(`the columns ${quoteList(result.collisions)} already exist; choose another prefix`);
      }
      return result.batch;
    }
    case "select":
      return keepTypes(batch.select(step.columns), batch);
    case "drop":
      return keepTypes(batch.select(aq.not(step.columns)), batch);
    case "rename":
      return rename(batch, step, fail);
    case "filter":
      return keepTypes(
        expressionStep(() => compiledFor(plan).filter(batch, step.expr), fail),
        batch,
      );
    case "derive":
      return derive(batch, step, compiledFor(plan), fail);
    case "cast":
      return cast(batch, step, rowOffset, fail);
    case "fillNull":
      return fillNull(batch, step, fail);
    case "dedupe":
      return dedupe(batch, step);
    case "sort":
      return keepTypes(batch.orderby(...step.by.map((key) => (key.desc ? aq.desc(key.column) : key.column))), batch);
    case "limit":
      return keepTypes(batch.slice(0, step.count), batch);
    case "aggregate": {
      const grouped = step.groupBy.length > 0 ? batch.groupby(step.groupBy) : batch;
      const out = expressionStep(() => grouped.rollup(step.metrics), fail);
      return withDeclaredTypes(out, withoutNames(declaredTypes(batch), Object.keys(step.metrics)));
    }
  }
}

/** Each step's expressions, compiled for as long as its plan (one run or preview) lives. */
const compiled = new WeakMap<StepPlan, CompiledExpressions>();

function compiledFor(plan: StepPlan): CompiledExpressions {
  let expressions = compiled.get(plan);
  if (!expressions) compiled.set(plan, (expressions = new CompiledExpressions()));
  return expressions;
}

function withNullColumns(batch: Batch, names: readonly string[]): Batch {
  const present = batch.columnNames();
  const missing = names.filter((name) => !present.includes(name));
  if (missing.length === 0) return batch;
  const rows = batch.numRows();
  return withColumns(batch, new Map(missing.map((name) => [name, new Array<unknown>(rows).fill(null)])));
}

function keepTypes(out: Batch, from: Batch): Batch {
  return withDeclaredTypes(out, declaredTypes(from));
}

function withoutNames(types: ReadonlyMap<string, ColumnType>, names: readonly string[]): Map<string, ColumnType> {
  return new Map([...types].filter(([name]) => !names.includes(name)));
}

/** Runs arquero with a user's expression: whatever it throws is the expression's error, told to the user. */
function expressionStep(work: () => Batch, fail: (detail: string) => never): Batch {
  try {
    return work();
  } catch (error) {
    return fail(`expression error: ${(error as Error).message}`);
  }
}

function rename(batch: Batch, step: Step<"rename">, fail: (detail: string) => never): Batch {
  const renamed = Object.keys(step.columns);
  const kept = batch.columnNames().filter((name) => !renamed.includes(name));
  const clashes = Object.values(step.columns).filter((name) => kept.includes(name));
  if (clashes.length > 0) fail(`renaming would overwrite the existing column${clashes.length > 1 ? "s" : ""} ${quoteList(clashes)}`);
  const types = new Map<string, ColumnType>();
  for (const [name, type] of declaredTypes(batch)) types.set(step.columns[name] ?? name, type);
  return withDeclaredTypes(batch.rename(step.columns), types);
}

function derive(batch: Batch, step: Step<"derive">, expressions: CompiledExpressions, fail: (detail: string) => never): Batch {
  let out = batch;
  for (const [name, expr] of Object.entries(step.columns)) {
    out = expressionStep(() => expressions.derive(out, name, expr), fail);
  }
  return withDeclaredTypes(out, withoutNames(declaredTypes(batch), Object.keys(step.columns)));
}

function cast(batch: Batch, step: Step<"cast">, rowOffset: number, fail: (detail: string) => never): Batch {
  const replaced = new Map<string, unknown[]>();
  for (const [name, type] of Object.entries(step.columns)) {
    const values = columnValues(batch, name);
    const out = new Array<unknown>(values.length);
    for (let row = 0; row < values.length; row++) {
      try {
        out[row] = castValue(values[row], type);
      } catch (error) {
        if (!(error instanceof CastError)) throw error;
        fail(`${error.message} in column "${name}" at row ${rowOffset + row + 1}`);
      }
    }
    replaced.set(name, out);
  }
  const types = new Map(declaredTypes(batch));
  for (const [name, type] of Object.entries(step.columns)) types.set(name, type);
  return withDeclaredTypes(withColumns(batch, replaced), types);
}

function fillNull(batch: Batch, step: Step<"fillNull">, fail: (detail: string) => never): Batch {
  const types = declaredTypes(batch);
  const replaced = new Map<string, unknown[]>();
  for (const [name, raw] of Object.entries(step.values)) {
    // A column a cast typed keeps its type: the fill value is converted like the column's values were.
    const type = types.get(name);
    let value: unknown = raw;
    if (type) {
      try {
        value = castValue(raw, type);
      } catch {
        fail(`the fill value ${describeValue(raw)} for column "${name}" is not a ${type}`);
      }
    }
    const values = columnValues(batch, name);
    const out = new Array<unknown>(values.length);
    for (let row = 0; row < values.length; row++) {
      const current = values[row];
      out[row] = current === null || current === undefined || Number.isNaN(current) ? value : current;
    }
    replaced.set(name, out);
  }
  return withColumns(batch, replaced);
}

/** Keeps the first row of each distinct combination; values are compared by content, objects included. */
function dedupe(batch: Batch, step: Step<"dedupe">): Batch {
  const names = step.columns ?? batch.columnNames();
  const columns = names.map((name) => columnValues(batch, name));
  const seen = new Set<string>();
  const keep: number[] = [];
  for (let row = 0; row < batch.numRows(); row++) {
    const key = JSON.stringify(columns.map((values) => comparable(values[row])));
    if (seen.has(key)) continue;
    seen.add(key);
    keep.push(row);
  }
  return keep.length === batch.numRows() ? batch : takeRows(batch, keep);
}

function comparable(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}
