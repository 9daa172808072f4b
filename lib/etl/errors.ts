import type { RunStage } from "@/lib/schemas/runs";

/**
 * An error whose message is written for the user who owns the job: it names what went wrong in
 * their terms (a URL path, a column, a step) and never carries SQL, stack traces or secrets.
 */
export class EtlError extends Error {
  constructor(
    message: string,
    /** Retrying cannot help (bad definition, 4xx, type conflict): the run fails at once. */
    readonly permanent = false,
  ) {
    super(message);
    this.name = "EtlError";
  }
}

/** An error tagged with the stage it happened in, as recorded on the run. */
export class StageError extends Error {
  constructor(
    readonly stage: RunStage,
    override readonly cause: unknown,
  ) {
    super(userMessage(cause));
    this.name = "StageError";
  }

  get permanent(): boolean {
    return isPermanent(this.cause);
  }
}

/**
 * Retrying cannot help: our own errors say so themselves, and a database that refused a value
 * (SQLSTATE class 22, data exception: out of range, invalid text for the type) refuses it again.
 */
export function isPermanent(error: unknown): boolean {
  if (error instanceof EtlError) return error.permanent;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code);
}

/** The attempt ran past its time limit (RUN_TIMEOUT_MS); retried like any transient failure. */
export class RunTimeLimitError extends EtlError {
  constructor(limitMs: number) {
    super(`The run exceeded its time limit of ${formatDuration(limitMs)} and was stopped.`, false);
    this.name = "RunTimeLimitError";
  }
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 100) / 10} s`;
}

export class RunCancelledError extends Error {
  constructor() {
    super("The run was cancelled.");
    this.name = "RunCancelledError";
  }
}

/**
 * Another attempt claimed the run after this one started (this worker lost its queue lock while
 * paused or slow), or the run was ended from outside: this attempt must not record or commit anything.
 */
export class AttemptSupersededError extends Error {
  constructor() {
    super("A newer attempt took over the run.");
    this.name = "AttemptSupersededError";
  }
}

/** What a user may see of an error: our own messages verbatim, anything else reduced to its kind. */
export function userMessage(error: unknown): string {
  if (error instanceof EtlError || error instanceof StageError) return error.message;
  if (error instanceof Error && error.name === "AbortError") return "The operation was aborted (time limit or cancellation).";
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
    const cause = error instanceof Error && isCausedByRun(code) ? `: ${serverWords(error)}` : "";
    return `The database refused the load (SQLSTATE ${code})${cause}.`;
  }
  if (typeof code === "string") return `Internal error (${code}).`;
  return "Internal error.";
}

/**
 * SQLSTATE classes the run's own data or definition causes, whose messages name the value, key,
 * column or limit the user must change: cardinality (an upsert key twice in a batch), data
 * exception, integrity constraint, syntax or access rule (a column's type, a name), program limit
 * (too many columns). Two of class 42 are the deployment's, not the job's: a syntax error is in our
 * own SQL and quotes it, and a missing privilege is the database role's.
 */
const RUN_CAUSED_CLASSES = new Set(["21", "22", "23", "42", "54"]);
const DEPLOYMENT_CODES = new Set(["42601", "42501"]);

function isCausedByRun(code: string): boolean {
  return RUN_CAUSED_CLASSES.has(code.slice(0, 2)) && !DEPLOYMENT_CODES.has(code);
}

/** Longest message or detail shown: a "Failing row contains (…)" detail holds a whole row. */
const MAX_SERVER_TEXT = 500;

/** PostgreSQL's message, and its detail (the key of a unique violation, the failing row), first lines only. */
function serverWords(error: Error): string {
  const detail = (error as { detail?: unknown }).detail;
  const words = [error.message, typeof detail === "string" ? detail : ""].map((text) => firstLine(text).replace(/\.$/, "")).filter(Boolean);
  return words.join(". ");
}

function firstLine(text: string): string {
  const line = text.split("\n")[0]!.trim();
  return line.length > MAX_SERVER_TEXT ? `${line.slice(0, MAX_SERVER_TEXT)}…` : line;
}

export async function inStage<T>(stage: RunStage, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StageError || error instanceof RunCancelledError || error instanceof AttemptSupersededError) throw error;
    throw new StageError(stage, error);
  }
}
