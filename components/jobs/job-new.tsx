"use client";

import Link from "next/link";
import { canEdit, defaultWorkspaceId, useMe } from "@/components/auth/use-me";
import { QueryError } from "@/components/ui/query-error";
import { JobForm } from "./job-form";
import { newJobValues } from "./job-form-values";

/** A new job in the current workspace (the header's switcher picks it). */
export function JobNew() {
  const me = useMe();
  if (me.isError) return <QueryError error={me.error} what="your workspaces" onRetry={() => me.refetch()} />;
  if (!me.data) {
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  }
  const workspaceId = defaultWorkspaceId(me.data);
  if (!workspaceId || !canEdit(me.data, workspaceId)) {
    return (
      <p className="empty">
        Your role in this workspace lets you browse jobs, not create them. <Link href="/jobs">Back to the jobs</Link>
      </p>
    );
  }
  return <JobForm workspaceId={workspaceId} defaultValues={newJobValues} />;
}
