"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiFetch, apiPath } from "@/components/api-client";
import type { Stats } from "@/lib/schemas/stats";

/** Recent activity for the dashboard; refreshes every 10 s while runs are pending or running. */
export function useStats(hours: number) {
  return useQuery({
    queryKey: ["stats", hours],
    queryFn: ({ signal }) => apiFetch<Stats>(apiPath("stats", { hours }), { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data && query.state.data.runs.pending + query.state.data.runs.running > 0 ? 10_000 : 60_000),
  });
}
