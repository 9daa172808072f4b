"use client";

import { useState } from "react";
import { useController, type FieldValues, type Path } from "react-hook-form";
import type { FieldControlProps } from "./field";

type Props<T extends FieldValues> = {
  name: Path<T>;
  control: FieldControlProps;
  /** Whether an empty box is an empty list or no list at all (for optional lists). */
  emptyAs?: "list" | "undefined";
};

/** Edits a list of names as comma-separated text; the form value is the trimmed, non-blank names. */
export function CommaListInput<T extends FieldValues>({ name, control, emptyAs = "list" }: Props<T>) {
  const {
    field: { ref, value, onBlur, onChange },
  } = useController<T>({ name });
  const [text, setText] = useState(() => ((value as string[] | undefined) ?? []).join(", "));
  return (
    <input
      {...control}
      ref={ref}
      value={text}
      onBlur={onBlur}
      onChange={(e) => {
        setText(e.target.value);
        const names = e.target.value
          .split(",")
          .map((part) => part.trim())
          .filter(Boolean);
        onChange(names.length === 0 && emptyAs === "undefined" ? undefined : names);
      }}
    />
  );
}
