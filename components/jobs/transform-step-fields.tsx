"use client";

import { useId } from "react";
import { useFieldArray, useFormContext } from "react-hook-form";
import { ColumnDatalist } from "@/components/forms/column-datalist";
import { ColumnListInput } from "@/components/forms/column-list-input";
import { asOptionalNumber, Field } from "@/components/forms/field";
import { KeyValueRows, type ValueControl } from "@/components/forms/key-value-rows";
import { columnTypes } from "@/lib/schemas/jobs";
import type { JobFormInput } from "./job-form-values";
import { usePreviewState } from "./preview-context";
import type { StepOp } from "./step-ops";

/** fillNull values: true, false and numbers are typed; "quoted" text stays text; anything else is text. */
export function parseFillValue(text: string): string | number | boolean {
  const trimmed = text.trim();
  if (trimmed === "true") return true;
  if (trimmed === "false") return false;
  if (trimmed !== "" && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (/^".*"$/s.test(trimmed)) return trimmed.slice(1, -1);
  return text;
}

export function formatFillValue(value: unknown): string {
  if (typeof value === "string" && (value === "true" || value === "false" || (value.trim() !== "" && Number.isFinite(Number(value))))) {
    return `"${value}"`;
  }
  return String(value ?? "");
}

const expressionBox = (placeholder: string) =>
  function ExpressionBox(control: ValueControl) {
    return (
      <input
        id={control.id}
        className="expression"
        value={control.value}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={control["aria-invalid"]}
        onChange={(e) => control.onChange(e.target.value)}
        onBlur={control.onBlur}
      />
    );
  };

function TypePicker(control: ValueControl) {
  return (
    <select id={control.id} value={control.value} onChange={(e) => control.onChange(e.target.value)} onBlur={control.onBlur}>
      {columnTypes.map((type) => (
        <option key={type} value={type}>
          {type}
        </option>
      ))}
    </select>
  );
}

const EXPRESSION_HINT = (
  <>
    An arquero expression over a row <code>d</code>: <code>d.amount &gt; 0</code>, <code>op.lower(d.city)</code>, <code>d.price * d.qty</code>.
  </>
);

/** The fields that fit one step's op, with the columns the preview knows at this step to pick from. */
export function TransformStepFields({ index, op }: { index: number; op: StepOp }) {
  const { register } = useFormContext<JobFormInput>();
  const columns = usePreviewState()?.columnsAt(index) ?? [];
  const listId = useId();
  const base = `transform.${index}` as const;
  const datalist = columns.length > 0 ? <ColumnDatalist id={listId} columns={columns} /> : null;
  const list = columns.length > 0 ? listId : undefined;

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
    case "explode":
      return (
        <div className="grid">
          {datalist}
          <Field name={`${base}.column`} label="Array column">
            {(control) => <input {...control} list={list} autoComplete="off" {...register(`${base}.column`)} />}
          </Field>
          <Field name={`${base}.prefix`} label="Prefix" hint="For columns made from object elements; default the column's name and a dot">
            {(control) => <input {...control} autoComplete="off" {...register(`${base}.prefix`, { setValueAs: (v) => (v === "" ? undefined : v) })} />}
          </Field>
          <div className="field checkbox-field">
            <label>
              <input type="checkbox" {...register(`${base}.keepEmpty`)} /> Keep rows whose array is empty or null
            </label>
          </div>
        </div>
      );
    case "select":
    case "drop":
      return (
        <Field name={`${base}.columns`} label="Columns" hint="Comma-separated, e.g. id, customer.name">
          {(control) => <ColumnListInput<JobFormInput> name={`${base}.columns`} control={control} suggestions={columns} />}
        </Field>
      );
    case "dedupe":
      return (
        <Field name={`${base}.columns`} label="Compare columns" hint="Empty: rows must match in every column">
          {(control) => <ColumnListInput<JobFormInput> name={`${base}.columns`} control={control} suggestions={columns} emptyAs="undefined" />}
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
          keySuggestions={columns}
        />
      );
    case "filter":
      return (
        <Field name={`${base}.expr`} label="Keep rows where" hint={EXPRESSION_HINT}>
          {(control) => <textarea {...control} className="expression" rows={2} spellCheck={false} placeholder="d => d.amount > 0" {...register(`${base}.expr`)} />}
        </Field>
      );
    case "derive":
      return (
        <KeyValueRows<JobFormInput>
          name={`${base}.columns`}
          legend="Columns to compute"
          keyLabel="Column"
          valueLabel="Expression"
          addLabel="Add a computed column"
          hint={<>Computed in this order; a name that exists replaces that column. {EXPRESSION_HINT}</>}
          keySuggestions={columns}
          renderValue={expressionBox("d => d.total * 1.2")}
        />
      );
    case "cast":
      return (
        <KeyValueRows<JobFormInput>
          name={`${base}.columns`}
          legend="Columns to convert"
          keyLabel="Column"
          valueLabel="Type"
          addLabel="Add a column to convert"
          keySuggestions={columns}
          renderValue={TypePicker}
          newValue="string"
        />
      );
    case "fillNull":
      return (
        <KeyValueRows<JobFormInput>
          name={`${base}.values`}
          legend="Values for nulls"
          keyLabel="Column"
          valueLabel="Value"
          addLabel="Add a column to fill"
          hint='Numbers, true and false are typed; put text that looks like one in quotes, e.g. "0".'
          keySuggestions={columns}
          parseValue={parseFillValue}
          formatValue={formatFillValue}
        />
      );
    case "sort":
      return <SortFields index={index} columns={columns} />;
    case "limit":
      return (
        <Field name={`${base}.count`} label="Rows to keep">
          {(control) => <input {...control} type="number" min={0} {...register(`${base}.count`, { setValueAs: asOptionalNumber })} />}
        </Field>
      );
    case "aggregate":
      return (
        <>
          <Field name={`${base}.groupBy`} label="Group by" hint="Empty: one row for the whole table">
            {(control) => <ColumnListInput<JobFormInput> name={`${base}.groupBy`} control={control} suggestions={columns} />}
          </Field>
          <KeyValueRows<JobFormInput>
            name={`${base}.metrics`}
            legend="Metrics"
            keyLabel="Metric"
            valueLabel="Aggregate expression"
            addLabel="Add a metric"
            hint={
              <>
                For example <code>op.sum(d.amount)</code>, <code>op.count()</code>, <code>op.mean(d.price)</code>, <code>op.distinct(d.id)</code>.
              </>
            }
            renderValue={expressionBox("op.sum(d.amount)")}
          />
        </>
      );
  }
}

/** The sort keys: a column and a direction each, in order of precedence. */
function SortFields({ index, columns }: { index: number; columns: string[] }) {
  const { control, register } = useFormContext<JobFormInput>();
  const { fields, append, remove } = useFieldArray({ control, name: `transform.${index}.by` as never });
  const listId = useId();
  return (
    <fieldset className="key-values">
      <legend>Sort by</legend>
      {columns.length > 0 ? <ColumnDatalist id={listId} columns={columns} /> : null}
      <ol className="key-value-list">
        {fields.map((field, position) => (
          <li key={field.id} className="sort-row">
            <Field name={`transform.${index}.by.${position}.column`} label={`Sort column ${position + 1}`}>
              {(control) => (
                <input {...control} list={columns.length > 0 ? listId : undefined} autoComplete="off" {...register(`transform.${index}.by.${position}.column`)} />
              )}
            </Field>
            <label className="checkbox-label">
              <input type="checkbox" {...register(`transform.${index}.by.${position}.desc`)} /> Descending
            </label>
            <button
              type="button"
              className="button button-quiet"
              aria-label={`Remove sort column ${position + 1}`}
              disabled={fields.length === 1}
              onClick={() => remove(position)}
            >
              Remove
            </button>
          </li>
        ))}
      </ol>
      <button type="button" className="button" onClick={() => append({ column: "", desc: false } as never)}>
        Add a sort column
      </button>
    </fieldset>
  );
}
