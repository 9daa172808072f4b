"use client";

import { useFormContext, useWatch, type Path } from "react-hook-form";
import { errorMessage } from "@/components/api-client";
import { Field } from "@/components/forms/field";
import type { ConnectionType } from "@/lib/schemas/connections";
import { useConnections, useTestConnection } from "./builder-queries";
import { NewConnectionButton } from "./connection-dialog";
import type { JobFormInput } from "./job-form-values";

type Props = {
  /** The form path holding the connection id, e.g. source.connectionId. */
  name: Path<JobFormInput>;
  type: ConnectionType;
  workspaceId: string;
  label: string;
  /** Optional connections (HTTP auth) may be left at "none". */
  optional?: boolean;
  /** For http connections: the URL the test calls with the credentials. */
  testUrl?: string;
};

/** Picks one of the workspace's saved connections, creates one inline, and tests the chosen one. */
export function ConnectionPicker({ name, type, workspaceId, label, optional, testUrl }: Props) {
  const { setValue } = useFormContext<JobFormInput>();
  const value = (useWatch<JobFormInput>({ name }) as string | undefined) ?? "";
  const connections = useConnections(type, workspaceId);
  const test = useTestConnection();
  const choose = (id: string) => {
    test.reset();
    setValue(name, (id === "" && optional ? undefined : id) as never, { shouldDirty: true, shouldValidate: true });
  };
  const list = connections.data ?? [];

  return (
    <div className="connection-picker">
      <Field name={name} label={label} hint={connections.isError ? `Could not load connections: ${errorMessage(connections.error)}` : undefined}>
        {(control) => (
          <select {...control} value={value} onChange={(e) => choose(e.target.value)} disabled={connections.isPending}>
            <option value="">{connections.isPending ? "Loading…" : optional ? "None" : list.length === 0 ? "No connections yet: create one" : "Choose a connection"}</option>
            {list.map((connection) => (
              <option key={connection.id} value={connection.id}>
                {connection.name}
                {connection.type !== "http" ? ` (${connection.user}@${connection.host}/${connection.database})` : ` (${connection.auth.type})`}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="actions">
        <NewConnectionButton type={type} workspaceId={workspaceId} onCreated={(connection) => choose(connection.id)} />
        {value ? (
          <button type="button" className="button" disabled={test.isPending} onClick={() => test.mutate({ id: value, url: type === "http" ? testUrl : undefined })}>
            {test.isPending ? "Testing…" : "Test connection"}
          </button>
        ) : null}
      </div>
      <div aria-live="polite">
        {test.data ? (
          <p className={`alert ${test.data.ok ? "alert-ok" : "alert-error"}`}>
            {test.data.ok ? "Connected" : "Failed"} in {test.data.durationMs} ms: {test.data.message}
          </p>
        ) : null}
        {test.isError ? <p className="alert alert-error">Could not test: {errorMessage(test.error)}</p> : null}
      </div>
    </div>
  );
}
