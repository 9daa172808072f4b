import { parse } from "arquero";
import { _derive } from "arquero/src/verbs/derive.js";
import { _filter } from "arquero/src/verbs/filter.js";
import type { Batch } from "./batch";

type Parsed = { names: string[]; exprs: unknown[]; ops?: unknown[] };

/** More batch shapes than this (records of many shapes) and the step's cache starts over: memory stays bounded. */
const MAX_SHAPES = 32;

/**
 * A step's expressions, parsed and compiled once per batch shape instead of once per batch.
 * arquero parses an expression (acorn) and compiles it (`Function`) on every filter or derive,
 * and a run calls them once per batch — a thousand times per million CSV rows, each fresh
 * function starting cold in V8's interpreter. What arquero compiles depends on the table only
 * through its column names (references are checked against them, `op.row_object()` lists them)
 * and whether each column is an array (its accessor): together they are the key. Expressions
 * using aggregate or window functions, which run once on all rows, go through arquero's verbs.
 */
export class CompiledExpressions {
  private readonly parsed = new Map<string, Parsed>();

  filter(batch: Batch, expr: string): Batch {
    const test = this.parse(batch, { p: expr });
    return test.ops?.length ? batch.filter(expr) : _filter(batch, test.exprs[0] as (row: number, data: unknown) => unknown);
  }

  derive(batch: Batch, name: string, expr: string): Batch {
    const values = { [name]: expr };
    const parsed = this.parse(batch, values);
    return parsed.ops?.length ? batch.derive(values) : _derive(batch, parsed);
  }

  private parse(batch: Batch, values: Record<string, string>): Parsed {
    const names = batch.columnNames();
    const key = `${JSON.stringify(values)}\u0000${names.map((name) => `${isArrayType(batch.column(name)) ? 1 : 0}${name}`).join("\u0000")}`;
    let parsed = this.parsed.get(key);
    if (!parsed) {
      if (this.parsed.size >= MAX_SHAPES) this.parsed.clear();
      parsed = parse(values, { table: batch }) as Parsed;
      this.parsed.set(key, parsed);
    }
    return parsed;
  }
}

function isArrayType(column: unknown): boolean {
  return Array.isArray(column) || ArrayBuffer.isView(column);
}
