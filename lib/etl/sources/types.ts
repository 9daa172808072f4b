import type { IncrementalTracker } from "@/lib/etl/incremental";
import type { LogLevel } from "@/lib/etl/run-log";

export type SourceContext = {
  signal: AbortSignal;
  log: (level: LogLevel, message: string, data?: Record<string, unknown>) => Promise<void>;
  /** The job's workspace: sources may only read files and connections that belong to it. */
  workspaceId: string;
  /** Preview: read only what a sample needs (the first page, the first rows). */
  sampleOnly: boolean;
  /**
   * The reader will read every page (no step stops it early): a paginated source may request the
   * next page while the reader processes this one. Off, nothing past what was read is requested.
   */
  readAhead?: boolean;
  /** Incremental database sources: where the last successful run stopped, and where to note this run's progress. */
  incremental?: IncrementalTracker;
};
