"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch, apiPath } from "@/components/api-client";
import type { Page } from "@/lib/schemas/common";
import type { Connection } from "@/lib/schemas/connections";

/** Every saved connection of the workspace, by name. */
export function useWorkspaceConnections(workspaceId: string | undefined) {
  return useQuery({
    queryKey: ["connections", "all"],
    queryFn: ({ signal }) => apiFetch<Page<Connection>>(apiPath("connections", { pageSize: 1000 }), { signal }),
    select: (page) => page.results.filter((c) => c.workspaceId === workspaceId).sort((a, b) => a.name.localeCompare(b.name)),
    enabled: Boolean(workspaceId),
  });
}

export function useDeleteConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`connections/${id}`, { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["connections"] }),
  });
}
