"use client";

import { errorMessage } from "@/components/api-client";
import type { Run } from "@/lib/schemas/runs";
import { useRunNow } from "./job-queries";

type Props = { jobId: string; jobName: string; onStarted: (run: Run) => void; onFailed: (message: string) => void; className?: string };

/** Triggers a run of the job; the caller decides whether to announce it or to open the run. */
export function RunNowButton({ jobId, jobName, onStarted, onFailed, className }: Props) {
  const runNow = useRunNow();
  return (
    <button
      type="button"
      className={className ?? "button"}
      disabled={runNow.isPending}
      aria-label={`Run ${jobName} now`}
      onClick={() => runNow.mutate(jobId, { onSuccess: onStarted, onError: (error) => onFailed(errorMessage(error)) })}
    >
      {runNow.isPending ? "Starting…" : "Run now"}
    </button>
  );
}
