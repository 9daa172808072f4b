"use client";

import { useFormContext } from "react-hook-form";
import { CommaListInput } from "@/components/forms/comma-list-input";
import { asOptionalNumber, Field } from "@/components/forms/field";
import { KeyValueRows } from "@/components/forms/key-value-rows";
import type { JobFormInput, StepOp } from "./job-form-values";

/** The fields that fit one step's op; steps the builder cannot edit yet are shown and kept as they are. */
export function TransformStepFields({ index, op }: { index: number; op: StepOp }) {
  const { register, getValues } = useFormContext<JobFormInput>();
  const base = `transform.${index}` as const;
  switch (op) {
    case "normalize":
      return (
        <div className="grid">
          <Field name={`${base}.sep`} label="Separator" hint='Joins nested keys: address.city with "."'>
            {(control) => <input {...control} size={5} {...register(`${base}.sep`)} />}
          </Field>
          <Field name={`${base}.maxLevel`} label="Maximum depth" hint="Empty: flatten every level">
            {(control) => <input {...control} type="number" min={0} {...register(`${base}.maxLevel`, { setValueAs: asOptionalNumber })} />}
          </Field>
        </div>
      );
    case "select":
    case "drop":
      return (
        <Field name={`${base}.columns`} label="Columns" hint="Comma-separated, e.g. id, customer.name">
          {(control) => <CommaListInput<JobFormInput> name={`${base}.columns`} control={control} />}
        </Field>
      );
    case "rename":
      return (
        <KeyValueRows<JobFormInput>
          name={`${base}.columns`}
          legend="Columns to rename"
          keyLabel="Old name"
          valueLabel="New name"
          addLabel="Add a column to rename"
        />
      );
    default: {
      const { op: _op, ...settings } = getValues(base) ?? {};
      return (
        <p className="hint">
          Kept as saved: <code>{JSON.stringify(settings)}</code>. This step is edited through the REST API for now.
        </p>
      );
    }
  }
}
