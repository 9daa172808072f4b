import type { TransformStep } from "@/lib/schemas/jobs";
import { EtlError } from "@/lib/etl/errors";
import type { SourcePage } from "@/lib/etl/sources/page";
import { applyStep, pageToBatch, sourceTable } from "./apply";
import { concatBatches, type Batch } from "./batch";
import { TransformStepError, unknownColumns } from "./step-error";
import { enableLinearRegexFallback } from "./regex-guard";
import { planSteps, type StepPlan } from "./step-plan";

type Options = {
  maxBufferedRows: number;
  /**
   * Called with the source's table (step -1) and each step's output, in order: preview's view of
   * the same execution a run performs.
   */
  observe?: (step: number, batch: Batch) => void;
};

/**
 * Runs a job's steps over a stream of record pages with bounded memory. Row-local steps are
 * applied to each page as it arrives, so it can be loaded before the next is read. From the first
 * blocking step on (sort, dedupe, aggregate, or a filter/derive using aggregate or window
 * functions), rows are held (up to `maxBufferedRows`) and the rest of the steps run once on all of
 * them in `finish`. A `limit` among the streaming steps counts rows across pages, and once it is
 * reached the pipeline is `done`: nothing the source reads afterwards could reach the output.
 *
 * Pages of JSON records need not share columns, so a step naming a column a page lacks sees it as
 * nulls; only a column no page ever had at that step is an unknown column, reported by `finish`.
 */
export class TransformPipeline {
  private readonly plans: StepPlan[];
  private readonly blockingFrom: number;
  private readonly held: Batch[] = [];
  private heldRows = 0;
  /** Columns each step has seen in its input, and how many rows reached it, over all pages. */
  private readonly seen: Set<string>[];
  private readonly rowsIn: number[];
  private readonly reached: boolean[];
  /** Rows each streaming limit still lets through. */
  private readonly remaining = new Map<number, number>();

  constructor(
    steps: readonly TransformStep[],
    private readonly options: Options,
  ) {
    enableLinearRegexFallback();
    this.plans = planSteps(steps);
    const split = this.plans.findIndex((plan) => plan.blocking);
    this.blockingFrom = split === -1 ? steps.length : split;
    this.seen = steps.map(() => new Set<string>());
    this.rowsIn = steps.map(() => 0);
    this.reached = steps.map(() => false);
    for (const plan of this.plans.slice(0, this.blockingFrom)) {
      if (plan.step.op === "limit") this.remaining.set(plan.index, plan.step.count);
    }
  }

  /** A streaming limit may end the pipeline before the source does. */
  get mayStopEarly(): boolean {
    return this.remaining.size > 0;
  }

  /** True once a streaming limit is reached: the caller can stop reading the source. */
  get done(): boolean {
    for (const count of this.remaining.values()) if (count === 0) return true;
    return false;
  }

  /** Transforms one page of rows; returns the batch to load now, or null while rows are being held. */
  push(page: SourcePage): Batch | null {
    if (this.done) return null;
    if (this.options.observe) this.options.observe(-1, sourceTable(page));
    const first = this.plans[0];
    const { batch, consumed } = pageToBatch(page, first?.step);
    if (first && consumed === 1) {
      this.record(first, page.length, []);
      this.options.observe?.(0, batch);
    }
    const out = this.run(batch, consumed, this.blockingFrom);
    if (this.blockingFrom === this.plans.length) return out;
    this.heldRows += out.numRows();
    if (this.heldRows > this.options.maxBufferedRows) {
      const step = this.plans[this.blockingFrom]!.step;
      throw new EtlError(
        `Step ${this.blockingFrom + 1} (${step.op}) needs all rows at once, and the source produced more than ` +
          `${this.options.maxBufferedRows} (the TRANSFORM_MAX_BUFFERED_ROWS limit).`,
        true,
      );
    }
    this.held.push(out);
    return null;
  }

  /** Runs the blocking steps on everything held, then reports unknown columns; null when all steps streamed. */
  finish(): Batch | null {
    this.checkColumns(0, this.blockingFrom);
    if (this.blockingFrom === this.plans.length) return null;
    if (this.held.length === 0) return null;
    const all = concatBatches(this.held);
    this.held.length = 0;
    const out = this.run(all, this.blockingFrom, this.plans.length);
    this.checkColumns(this.blockingFrom, this.plans.length);
    return out;
  }

  private run(batch: Batch, from: number, to: number): Batch {
    let current = batch;
    for (let i = from; i < to; i++) {
      const plan = this.plans[i]!;
      const rows = current.numRows();
      this.record(plan, rows, current.columnNames());
      const remaining = this.remaining.get(i);
      if (remaining !== undefined) {
        current = current.slice(0, remaining);
        this.remaining.set(i, remaining - current.numRows());
      } else {
        current = applyStep(current, plan, this.rowsIn[i]! - rows);
      }
      this.options.observe?.(i, current);
    }
    return current;
  }

  private record(plan: StepPlan, rows: number, columns: readonly string[]): void {
    this.reached[plan.index] = true;
    this.rowsIn[plan.index]! += rows;
    for (const column of columns) this.seen[plan.index]!.add(column);
  }

  private checkColumns(from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const plan = this.plans[i]!;
      // A normalize at the front reads records, not columns; it names none.
      if (!this.reached[i] || plan.reads.length === 0) continue;
      const seen = this.seen[i]!;
      const missing = plan.reads.filter((column) => !seen.has(column));
      if (missing.length > 0) throw new TransformStepError(i, plan.step.op, unknownColumns(missing, [...seen]));
    }
  }
}
