"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch, apiPath } from "@/components/api-client";
import type { AuditEvent } from "@/lib/schemas/audit";
import type { Page } from "@/lib/schemas/common";
import type { User, UserCreate, UserUpdate } from "@/lib/schemas/users";
import type { Member, Workspace } from "@/lib/schemas/workspaces";

type Role = Member["role"];

export const adminKeys = {
  workspaces: ["workspaces"] as const,
  members: (workspaceId: string) => ["workspaces", workspaceId, "members"] as const,
  users: (params: { q: string; page: number; pageSize: number }) => ["users", params] as const,
  audit: (params: Record<string, string | number>) => ["audit", params] as const,
};

export function useWorkspaces() {
  return useQuery({
    queryKey: adminKeys.workspaces,
    queryFn: ({ signal }) => apiFetch<Page<Workspace>>("workspaces", { signal }),
    staleTime: 60_000,
  });
}

/** Makes a workspace the default: every cached answer may depend on it, so all of them are refetched. */
export function useSwitchWorkspace() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (defaultWorkspaceId: string) => apiFetch("me", { method: "PATCH", body: { defaultWorkspaceId } }),
    onSuccess: () => queryClient.invalidateQueries(),
  });
}

export function useMembers(workspaceId: string | undefined) {
  return useQuery({
    queryKey: adminKeys.members(workspaceId ?? ""),
    queryFn: ({ signal }) => apiFetch<Page<Member>>(`workspaces/${workspaceId}/members`, { signal }),
    enabled: Boolean(workspaceId),
  });
}

function useMemberMutation<T>(workspaceId: string, mutationFn: (input: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.members(workspaceId) }),
        queryClient.invalidateQueries({ queryKey: adminKeys.workspaces }),
        queryClient.invalidateQueries({ queryKey: ["me"] }),
      ]),
  });
}

export function useAddMember(workspaceId: string) {
  return useMemberMutation(workspaceId, (body: { email: string; role: Role }) =>
    apiFetch<Member>(`workspaces/${workspaceId}/members`, { method: "POST", body }),
  );
}

export function useChangeRole(workspaceId: string) {
  return useMemberMutation(workspaceId, ({ userId, role }: { userId: string; role: Role }) =>
    apiFetch<Member>(`workspaces/${workspaceId}/members/${userId}`, { method: "PATCH", body: { role } }),
  );
}

export function useRemoveMember(workspaceId: string) {
  return useMemberMutation(workspaceId, (userId: string) =>
    apiFetch<void>(`workspaces/${workspaceId}/members/${userId}`, { method: "DELETE" }),
  );
}

export function useUsers(params: { q: string; page: number; pageSize: number }) {
  return useQuery({
    queryKey: adminKeys.users(params),
    queryFn: ({ signal }) => apiFetch<Page<User>>(apiPath("users", params), { signal }),
    placeholderData: keepPreviousData,
  });
}

function useUserMutation<T, R>(mutationFn: (input: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: ["users"] }) });
}

export const useCreateUser = () => useUserMutation((body: UserCreate) => apiFetch<User>("users", { method: "POST", body }));
export const useUpdateUser = () =>
  useUserMutation(({ id, ...body }: UserUpdate & { id: string }) => apiFetch<User>(`users/${id}`, { method: "PATCH", body }));
export const useDeleteUser = () => useUserMutation((id: string) => apiFetch<void>(`users/${id}`, { method: "DELETE" }));

export function useAudit(params: { action: string; actor: string; page: number; pageSize: number }) {
  return useQuery({
    queryKey: adminKeys.audit(params),
    queryFn: ({ signal }) => apiFetch<Page<AuditEvent>>(apiPath("audit", params), { signal }),
    placeholderData: keepPreviousData,
  });
}
