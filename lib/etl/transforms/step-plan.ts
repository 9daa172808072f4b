import type { TransformStep } from "@/lib/schemas/jobs";
import { analyzeExpression, ExpressionError, type ExpressionKind } from "@/lib/etl/expressions";
import { TransformStepError } from "./step-error";

/** What the pipeline needs to know about a step before any row arrives. */
export type StepPlan = {
  step: TransformStep;
  index: number;
  /** Columns the step names; one that no row ever had is an unknown column. */
  reads: string[];
  /** Of those, the ones a batch without them gets as nulls: records of different shapes leave keys out. */
  fills: string[];
  /** The step needs every row at once: its result for a row depends on the other rows. */
  blocking: boolean;
};

const ALWAYS_BLOCKING: ReadonlySet<TransformStep["op"]> = new Set<TransformStep["op"]>(["sort", "dedupe", "aggregate"]);

/** Checks every step's expressions again (the definition may predate a rule) and plans the steps. */
export function planSteps(steps: readonly TransformStep[]): StepPlan[] {
  return steps.map((step, index) => planStep(step, index));
}

function planStep(step: TransformStep, index: number): StepPlan {
  const plan = (reads: string[], fills: string[], blocking = ALWAYS_BLOCKING.has(step.op)): StepPlan => ({
    step,
    index,
    reads: unique(reads),
    fills: unique(fills),
    blocking,
  });
  switch (step.op) {
    case "normalize":
    case "limit":
      return plan([], []);
    case "explode":
      return plan([step.column], [step.column]);
    case "select":
    case "cast":
    case "fillNull": {
      const columns = step.op === "select" ? step.columns : Object.keys(step.op === "cast" ? step.columns : step.values);
      return plan(columns, columns);
    }
    case "drop":
      return plan(step.columns, []);
    case "rename":
      return plan(Object.keys(step.columns), Object.keys(step.columns));
    case "dedupe":
      return plan(step.columns ?? [], step.columns ?? []);
    case "sort": {
      const columns = step.by.map((key) => key.column);
      return plan(columns, columns);
    }
    case "filter": {
      const info = analyze(step.expr, "row", step, index);
      return plan(info.columns, info.columns, info.aggregates || info.windows);
    }
    case "derive": {
      // Columns are derived in order, so a later expression may read an earlier one.
      const reads: string[] = [];
      let blocking = false;
      const derived = new Set<string>();
      for (const [name, expr] of Object.entries(step.columns)) {
        const info = analyze(expr, "row", step, index);
        reads.push(...info.columns.filter((column) => !derived.has(column)));
        blocking ||= info.aggregates || info.windows;
        derived.add(name);
      }
      return plan(reads, reads, blocking);
    }
    case "aggregate": {
      const reads = [...step.groupBy];
      for (const expr of Object.values(step.metrics)) reads.push(...analyze(expr, "aggregate", step, index).columns);
      return plan(reads, reads);
    }
  }
}

function analyze(expr: string, kind: ExpressionKind, step: TransformStep, index: number) {
  try {
    return analyzeExpression(expr, kind);
  } catch (error) {
    if (error instanceof ExpressionError) throw new TransformStepError(index, step.op, `expression error: ${error.message}`);
    throw error;
  }
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
