"use client";

import { useId, useState } from "react";
import { useController, useFormState, type FieldValues, type Path } from "react-hook-form";
import { fieldErrorMessage } from "./field-error";

type Row = { key: string; value: string };

type Props<T extends FieldValues> = {
  name: Path<T>;
  legend: string;
  keyLabel: string;
  valueLabel: string;
  addLabel: string;
  hint?: string;
};

/**
 * Edits a `{key: value}` object as rows. The rows are the editing state (they may hold a blank or
 * repeated key while the user types); the form value is the object made of the non-blank keys.
 */
export function KeyValueRows<T extends FieldValues>({ name, legend, keyLabel, valueLabel, addLabel, hint }: Props<T>) {
  const id = useId();
  const { field } = useController<T>({ name });
  const { errors } = useFormState<T>({ name });
  const [rows, setRows] = useState<Row[]>(() =>
    Object.entries((field.value as Record<string, string> | undefined) ?? {}).map(([key, value]) => ({ key, value })),
  );
  const error = fieldErrorMessage(errors, name);

  const commit = (next: Row[]) => {
    setRows(next);
    field.onChange(Object.fromEntries(next.filter((row) => row.key.trim() !== "").map((row) => [row.key.trim(), row.value])));
  };
  const edit = (index: number, change: Partial<Row>) => commit(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const keys = rows.map((row) => row.key.trim());

  return (
    <fieldset className="key-values" aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}>
      <legend>{legend}</legend>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {rows.length > 0 ? (
        <ul className="key-value-list">
          {rows.map((row, index) => {
            const duplicate = row.key.trim() !== "" && keys.indexOf(row.key.trim()) !== index;
            return (
              <li key={index} className="key-value-row">
                <label htmlFor={`${id}-k${index}`} className="visually-hidden">
                  {keyLabel} {index + 1}
                </label>
                <input
                  id={`${id}-k${index}`}
                  value={row.key}
                  placeholder={keyLabel}
                  aria-invalid={duplicate}
                  onChange={(e) => edit(index, { key: e.target.value })}
                  onBlur={field.onBlur}
                />
                <span aria-hidden="true">→</span>
                <label htmlFor={`${id}-v${index}`} className="visually-hidden">
                  {valueLabel} {index + 1}
                </label>
                <input
                  id={`${id}-v${index}`}
                  value={row.value}
                  placeholder={valueLabel}
                  onChange={(e) => edit(index, { value: e.target.value })}
                  onBlur={field.onBlur}
                />
                <button
                  type="button"
                  className="button button-quiet"
                  aria-label={`Remove ${keyLabel.toLowerCase()} ${row.key || index + 1}`}
                  onClick={() => commit(rows.filter((_, i) => i !== index))}
                >
                  Remove
                </button>
                {duplicate ? <p className="field-error key-value-note">Repeated: the last row with this name wins.</p> : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      <button type="button" className="button" onClick={() => setRows([...rows, { key: "", value: "" }])}>
        {addLabel}
      </button>
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
