type Props = {
  page: number;
  pageSize: number;
  count: number;
  hasNext: boolean;
  hasPrevious: boolean;
  onPageChange: (page: number) => void;
  /** Names what is paged, for screen readers: "jobs", "runs", "rows". */
  label: string;
};

/** Previous / next buttons with "Page 2 of 3", driven by the envelope's next and previous links. */
export function Pager({ page, pageSize, count, hasNext, hasPrevious, onPageChange, label }: Props) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  if (count <= pageSize && page === 1) return null;
  return (
    <nav className="pager" aria-label={`Pages of ${label}`}>
      <button type="button" className="button" onClick={() => onPageChange(page - 1)} disabled={!hasPrevious}>
        ← Previous
      </button>
      <span aria-live="polite">
        Page {page} of {pages}
      </span>
      <button type="button" className="button" onClick={() => onPageChange(page + 1)} disabled={!hasNext}>
        Next →
      </button>
    </nav>
  );
}
