"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch, apiPath } from "@/components/api-client";
import type { Page } from "@/lib/schemas/common";
import type { Connection, ConnectionCreate, ConnectionTestResult, ConnectionType } from "@/lib/schemas/connections";
import type { FileDto } from "@/lib/schemas/files";
import type { Preview } from "@/lib/schemas/preview";
import type { PreviewPlan } from "./preview-request";

export const builderKeys = {
  connections: (type: ConnectionType) => ["connections", type] as const,
  files: (workspaceId: string) => ["files", workspaceId] as const,
};

/** The workspace's saved connections of one type, by name. */
export function useConnections(type: ConnectionType, workspaceId: string | undefined) {
  return useQuery({
    queryKey: builderKeys.connections(type),
    queryFn: ({ signal }) => apiFetch<Page<Connection>>(apiPath("connections", { type, pageSize: 1000 }), { signal }),
    select: (page) => page.results.filter((c) => c.workspaceId === workspaceId).sort((a, b) => a.name.localeCompare(b.name)),
    enabled: Boolean(workspaceId),
  });
}

export function useCreateConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ConnectionCreate) => apiFetch<Connection>("connections", { method: "POST", body }),
    // Every list of connections (the builder's per type, the connections page's) may show it.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["connections"] }),
  });
}

export function useTestConnection() {
  return useMutation({
    mutationFn: ({ id, url }: { id: string; url?: string }) =>
      apiFetch<ConnectionTestResult>(`connections/${id}/test`, { method: "POST", body: url ? { url } : {} }),
  });
}

/** The workspace's uploaded files, newest first. */
export function useFiles(workspaceId: string | undefined) {
  return useQuery({
    queryKey: builderKeys.files(workspaceId ?? ""),
    queryFn: ({ signal }) => apiFetch<Page<FileDto>>(apiPath("files", { workspaceId, pageSize: 200 }), { signal }),
    enabled: Boolean(workspaceId),
  });
}

/**
 * The preview of a plan, refreshed whenever the (debounced) plan changes. The previous answer
 * stays on screen while the next one loads; a 4xx (a file deleted meanwhile) is not retried.
 */
export function usePreviewQuery(plan: PreviewPlan) {
  const body = plan.kind === "ready" ? plan.body : null;
  return useQuery({
    queryKey: ["preview", body],
    queryFn: ({ signal }) => apiFetch<Preview>("preview", { method: "POST", body, signal }),
    enabled: body !== null,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    retry: false,
  });
}
