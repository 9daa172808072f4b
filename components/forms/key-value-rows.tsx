"use client";

import { useId, useState, type ReactNode } from "react";
import { useController, useFormState, type FieldValues, type Path } from "react-hook-form";
import { ColumnDatalist } from "./column-datalist";
import { fieldErrorMessage } from "./field-error";

type Row = { key: string; value: string };

/** What a custom value editor gets: the row's text value and how to change it. */
export type ValueControl = { id: string; value: string; onChange: (value: string) => void; onBlur: () => void; "aria-invalid": boolean };

type Props<T extends FieldValues> = {
  name: Path<T>;
  legend: string;
  keyLabel: string;
  valueLabel: string;
  addLabel: string;
  hint?: ReactNode;
  /** Names offered for the key (e.g. the columns the preview knows). */
  keySuggestions?: string[];
  /** An editor for the value instead of a text box (a type picker, an expression box). */
  renderValue?: (control: ValueControl) => ReactNode;
  /** Text to form value and back, for values that are not strings. */
  parseValue?: (text: string) => unknown;
  formatValue?: (value: unknown) => string;
  /** The value a new row starts with. */
  newValue?: string;
};

/**
 * Edits a `{key: value}` object as rows. The rows are the editing state (they may hold a blank or
 * repeated key while the user types); the form value is the object made of the non-blank keys.
 * Errors on one entry (such as a bad expression at columns.total) show on its row.
 */
export function KeyValueRows<T extends FieldValues>(props: Props<T>) {
  const { name, legend, keyLabel, valueLabel, addLabel, hint, keySuggestions, renderValue, newValue = "" } = props;
  const parse = props.parseValue ?? ((text: string) => text);
  const format = props.formatValue ?? ((value: unknown) => String(value ?? ""));
  const id = useId();
  const { field } = useController<T>({ name });
  const { errors } = useFormState<T>({ name });
  const [rows, setRows] = useState<Row[]>(() =>
    Object.entries((field.value as Record<string, unknown> | undefined) ?? {}).map(([key, value]) => ({ key, value: format(value) })),
  );
  const keys = rows.map((row) => row.key.trim());
  const rowError = (key: string) => (key ? fieldErrorMessage(errors, `${name}.${key}`) : undefined);
  const ownError = errors && fieldErrorMessage(errors, name);
  // An entry's error shows on its row; only an error about the whole object shows below.
  const error = ownError && !keys.some((key) => rowError(key) === ownError) ? ownError : undefined;

  const commit = (next: Row[]) => {
    setRows(next);
    field.onChange(Object.fromEntries(next.filter((row) => row.key.trim() !== "").map((row) => [row.key.trim(), parse(row.value)])));
  };
  const edit = (index: number, change: Partial<Row>) => commit(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const listId = keySuggestions && keySuggestions.length > 0 ? `${id}-keys` : undefined;

  return (
    <fieldset className="key-values" aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}>
      <legend>{legend}</legend>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {listId ? <ColumnDatalist id={listId} columns={keySuggestions!} /> : null}
      {rows.length > 0 ? (
        <ul className="key-value-list">
          {rows.map((row, index) => {
            const duplicate = row.key.trim() !== "" && keys.indexOf(row.key.trim()) !== index;
            const message = rowError(row.key.trim());
            const messageId = message ? `${id}-e${index}` : undefined;
            return (
              <li key={index} className="key-value-row">
                <label htmlFor={`${id}-k${index}`} className="visually-hidden">
                  {keyLabel} {index + 1}
                </label>
                <input
                  id={`${id}-k${index}`}
                  value={row.key}
                  placeholder={keyLabel}
                  list={listId}
                  autoComplete="off"
                  aria-invalid={duplicate}
                  onChange={(e) => edit(index, { key: e.target.value })}
                  onBlur={field.onBlur}
                />
                <span aria-hidden="true">→</span>
                <label htmlFor={`${id}-v${index}`} className="visually-hidden">
                  {valueLabel} {index + 1}
                </label>
                {renderValue ? (
                  renderValue({
                    id: `${id}-v${index}`,
                    value: row.value,
                    onChange: (value) => edit(index, { value }),
                    onBlur: field.onBlur,
                    "aria-invalid": Boolean(message),
                  })
                ) : (
                  <input
                    id={`${id}-v${index}`}
                    value={row.value}
                    placeholder={valueLabel}
                    aria-invalid={Boolean(message)}
                    aria-describedby={messageId}
                    onChange={(e) => edit(index, { value: e.target.value })}
                    onBlur={field.onBlur}
                  />
                )}
                <button
                  type="button"
                  className="button button-quiet"
                  aria-label={`Remove ${keyLabel.toLowerCase()} ${row.key || index + 1}`}
                  onClick={() => commit(rows.filter((_, i) => i !== index))}
                >
                  Remove
                </button>
                {duplicate ? <p className="field-error key-value-note">Repeated: the last row with this name wins.</p> : null}
                {message ? (
                  <p id={messageId} className="field-error key-value-note">
                    {message}
                  </p>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      <button type="button" className="button" onClick={() => setRows([...rows, { key: "", value: newValue }])}>
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
