"use client";

import { useFormContext, useWatch } from "react-hook-form";
import { CommaListInput } from "@/components/forms/comma-list-input";
import { Field } from "@/components/forms/field";
import type { JobFormInput } from "./job-form-values";

type Mode = "replace" | "append" | "upsert";

const MODES: { value: Mode; label: string; hint: string }[] = [
  { value: "replace", label: "Replace", hint: "After each successful run the dataset holds exactly that run's rows." },
  { value: "append", label: "Append", hint: "Each successful run adds its rows." },
  { value: "upsert", label: "Upsert", hint: "Rows are inserted, or updated when a row with the same key exists." },
];

/** The dataset's load mode; upsert also needs the key columns, which the other modes must not have. */
export function DestinationFields() {
  const { setValue } = useFormContext<JobFormInput>();
  const mode = (useWatch<JobFormInput>({ name: "destination.mode" }) ?? "replace") as Mode;
  return (
    <>
      <Field name="destination.mode" label="Mode" hint={MODES.find((m) => m.value === mode)?.hint}>
        {(control) => (
          <select
            {...control}
            value={mode}
            onChange={(e) => {
              const next = e.target.value as Mode;
              setValue("destination", { type: "dataset", mode: next }, {
                shouldDirty: true,
                shouldValidate: true,
              });
            }}
          >
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
          {(control) => <CommaListInput<JobFormInput> name="destination.key" control={control} emptyAs="undefined" />}
        </Field>
      ) : null}
    </>
  );
}
