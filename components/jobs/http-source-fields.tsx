"use client";

import { useState } from "react";
import { useController, useFormContext, useWatch } from "react-hook-form";
import { asOptionalNumber, Field, type FieldControlProps } from "@/components/forms/field";
import { KeyValueRows } from "@/components/forms/key-value-rows";
import { ConnectionPicker } from "./connection-picker";
import type { JobFormInput } from "./job-form-values";
import { PaginationFields } from "./pagination-fields";

/** The body of a POST as JSON text; the form value is the parsed JSON (text that does not parse stays text, and the schema says why). */
const bodyText = (value: unknown) => (value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value, null, 2));
const parseBody = (text: string) => {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

function BodyInput({ control }: { control: FieldControlProps }) {
  const {
    field: { ref, value, onBlur, onChange },
  } = useController<JobFormInput>({ name: "source.body" });
  const [text, setText] = useState(() => bodyText(value));
  return (
    <textarea
      {...control}
      ref={ref}
      className="expression"
      rows={4}
      spellCheck={false}
      value={text}
      onBlur={onBlur}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseBody(e.target.value));
      }}
    />
  );
}

export function HttpSourceFields({ workspaceId }: { workspaceId: string }) {
  const { register } = useFormContext<JobFormInput>();
  const method = useWatch<JobFormInput>({ name: "source.method" });
  const url = useWatch<JobFormInput>({ name: "source.url" }) as string | undefined;
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
      {method === "POST" ? (
        <Field name="source.body" label="Request body (JSON)" hint="Sent with every POST">
          {(control) => <BodyInput control={control} />}
        </Field>
      ) : null}
      <ConnectionPicker name="source.connectionId" type="http" workspaceId={workspaceId} label="Credentials" optional testUrl={url} />
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
