"use client";

import { useId, type ReactNode } from "react";
import { useFormState, type FieldValues } from "react-hook-form";
import { fieldErrorMessage } from "./field-error";

/** The attributes that tie an input to its label, hint and error. */
export type FieldControlProps = { id: string; "aria-invalid": boolean; "aria-describedby"?: string };

type Props = {
  /** The form path whose error shows here, e.g. "source.url". */
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  className?: string;
  children: (control: FieldControlProps) => ReactNode;
};

/**
 * A labelled form control with its hint and its error, which updates as the user types. The error
 * is linked with aria-describedby so screen readers read it with the field.
 */
export function Field<T extends FieldValues>({ name, label, hint, className, children }: Props) {
  const id = useId();
  const { errors } = useFormState<T>({ name: name as never });
  const error = fieldErrorMessage(errors, name);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " field-invalid" : ""}${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": describedBy })}
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Number inputs: an empty box means "use the default" rather than NaN. */
export const asOptionalNumber = (value: unknown) => (value === "" || value === null || value === undefined ? undefined : Number(value));
