"use client";

import { useRouter } from "next/navigation";
import { defaultWorkspaceId, useMe } from "@/components/auth/use-me";
import { errorMessage } from "@/components/api-client";
import { useSwitchWorkspace, useWorkspaces } from "./admin-queries";

/**
 * Picks the current workspace: the caller's default, where new jobs land and whose members the
 * members page shows. Hidden for people who belong to one workspace only.
 */
export function WorkspaceSwitcher() {
  const router = useRouter();
  const me = useMe();
  const workspaces = useWorkspaces();
  const change = useSwitchWorkspace();
  const current = defaultWorkspaceId(me.data);
  const list = workspaces.data?.results ?? [];
  if (list.length < 2 || !current) return null;

  return (
    <div className="workspace-switcher">
      <label htmlFor="workspace-switcher">Workspace</label>
      <select
        id="workspace-switcher"
        value={current}
        disabled={change.isPending}
        onChange={(event) => change.mutate(event.target.value, { onSuccess: () => router.refresh() })}
      >
        {list.map((workspace) => (
          <option key={workspace.id} value={workspace.id}>
            {workspace.name}
            {workspace.role ? ` (${workspace.role})` : ""}
          </option>
        ))}
      </select>
      <span role="alert" className="visually-hidden">
        {change.isError ? `Could not switch: ${errorMessage(change.error)}` : ""}
      </span>
    </div>
  );
}
