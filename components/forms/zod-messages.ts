import { useEffect } from "react";
import { z } from "zod";

type Issue = Parameters<NonNullable<z.core.$ZodConfig["customError"]>>[0];

/**
 * Messages for the browser's forms, worded for people typing rather than for API clients. Only
 * issues without a message of their own in lib/schemas get one here; the rest keep zod's.
 */
export function formMessage(issue: Issue): string | undefined {
  switch (issue.code) {
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "string") return min <= 1 ? "required" : `at least ${min} characters`;
      if (issue.origin === "array") return min <= 1 ? "name at least one" : `name at least ${min}`;
      if (issue.origin === "number" || issue.origin === "int") return `must be ${min} or more`;
      return undefined;
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "string") return `at most ${max} characters`;
      if (issue.origin === "array") return `at most ${max} items`;
      if (issue.origin === "number" || issue.origin === "int") return `must be ${max} or less`;
      return undefined;
    }
    case "invalid_type":
      if (issue.expected === "number" || issue.expected === "int") return "enter a whole number";
      return undefined;
    case "invalid_format":
      if (issue.format === "email") return "enter an email address";
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Installs formMessage as zod's default messages, in the browser only: on the server the same
 * zod instance may also answer API requests, whose messages must not change.
 */
export function useFormMessages(): void {
  useEffect(() => {
    z.config({ customError: formMessage });
  }, []);
}
