"use client";

import { useFormContext, useWatch } from "react-hook-form";
import { asOptionalNumber, Field } from "@/components/forms/field";
import { ConnectionPicker } from "./connection-picker";
import type { JobFormInput } from "./job-form-values";

/** A SQL query over a saved PostgreSQL or MySQL connection, optionally incremental. */
export function DatabaseSourceFields({ type, workspaceId }: { type: "postgres" | "mysql"; workspaceId: string }) {
  const { register, setValue } = useFormContext<JobFormInput>();
  const incremental = useWatch<JobFormInput>({ name: "source.incremental" }) as { column: string } | undefined;
  return (
    <>
      <ConnectionPicker name="source.connectionId" type={type} workspaceId={workspaceId} label="Connection" />
      <Field name="source.query" label="Query" hint="One SELECT statement; it runs in a read-only transaction and its rows are read in batches">
        {(control) => (
          <textarea {...control} className="expression" rows={5} spellCheck={false} placeholder="SELECT id, status, total, updated_at FROM orders" {...register("source.query")} />
        )}
      </Field>
      <div className="field checkbox-field">
        <label>
          <input
            type="checkbox"
            checked={incremental !== undefined}
            onChange={(e) =>
              setValue("source.incremental", e.target.checked ? { column: "" } : undefined, { shouldDirty: true, shouldValidate: true })
            }
          />{" "}
          Incremental: read only rows newer than the last successful run
        </label>
      </div>
      {incremental !== undefined ? (
        <Field name="source.incremental.column" label="Incremental column" hint="A column of the result whose values only grow, such as updated_at or an id">
          {(control) => <input {...control} autoComplete="off" {...register("source.incremental.column")} />}
        </Field>
      ) : null}
      <Field name="source.timeoutMs" label="Timeout (ms)" hint="The query is cancelled after this long, reading its rows included">
        {(control) => <input {...control} type="number" min={1000} step={1000} {...register("source.timeoutMs", { setValueAs: asOptionalNumber })} />}
      </Field>
    </>
  );
}
