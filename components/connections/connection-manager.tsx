"use client";

import { useState } from "react";
import { errorMessage } from "@/components/api-client";
import { canEdit, defaultWorkspaceId, useMe } from "@/components/auth/use-me";
import { useTestConnection } from "@/components/jobs/builder-queries";
import { NewConnectionButton } from "@/components/jobs/connection-dialog";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { formatDateTime } from "@/components/ui/format";
import { QueryError } from "@/components/ui/query-error";
import type { Connection } from "@/lib/schemas/connections";
import { useDeleteConnection, useWorkspaceConnections } from "./connection-queries";

const TYPE_LABELS: Record<Connection["type"], string> = { postgres: "PostgreSQL", mysql: "MySQL", http: "HTTP credentials" };

const address = (c: Connection) => (c.type === "http" ? `${c.auth.type} authentication` : `${c.user}@${c.host}:${c.port}/${c.database} (TLS ${c.ssl})`);

type Notice = { kind: "ok" | "error"; text: string } | null;

/** The workspace's saved connections: create one per type, test a database connection, delete an unused one. */
export function ConnectionManager() {
  const me = useMe();
  const workspaceId = defaultWorkspaceId(me.data);
  const editor = canEdit(me.data, workspaceId);
  const connections = useWorkspaceConnections(editor ? workspaceId : undefined);
  const test = useTestConnection();
  const remove = useDeleteConnection();
  const [notice, setNotice] = useState<Notice>(null);

  if (me.isError) return <QueryError error={me.error} what="your workspaces" onRetry={() => me.refetch()} />;
  if (!me.data) {
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  }
  if (!workspaceId || !editor) return <p className="empty">Saved connections are for editors and admins of the workspace.</p>;

  const onTest = (connection: Connection) =>
    test.mutate(
      { id: connection.id },
      {
        onSuccess: (result) =>
          setNotice({ kind: result.ok ? "ok" : "error", text: `${connection.name}: ${result.ok ? "connected" : "failed"} in ${result.durationMs} ms: ${result.message}` }),
        onError: (error) => setNotice({ kind: "error", text: `Could not test ${connection.name}: ${errorMessage(error)}` }),
      },
    );
  const onDelete = (connection: Connection) =>
    remove.mutate(connection.id, {
      onSuccess: () => setNotice({ kind: "ok", text: `Deleted ${connection.name}.` }),
      onError: (error) => setNotice({ kind: "error", text: `Could not delete ${connection.name}: ${errorMessage(error)}` }),
    });
  const created = (connection: Connection) => setNotice({ kind: "ok", text: `Saved ${connection.name}.` });

  return (
    <>
      <div className="actions" role="group" aria-label="New connection">
        {(Object.keys(TYPE_LABELS) as Connection["type"][]).map((type) => (
          <NewConnectionButton key={type} type={type} workspaceId={workspaceId} onCreated={created} label={`New ${TYPE_LABELS[type]} connection`} />
        ))}
      </div>
      <div aria-live="polite" className="notice-region">
        {notice ? <p className={`alert ${notice.kind === "ok" ? "alert-ok" : "alert-error"}`}>{notice.text}</p> : null}
      </div>
      {connections.isError ? (
        <QueryError error={connections.error} what="connections" onRetry={() => connections.refetch()} />
      ) : !connections.data ? (
        <p className="muted" role="status">
          Loading connections…
        </p>
      ) : connections.data.length === 0 ? (
        <p className="empty">No connections yet. Save one to read from or load into a database, or to call an API with credentials.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Connections, scrollable">
          <table className="table">
            <caption className="visually-hidden">Saved connections of the workspace</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Address</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {connections.data.map((connection) => (
                <tr key={connection.id}>
                  <td className="strong-link">{connection.name}</td>
                  <td>{TYPE_LABELS[connection.type]}</td>
                  <td className="break">{address(connection)}</td>
                  <td>{formatDateTime(connection.createdAt)}</td>
                  <td className="actions-cell">
                    <div className="actions">
                      {connection.type !== "http" ? (
                        <button type="button" className="button" disabled={test.isPending} aria-label={`Test ${connection.name}`} onClick={() => onTest(connection)}>
                          Test
                        </button>
                      ) : null}
                      <ConfirmButton
                        title={`Delete “${connection.name}”?`}
                        description={<p>Jobs that use it must be changed first; the server refuses otherwise.</p>}
                        confirmLabel="Delete connection"
                        onConfirm={() => onDelete(connection)}
                        disabled={remove.isPending}
                      >
                        Delete
                      </ConfirmButton>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
