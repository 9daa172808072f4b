"use client";

import { useState } from "react";
import { useController, type FieldValues, type Path } from "react-hook-form";
import type { FieldControlProps } from "./field";

type Props<T extends FieldValues> = {
  name: Path<T>;
  control: FieldControlProps;
  /** Column names to offer, e.g. those the preview shows at this point. */
  suggestions?: string[];
  /** Whether an empty box is an empty list or no list at all (for optional lists). */
  emptyAs?: "list" | "undefined";
  placeholder?: string;
};

const SHOWN_SUGGESTIONS = 24;

const toNames = (text: string) =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);

/**
 * Edits a list of column names as comma-separated text (the form value is the trimmed names),
 * with a button per known column not yet listed that appends it: typing works for any name,
 * picking works without knowing the names by heart.
 */
export function ColumnListInput<T extends FieldValues>({ name, control, suggestions = [], emptyAs = "list", placeholder }: Props<T>) {
  const {
    field: { ref, value, onBlur, onChange },
  } = useController<T>({ name });
  const [text, setText] = useState(() => ((value as string[] | undefined) ?? []).join(", "));
  const [showAll, setShowAll] = useState(false);
  const commit = (next: string) => {
    setText(next);
    const names = toNames(next);
    onChange(names.length === 0 && emptyAs === "undefined" ? undefined : names);
  };
  const listed = new Set(toNames(text));
  const offered = suggestions.filter((column) => !listed.has(column));
  const visible = showAll ? offered : offered.slice(0, SHOWN_SUGGESTIONS);
  return (
    <>
      <input {...control} ref={ref} value={text} onBlur={onBlur} placeholder={placeholder} autoComplete="off" onChange={(e) => commit(e.target.value)} />
      {offered.length > 0 ? (
        <div className="column-suggestions" role="group" aria-label="Add a column">
          {visible.map((column) => (
            <button
              key={column}
              type="button"
              className="chip"
              aria-label={`Add column ${column}`}
              onClick={() => commit([...toNames(text), column].join(", "))}
            >
              + {column}
            </button>
          ))}
          {offered.length > visible.length ? (
            <button type="button" className="chip chip-more" onClick={() => setShowAll(true)}>
              {offered.length - visible.length} more…
            </button>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
