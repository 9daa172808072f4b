"use client";

import { useFormContext, useWatch } from "react-hook-form";
import { ColumnListInput } from "@/components/forms/column-list-input";
import { Field } from "@/components/forms/field";
import { ConnectionPicker } from "./connection-picker";
import { destinationDefaults, destinationTypes, type DestinationType, type JobFormInput } from "./job-form-values";
import { usePreviewState } from "./preview-context";

type Mode = "replace" | "append" | "upsert";

const MODES: { value: Mode; label: string; hint: string }[] = [
  { value: "replace", label: "Replace", hint: "After each successful run the table holds exactly that run's rows." },
  { value: "append", label: "Append", hint: "Each successful run adds its rows." },
  { value: "upsert", label: "Upsert", hint: "Rows are inserted, or updated when a row with the same key exists." },
];

/** Where the rows go: the managed dataset or a table through a connection, the load mode, and upsert's key. */
export function DestinationFields({ workspaceId }: { workspaceId: string }) {
  const { register, getValues, setValue } = useFormContext<JobFormInput>();
  const type = (useWatch<JobFormInput>({ name: "destination.type" }) ?? "dataset") as DestinationType;
  const mode = (useWatch<JobFormInput>({ name: "destination.mode" }) ?? "replace") as Mode;
  const stepCount = ((useWatch<JobFormInput>({ name: "transform" }) as unknown[] | undefined) ?? []).length;
  const columns = usePreviewState()?.columnsAt(stepCount) ?? [];

  const setMode = (next: Mode) => {
    const { key: _key, ...rest } = getValues("destination") ?? destinationDefaults(type);
    setValue("destination", { ...rest, mode: next } as never, { shouldDirty: true, shouldValidate: true });
  };

  return (
    <>
      <Field name="destination.type" label="Load into">
        {(control) => (
          <select {...control} value={type} onChange={(e) => setValue("destination", destinationDefaults(e.target.value as DestinationType), { shouldDirty: true, shouldValidate: true })}>
            {destinationTypes.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {type !== "dataset" ? (
        <>
          <ConnectionPicker key={type} name="destination.connectionId" type={type} workspaceId={workspaceId} label="Connection" />
          <div className="grid">
            <Field name="destination.schema" label={type === "postgres" ? "Schema" : "Database"} hint={type === "postgres" ? "Default public" : "Default the connection's"}>
              {(control) => <input {...control} autoComplete="off" {...register("destination.schema", { setValueAs: (v) => (v === "" ? undefined : v) })} />}
            </Field>
            <Field name="destination.table" label="Table" hint="Created by the first run when missing; new columns are added">
              {(control) => <input {...control} autoComplete="off" {...register("destination.table")} />}
            </Field>
          </div>
        </>
      ) : null}
      <Field name="destination.mode" label="Mode" hint={MODES.find((m) => m.value === mode)?.hint}>
        {(control) => (
          <select {...control} value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            {MODES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {mode === "upsert" ? (
        <Field name="destination.key" label="Key columns" hint="Comma-separated columns that identify a row, e.g. id">
          {(control) => <ColumnListInput<JobFormInput> key={`${type}-key`} name="destination.key" control={control} suggestions={columns} emptyAs="undefined" />}
        </Field>
      ) : null}
    </>
  );
}
