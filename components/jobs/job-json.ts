import { jobCreateSchema, type Job } from "@/lib/schemas/jobs";
import type { JobFormInput } from "./job-form-values";

/** The fields a job file carries: the definition as the API takes it, without ids, times or a workspace. */
const DEFINITION_KEYS = Object.keys(jobCreateSchema.shape).filter((key) => key !== "workspaceId");

/** A job as a file for version control ("jobs as code"): what POST /api/v1/jobs takes, nothing more. */
export function exportJob(values: Partial<JobFormInput> | Job): string {
  const picked = Object.fromEntries(DEFINITION_KEYS.filter((key) => key in values).map((key) => [key, (values as Record<string, unknown>)[key]]));
  if (picked.description === "") picked.description = null;
  return `${JSON.stringify(picked, null, 2)}\n`;
}

export type ImportResult = { ok: true; values: JobFormInput } | { ok: false; problems: { path: string; message: string }[] };

/**
 * Reads a job file or pasted JSON: an exported job, or a GET /api/v1/jobs/{id} answer (its ids,
 * times and last run are ignored; the workspace stays the one being edited in), checked with the
 * same schema the API uses.
 */
export function importJob(text: string): ImportResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ path: "", message: `not valid JSON: ${(error as Error).message}` }] };
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    return { ok: false, problems: [{ path: "", message: "expected a JSON object with name, source, transform and destination" }] };
  }
  const picked = Object.fromEntries(Object.entries(data).filter(([key]) => DEFINITION_KEYS.includes(key)));
  const parsed = jobCreateSchema.safeParse(picked);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })) };
  }
  return { ok: true, values: { ...parsed.data, description: parsed.data.description ?? "" } as JobFormInput };
}
