"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/components/api-client";

export type Me = {
  id: string;
  email: string;
  isInstanceAdmin: boolean;
  memberships: { workspaceId: string; role: "viewer" | "editor" | "admin"; isDefault: boolean }[];
};

/** The signed-in user and their workspace roles, read once and shared by every component. */
export function useMe() {
  return useQuery({ queryKey: ["me"], queryFn: ({ signal }) => apiFetch<Me>("me", { signal }), staleTime: 60_000 });
}

// The UI only hides what the API would refuse anyway (403); the server stays the authority.
const EDITING_ROLES = new Set(["editor", "admin"]);

/** May the user create, change and run jobs in this workspace? */
export function canEdit(me: Me | undefined, workspaceId: string | undefined): boolean {
  if (!me || !workspaceId) return false;
  return me.memberships.some((m) => m.workspaceId === workspaceId && EDITING_ROLES.has(m.role));
}

/** Where a job created without a workspaceId lands, as the API decides it. */
export function defaultWorkspaceId(me: Me | undefined): string | undefined {
  return (me?.memberships.find((m) => m.isDefault) ?? me?.memberships[0])?.workspaceId;
}
