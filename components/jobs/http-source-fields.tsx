"use client";

import { useFormContext } from "react-hook-form";
import { asOptionalNumber, Field } from "@/components/forms/field";
import { KeyValueRows } from "@/components/forms/key-value-rows";
import type { JobFormInput } from "./job-form-values";
import { PaginationFields } from "./pagination-fields";

export function HttpSourceFields() {
  const { register } = useFormContext<JobFormInput>();
  return (
    <>
      <Field name="source.url" label="URL" hint="An http or https endpoint that answers JSON">
        {(control) => <input {...control} type="url" inputMode="url" autoComplete="off" placeholder="https://api.example.com/orders" {...register("source.url")} />}
      </Field>
      <div className="grid">
        <Field name="source.method" label="Method">
          {(control) => (
            <select {...control} {...register("source.method")}>
              <option value="GET">GET</option>
              <option value="POST">POST</option>
            </select>
          )}
        </Field>
        <Field name="source.recordsPath" label="Records path" hint="Dot path to the array of records, e.g. data.items; empty means the body itself">
          {(control) => <input {...control} placeholder="data.items" {...register("source.recordsPath")} />}
        </Field>
      </div>
      <PaginationFields />
      <KeyValueRows<JobFormInput> name="source.headers" legend="Headers" keyLabel="Header" valueLabel="Value" addLabel="Add header" />
      <KeyValueRows<JobFormInput>
        name="source.query"
        legend="Query parameters"
        keyLabel="Parameter"
        valueLabel="Value"
        addLabel="Add query parameter"
        hint="Added to every request"
      />
      <div className="grid">
        <Field name="source.maxPages" label="Maximum pages" hint="Stop after this many pages">
          {(control) => <input {...control} type="number" min={1} placeholder="1000" {...register("source.maxPages", { setValueAs: asOptionalNumber })} />}
        </Field>
        <Field name="source.timeoutMs" label="Timeout per request (ms)">
          {(control) => <input {...control} type="number" min={100} step={100} placeholder="30000" {...register("source.timeoutMs", { setValueAs: asOptionalNumber })} />}
        </Field>
      </div>
    </>
  );
}
