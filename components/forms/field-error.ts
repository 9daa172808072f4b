import { get, type FieldErrors, type FieldValues } from "react-hook-form";

/**
 * The message to show beside a field: its own error, or the first one nested below it (an error
 * on `source.headers.X-Key` belongs to the headers editor, which has no input of that name).
 */
export function fieldErrorMessage<T extends FieldValues>(errors: FieldErrors<T>, name: string): string | undefined {
  return firstMessage(get(errors, name));
}

function firstMessage(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== "object" || depth > 5) return undefined;
  const message = (error as { message?: unknown }).message;
  if (typeof message === "string" && message) return message;
  for (const [key, value] of Object.entries(error)) {
    if (key === "ref" || key === "type" || key === "types") continue;
    const nested = firstMessage(value, depth + 1);
    if (nested) return nested;
  }
  return undefined;
}
