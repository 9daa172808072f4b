import type { TransformStep } from "@/lib/schemas/jobs";
import { EtlError } from "@/lib/etl/errors";
import { applySteps, recordsToBatch, type Batch } from "./apply";

/** Steps that need every row at once; everything before the first of them streams batch by batch. */
const BLOCKING_OPS: ReadonlySet<TransformStep["op"]> = new Set<TransformStep["op"]>([]);

/**
 * Runs a job's steps over a stream of record pages with bounded memory: row-local steps are
 * applied to each page as it arrives, so it can be loaded before the next is read. From the
 * first blocking step on, rows are held (up to `maxBufferedRows`) and the rest of the steps run
 * once on all of them in `finish`.
 */
export class TransformPipeline {
  private readonly streaming: readonly TransformStep[];
  private readonly blockingFrom: number;
  private readonly held: Batch[] = [];
  private heldRows = 0;

  constructor(
    private readonly steps: readonly TransformStep[],
    private readonly options: { maxBufferedRows: number },
  ) {
    const split = steps.findIndex((step) => BLOCKING_OPS.has(step.op));
    this.blockingFrom = split === -1 ? steps.length : split;
    this.streaming = steps.slice(0, this.blockingFrom);
  }

  /** Transforms one page of records; returns the batch to load now, or null while rows are being held. */
  push(records: readonly unknown[]): Batch | null {
    const { batch, consumed } = recordsToBatch(records, this.streaming);
    const out = applySteps(batch, this.streaming, consumed);
    if (this.blockingFrom === this.steps.length) return out;
    this.heldRows += out.numRows();
    if (this.heldRows > this.options.maxBufferedRows) {
      const step = this.steps[this.blockingFrom]!;
      throw new EtlError(
        `Step ${this.blockingFrom + 1} (${step.op}) needs all rows at once, and the source produced more than ` +
          `${this.options.maxBufferedRows} (the TRANSFORM_MAX_BUFFERED_ROWS limit).`,
        true,
      );
    }
    this.held.push(out);
    return null;
  }

  /** Runs the blocking steps on everything held; null when all steps streamed. */
  finish(): Batch | null {
    if (this.blockingFrom === this.steps.length) return null;
    const [first, ...rest] = this.held;
    if (!first) return null;
    const all = rest.length > 0 ? first.concat(...rest) : first;
    this.held.length = 0;
    return applySteps(all, this.steps, this.blockingFrom);
  }
}
