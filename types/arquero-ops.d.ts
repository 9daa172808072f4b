// arquero keeps its function tables internal; lib/etl/expressions.ts reads them to tell aggregate and
// window functions apart from row functions.
declare module "arquero/src/op/index.js" {
  export const functions: Readonly<Record<string, unknown>>;
  export const aggregateFunctions: Readonly<Record<string, unknown>>;
  export const windowFunctions: Readonly<Record<string, unknown>>;
}
