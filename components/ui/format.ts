/** Display helpers shared by lists and detail pages; they run on the client, in the user's locale. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  if (minutes < 60) return `${minutes} min ${rest} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "—";
}

export function formatTime(iso: string): string {
  return time.format(new Date(iso));
}

export function formatCount(n: number): string {
  return n.toLocaleString();
}

/** Elapsed time of a run that has not finished yet, or its recorded duration. */
export function runDuration(run: { startedAt: string | null; finishedAt: string | null; durationMs: number | null }, now = Date.now()) {
  if (run.durationMs !== null) return run.durationMs;
  if (run.startedAt && !run.finishedAt) return Math.max(0, now - Date.parse(run.startedAt));
  return null;
}

/** A name usable as a download's file name on every system. */
export function safeFileName(text: string): string {
  return text.replace(/[^\p{L}\p{N}._-]+/gu, "-").replace(/^-+|-+$/g, "").slice(0, 80) || "download";
}
