import { parse } from "arquero";
import { _derive } from "arquero/src/verbs/derive.js";
import { _filter } from "arquero/src/verbs/filter.js";
import type { Batch } from "./batch";

type Parsed = { names: string[]; exprs: unknown[]; ops?: unknown[] };

/** More batch shapes than this for one expression (records of many shapes) and its cache starts over: memory stays bounded. */
const MAX_SHAPES = 32;

/**
 * A step's expressions, parsed and compiled once per batch shape instead of once per batch.
 * arquero parses an expression (acorn) and compiles it (`Function`) on every filter or derive,
 * and a run calls them once per batch — a thousand times per million CSV rows, each fresh
 * function starting cold in V8's interpreter. For the tables batches are (columns of arrays, no
 * parameters), what arquero compiles depends on the table only through its column names, in
 * order (references are checked against them, `op.row_object()` lists them), and whether each
 * column is an array (its accessor): together they are the key. A table with parameters or a
 * dictionary-encoded column, whose values arquero compiles into the code, and expressions using
 * aggregate or window functions, which run once on all rows, go through arquero's own verbs.
 */
export class CompiledExpressions {
  /** By expression, then by batch shape. */
  private readonly parsed = new Map<string, Map<string, Parsed>>();

  filter(batch: Batch, expr: string): Batch {
    const test = this.parse(batch, { p: expr });
    return !test || test.ops?.length ? batch.filter(expr) : _filter(batch, test.exprs[0] as (row: number, data: unknown) => unknown);
  }

  derive(batch: Batch, name: string, expr: string): Batch {
    const values = { [name]: expr };
    const parsed = this.parse(batch, values);
    return !parsed || parsed.ops?.length ? batch.derive(values) : _derive(batch, parsed);
  }

  /** The expression compiled for this batch's shape; undefined when the batch is not one whose shape decides it. */
  private parse(batch: Batch, values: Record<string, string>): Parsed | undefined {
    const names = batch.columnNames();
    const columns = names.map((name) => batch.column(name) as unknown);
    if (hasParams(batch) || columns.some(isDictionary)) return undefined;
    const expression = JSON.stringify(values);
    const shape = JSON.stringify([names, columns.map(isArrayType)]);
    let shapes = this.parsed.get(expression);
    if (!shapes) this.parsed.set(expression, (shapes = new Map()));
    let parsed = shapes.get(shape);
    if (!parsed) {
      if (shapes.size >= MAX_SHAPES) shapes.clear();
      parsed = parse(values, { table: batch }) as Parsed;
      shapes.set(shape, parsed);
    }
    return parsed;
  }
}

function hasParams(batch: Batch): boolean {
  const params = batch.params() as Record<string, unknown> | undefined;
  return params !== undefined && Object.keys(params).length > 0;
}

function isDictionary(column: unknown): boolean {
  return typeof (column as { keyFor?: unknown } | null)?.keyFor === "function";
}

function isArrayType(column: unknown): boolean {
  return Array.isArray(column) || ArrayBuffer.isView(column);
}
