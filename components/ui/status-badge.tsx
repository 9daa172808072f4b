import type { RunStatus } from "@/lib/schemas/runs";

const LABELS: Record<RunStatus, string> = {
  pending: "Pending",
  running: "Running",
  success: "Success",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** A run status as a coloured badge; the word itself carries the meaning, the colour only helps. */
export function StatusBadge({ status }: { status: string }) {
  const known = status in LABELS ? (status as RunStatus) : undefined;
  return (
    <span className={`badge badge-${known ?? "unknown"}`} data-status={status}>
      {known ? LABELS[known] : status}
    </span>
  );
}
