/** One result value: null marked as such, JSON values as compact JSON, the rest as text. */
export function CellValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="null">null</span>;
  if (typeof value === "object") return <code className="json">{JSON.stringify(value)}</code>;
  return <>{String(value)}</>;
}
