import type { LogLevel } from "@/lib/etl/run-log";

export type SourceContext = {
  signal: AbortSignal;
  log: (level: LogLevel, message: string, data?: Record<string, unknown>) => Promise<void>;
  /** Preview: read only what a sample needs (the first page, the first rows). */
  sampleOnly: boolean;
};
