/** Suggestions for a single-column text input (`list={id}`): typed names still work. */
export function ColumnDatalist({ id, columns }: { id: string; columns: string[] }) {
  return (
    <datalist id={id}>
      {columns.map((column) => (
        <option key={column} value={column} />
      ))}
    </datalist>
  );
}
