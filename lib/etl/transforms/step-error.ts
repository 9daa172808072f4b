import type { TransformStep } from "@/lib/schemas/jobs";
import { EtlError } from "@/lib/etl/errors";

/** A step's failure, naming the step (1-based, as the builder shows it) so preview can point at it. */
export class TransformStepError extends EtlError {
  constructor(
    readonly index: number,
    readonly op: TransformStep["op"],
    readonly detail: string,
  ) {
    super(`Step ${index + 1} (${op}): ${detail}.`, true);
    this.name = "TransformStepError";
  }
}

export function quoteList(names: readonly string[]): string {
  return names.length === 0 ? "none" : names.map((name) => `"${name}"`).join(", ");
}

export function unknownColumns(missing: readonly string[], available: readonly string[]): string {
  return `unknown column${missing.length > 1 ? "s" : ""} ${quoteList(missing)}; available: ${quoteList(available)}`;
}
