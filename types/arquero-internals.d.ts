// arquero keeps these internal. lib/etl/expressions.ts reads its function tables to tell aggregate
// and window functions apart from row functions; lib/etl/transforms/compiled-expressions.ts runs
// filter and derive on expressions it parsed once, as arquero's own verbs do after parsing.
declare module "arquero/src/op/index.js" {
  export const functions: Readonly<Record<string, unknown>>;
  export const aggregateFunctions: Readonly<Record<string, unknown>>;
  export const windowFunctions: Readonly<Record<string, unknown>>;
}

declare module "arquero/src/verbs/filter.js" {
  import type { ColumnTable } from "arquero";
  export function _filter(table: ColumnTable, predicate: (row: number, data: unknown) => unknown): ColumnTable;
}

declare module "arquero/src/verbs/derive.js" {
  import type { ColumnTable } from "arquero";
  export function _derive(table: ColumnTable, parsed: { names: string[]; exprs: unknown[]; ops?: unknown[] }, options?: object): ColumnTable;
}
