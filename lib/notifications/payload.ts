import { createHmac, timingSafeEqual } from "node:crypto";
import type { Run } from "@/lib/schemas/runs";

export type NotifyEvent = "success" | "failure";

export function eventOf(status: Run["status"]): NotifyEvent | null {
  if (status === "success") return "success";
  if (status === "failed") return "failure";
  return null;
}

/** The JSON a webhook receives: what happened, to which job, and the run as GET /api/v1/runs/{id} shows it. */
export function deliveryBody(event: NotifyEvent, job: { id: string; name: string }, run: Run): string {
  return JSON.stringify({ event: `run.${event}`, job, run });
}

/**
 * The signature header's value: HMAC-SHA256 over "<timestamp>.<body>" with the shared secret,
 * hex-encoded. Signing the timestamp too lets a receiver refuse replays of old deliveries.
 */
export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What a receiver does (and the tests): recompute and compare in constant time. */
export function verifySignature(secret: string, timestamp: number, body: string, header: string): boolean {
  const expected = Buffer.from(signature(secret, timestamp, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
