"use client";

import { parseJobSort, type JobSort, type JobSortField } from "@/lib/schemas/job-list";

type Props = {
  field: JobSortField;
  label: string;
  sort: JobSort;
  /** The direction of the first click: the one people want first (newest first for times). */
  descendingFirst?: boolean;
  onSort: (sort: JobSort) => void;
};

/** A jobs table column header that orders the list by its field; clicking it again reverses the order. */
export function JobSortHeader({ field, label, sort, descendingFirst = false, onSort }: Props) {
  const current = parseJobSort(sort);
  const active = current.field === field;
  const nextDescending = active ? !current.desc : descendingFirst;
  return (
    <th scope="col" aria-sort={active ? (current.desc ? "descending" : "ascending") : "none"}>
      <button type="button" className="sort-button" onClick={() => onSort(nextDescending ? `-${field}` : field)}>
        <span className="column-name">{label}</span>
        <span className="sort-indicator" aria-hidden="true">
          {active ? (current.desc ? "▼" : "▲") : "↕"}
        </span>
      </button>
    </th>
  );
}
