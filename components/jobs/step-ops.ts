import type { TransformStep } from "@/lib/schemas/jobs";
import type { StepInput } from "./job-form-values";

export type StepOp = TransformStep["op"];

/** Every transform op the builder offers, in the order of the SPEC's table. */
export const stepOps: { value: StepOp; label: string; hint: string }[] = [
  { value: "normalize", label: "Normalize", hint: "Flatten nested objects into columns" },
  { value: "explode", label: "Explode", hint: "One row per element of an array column" },
  { value: "select", label: "Select", hint: "Keep only these columns, in this order" },
  { value: "drop", label: "Drop", hint: "Remove these columns" },
  { value: "rename", label: "Rename", hint: "Rename columns" },
  { value: "filter", label: "Filter", hint: "Keep the rows where an expression is true" },
  { value: "derive", label: "Derive", hint: "Add or replace columns computed by expressions" },
  { value: "cast", label: "Cast", hint: "Convert columns to a type" },
  { value: "fillNull", label: "Fill nulls", hint: "Replace null or missing values" },
  { value: "dedupe", label: "Dedupe", hint: "Drop duplicate rows" },
  { value: "sort", label: "Sort", hint: "Order rows by columns" },
  { value: "limit", label: "Limit", hint: "Keep the first rows" },
  { value: "aggregate", label: "Aggregate", hint: "Group rows and compute metrics" },
];

export const opLabel = (op: string) => stepOps.find((o) => o.value === op)?.label ?? op;

/** A new step of an op: the schema's defaults filled in, the parts the user must choose left empty. */
export function stepDefaults(op: StepOp): StepInput {
  switch (op) {
    case "normalize":
      return { op, sep: "." };
    case "explode":
      return { op, column: "", keepEmpty: false };
    case "select":
    case "drop":
      return { op, columns: [] };
    case "rename":
    case "derive":
    case "cast":
      return { op, columns: {} };
    case "filter":
      return { op, expr: "" };
    case "fillNull":
      return { op, values: {} };
    case "dedupe":
      return { op };
    case "sort":
      return { op, by: [{ column: "", desc: false }] };
    case "limit":
      return { op, count: 100 };
    case "aggregate":
      return { op, groupBy: [], metrics: {} };
  }
}
