"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch, apiPath } from "@/components/api-client";
import type { Page } from "@/lib/schemas/common";
import { finishedStatuses, type Run, type RunLog } from "@/lib/schemas/runs";

export const runKeys = {
  detail: (id: string) => ["runs", id] as const,
  log: (id: string) => ["runs", id, "log"] as const,
};

export const isFinished = (run: Run | undefined) => Boolean(run && finishedStatuses.includes(run.status));

/** One run; polls every second until it has finished. */
export function useRun(id: string) {
  return useQuery({
    queryKey: runKeys.detail(id),
    queryFn: ({ signal }) => apiFetch<Run>(`runs/${id}`, { signal }),
    refetchInterval: (query) => (query.state.status === "error" || isFinished(query.state.data) ? false : 1000),
  });
}

const LOG_PAGE_SIZE = 1000;
// How long after the run finished its last log line may still be on the way.
const LOG_TAIL_MS = 30_000;

/**
 * The run's log, read incrementally: each fetch asks only for lines after the last one held and
 * appends them, so polling a long log costs the new lines only. It polls while the run is live,
 * and after it finished until the worker's closing line (written just after the status changes:
 * rows loaded, failure, cancellation) has arrived.
 */
export function useRunLog(id: string, run: Pick<Run, "status" | "finishedAt">) {
  const live = run.status === "pending" || run.status === "running";
  const finishedAt = run.finishedAt ? Date.parse(run.finishedAt) : undefined;
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: runKeys.log(id),
    queryFn: async ({ signal }) => {
      const held = queryClient.getQueryData<RunLog[]>(runKeys.log(id)) ?? [];
      let lines = held;
      for (;;) {
        const after = lines.at(-1)?.id;
        const page = await apiFetch<Page<RunLog>>(apiPath(`runs/${id}/logs`, { after, pageSize: LOG_PAGE_SIZE }), { signal });
        const seen = new Set(lines.map((line) => line.id));
        lines = [...lines, ...page.results.filter((line) => !seen.has(line.id))];
        if (!page.next || page.results.length === 0) return lines;
      }
    },
    refetchInterval: (query) => {
      if (live) return 1000;
      if (finishedAt === undefined) return false;
      const last = query.state.data?.at(-1);
      // A line's time is the worker's clock and finishedAt the database's: should the worker's run
      // behind, the tail is polled until LOG_TAIL_MS, no longer.
      const closingLinePending = !last || Date.parse(last.ts) < finishedAt;
      return closingLinePending && Date.now() - finishedAt < LOG_TAIL_MS ? 1000 : false;
    },
    staleTime: Infinity,
  });
}

export function useCancelRun(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<Run>(`runs/${id}/cancel`, { method: "POST" }),
    onSuccess: (run) => {
      queryClient.setQueryData(runKeys.detail(id), run);
      return queryClient.invalidateQueries({ queryKey: ["jobs"] });
    },
  });
}
