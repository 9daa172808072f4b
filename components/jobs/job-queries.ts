"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch, apiPath } from "@/components/api-client";
import type { Page } from "@/lib/schemas/common";
import type { JobSort, LastStatusFilter } from "@/lib/schemas/job-list";
import type { Job, JobCreate, JobUpdate } from "@/lib/schemas/jobs";
import type { Run } from "@/lib/schemas/runs";

export const jobKeys = {
  all: ["jobs"] as const,
  list: (params: JobListParams) => ["jobs", "list", params] as const,
  detail: (id: string) => ["jobs", "detail", id] as const,
  runs: (id: string, page: number) => ["jobs", "detail", id, "runs", page] as const,
  recentRuns: (id: string) => ["jobs", "detail", id, "recent-runs"] as const,
};

const isActive = (status: string | undefined) => status === "pending" || status === "running";

export type JobListParams = { q: string; lastStatus?: LastStatusFilter; sort: JobSort; page: number; pageSize: number };

/** A page of jobs; refreshes while one of their last runs is still pending or running. */
export function useJobs(params: JobListParams) {
  return useQuery({
    queryKey: jobKeys.list(params),
    queryFn: ({ signal }) => apiFetch<Page<Job>>(apiPath("jobs", params), { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.results.some((job) => isActive(job.lastRun?.status)) ? 3000 : false),
  });
}

/** One job; an empty id (not known yet) waits instead of fetching. */
export function useJob(id: string) {
  return useQuery({
    queryKey: jobKeys.detail(id),
    queryFn: ({ signal }) => apiFetch<Job>(`jobs/${id}`, { signal }),
    enabled: id !== "",
  });
}

/** A job's runs, newest first; polls while one of them is still pending or running. */
export function useJobRuns(id: string, page: number, pageSize = 10) {
  return useQuery({
    queryKey: jobKeys.runs(id, page),
    queryFn: ({ signal }) => apiFetch<Page<Run>>(apiPath(`jobs/${id}/runs`, { page, pageSize }), { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.results.some((run) => isActive(run.status)) ? 2000 : false),
  });
}

const RECENT_RUNS = 30;

/** The job's latest runs for its trend chart; polls while one of them is live. */
export function useRecentRuns(id: string) {
  return useQuery({
    queryKey: jobKeys.recentRuns(id),
    queryFn: ({ signal }) => apiFetch<Page<Run>>(apiPath(`jobs/${id}/runs`, { page: 1, pageSize: RECENT_RUNS }), { signal }),
    refetchInterval: (query) => (query.state.data?.results.some((run) => isActive(run.status)) ? 3000 : false),
  });
}

export function useRunNow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (jobId: string) => apiFetch<Run>(`jobs/${jobId}/runs`, { method: "POST" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: jobKeys.all }),
  });
}

export function useSaveJob(jobId?: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: JobCreate | JobUpdate) =>
      jobId ? apiFetch<Job>(`jobs/${jobId}`, { method: "PATCH", body }) : apiFetch<Job>("jobs", { method: "POST", body }),
    onSuccess: (job) => {
      queryClient.setQueryData(jobKeys.detail(job.id), job);
      return queryClient.invalidateQueries({ queryKey: jobKeys.all });
    },
  });
}

export function useDeleteJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (jobId: string) => apiFetch<void>(`jobs/${jobId}`, { method: "DELETE" }),
    onSuccess: (_, jobId) => {
      queryClient.removeQueries({ queryKey: jobKeys.detail(jobId) });
      return queryClient.invalidateQueries({ queryKey: jobKeys.all });
    },
  });
}
