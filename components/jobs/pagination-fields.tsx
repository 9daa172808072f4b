"use client";

import { useFormContext, useWatch } from "react-hook-form";
import { asOptionalNumber, Field } from "@/components/forms/field";
import { paginationDefaults, paginationTypes, type JobFormInput, type PaginationType } from "./job-form-values";

/** The pagination style and the parameters that style needs; switching style starts from its defaults. */
export function PaginationFields() {
  const { register, setValue } = useFormContext<JobFormInput>();
  const type: PaginationType = useWatch<JobFormInput>({ name: "source.pagination.type" }) as PaginationType;

  return (
    <fieldset className="subsection">
      <legend>Pagination</legend>
      <Field name="source.pagination.type" label="Pagination style">
        {(control) => (
          <select
            {...control}
            value={type}
            onChange={(e) =>
              setValue("source.pagination", paginationDefaults(e.target.value as PaginationType), {
                shouldDirty: true,
                shouldValidate: true,
              })
            }
          >
            {paginationTypes.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        )}
      </Field>

      {type === "page" ? (
        <div className="grid">
          <Field name="source.pagination.pageParam" label="Page parameter">
            {(control) => <input {...control} {...register("source.pagination.pageParam")} />}
          </Field>
          <Field name="source.pagination.sizeParam" label="Page size parameter">
            {(control) => <input {...control} {...register("source.pagination.sizeParam")} />}
          </Field>
          <Field name="source.pagination.pageSize" label="Page size">
            {(control) => <input {...control} type="number" min={1} {...register("source.pagination.pageSize", { setValueAs: asOptionalNumber })} />}
          </Field>
          <Field name="source.pagination.startPage" label="First page number">
            {(control) => <input {...control} type="number" min={0} {...register("source.pagination.startPage", { setValueAs: asOptionalNumber })} />}
          </Field>
        </div>
      ) : null}

      {type === "offset" ? (
        <div className="grid">
          <Field name="source.pagination.offsetParam" label="Offset parameter">
            {(control) => <input {...control} {...register("source.pagination.offsetParam")} />}
          </Field>
          <Field name="source.pagination.limitParam" label="Limit parameter">
            {(control) => <input {...control} {...register("source.pagination.limitParam")} />}
          </Field>
          <Field name="source.pagination.limit" label="Limit">
            {(control) => <input {...control} type="number" min={1} {...register("source.pagination.limit", { setValueAs: asOptionalNumber })} />}
          </Field>
        </div>
      ) : null}

      {type === "cursor" ? (
        <div className="grid">
          <Field name="source.pagination.cursorParam" label="Cursor parameter">
            {(control) => <input {...control} {...register("source.pagination.cursorParam")} />}
          </Field>
          <Field name="source.pagination.cursorPath" label="Cursor path" hint="Dot path to the next cursor in the body, e.g. meta.next_cursor">
            {(control) => <input {...control} {...register("source.pagination.cursorPath")} />}
          </Field>
        </div>
      ) : null}

      {type === "next_url" ? (
        <Field name="source.pagination.nextUrlPath" label="Next URL path" hint="Dot path to the next page's URL in the body, e.g. links.next">
          {(control) => <input {...control} {...register("source.pagination.nextUrlPath")} />}
        </Field>
      ) : null}

      {type === "link_header" ? <p className="hint">Follows the rel=&quot;next&quot; link of each response&apos;s Link header.</p> : null}
    </fieldset>
  );
}
