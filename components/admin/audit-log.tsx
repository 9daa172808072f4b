"use client";

import { useState } from "react";
import { ApiError } from "@/components/api-client";
import { formatDateTime } from "@/components/ui/format";
import { Pager } from "@/components/ui/pager";
import { QueryError } from "@/components/ui/query-error";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { auditActions, type AuditEvent } from "@/lib/schemas/audit";
import { useAudit } from "./admin-queries";

const PAGE_SIZE = 50;

/** Details as plain text: React escapes it, so names and values from users are never markup. */
function describeDetails(details: AuditEvent["details"]): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}

/** Who did what, newest first, filtered by action and actor. */
export function AuditLog() {
  const [action, setAction] = useState("");
  const [actorInput, setActorInput] = useState("");
  const actor = useDebouncedValue(actorInput.trim(), 300);
  const [page, setPage] = useState(1);
  const audit = useAudit({ action, actor, page, pageSize: PAGE_SIZE });

  if (audit.error instanceof ApiError && audit.error.status === 403) {
    return <p className="alert alert-error">The audit log is for workspace and instance admins.</p>;
  }
  return (
    <>
      <div className="page-header">
        <h1>Audit log</h1>
      </div>
      <div className="toolbar">
        <label htmlFor="audit-action">Action</label>
        <select
          id="audit-action"
          value={action}
          onChange={(e) => {
            setAction(e.target.value);
            setPage(1);
          }}
        >
          <option value="">All actions</option>
          {auditActions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <label htmlFor="audit-actor">Actor email</label>
        <input
          id="audit-actor"
          type="search"
          value={actorInput}
          placeholder="contains…"
          onChange={(e) => {
            setActorInput(e.target.value);
            setPage(1);
          }}
        />
      </div>
      {audit.isError ? (
        <QueryError error={audit.error} what="the audit log" onRetry={() => audit.refetch()} />
      ) : !audit.data ? (
        <p className="muted" role="status">
          Loading events…
        </p>
      ) : audit.data.count === 0 ? (
        <p className="empty">No events match.</p>
      ) : (
        <>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Audit entries, scrollable">
            <table className="table">
              <caption className="visually-hidden">Audit events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">From</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {audit.data.results.map((event) => (
                  <tr key={event.id}>
                    <td>{formatDateTime(event.at)}</td>
                    <td>
                      {event.actor.email ?? "—"}
                      {event.tokenId ? <span className="muted small"> (API token)</span> : null}
                    </td>
                    <td>
                      <code>{event.action}</code>
                    </td>
                    <td>
                      {event.target.type}
                      {event.target.id ? (
                        <span className="muted small" title={event.target.id}>
                          {" "}
                          {event.target.id.slice(0, 8)}
                        </span>
                      ) : null}
                    </td>
                    <td>{event.ip ?? "—"}</td>
                    <td className="small">{describeDetails(event.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            label="events"
            page={page}
            pageSize={PAGE_SIZE}
            count={audit.data.count}
            hasNext={Boolean(audit.data.next)}
            hasPrevious={Boolean(audit.data.previous)}
            onPageChange={setPage}
          />
        </>
      )}
    </>
  );
}
