import { sourceSchema, transformStepSchema, type Source, type TransformStep } from "@/lib/schemas/jobs";

/** Records read for the builder's preview, and rows shown per stage. */
export const PREVIEW_SAMPLE = 200;
export const PREVIEW_ROWS = 10;

export type PreviewPlan =
  | { kind: "incomplete"; reason: string }
  | {
      kind: "ready";
      body: { workspaceId: string; source: Source; transform: TransformStep[]; sampleSize: number; rows: number };
      /** The first step left out because it does not validate yet; the steps after it wait too. */
      blockedAt: number | null;
    };

/**
 * What to preview for the builder's current values: the source when it validates, and the steps
 * up to the first one that does not (a half-typed step must not hide the preview of those before it).
 */
export function planPreview(workspaceId: string | undefined, source: unknown, transform: unknown[] | undefined): PreviewPlan {
  if (!workspaceId) return { kind: "incomplete", reason: "Choose a workspace to preview in." };
  const parsedSource = sourceSchema.safeParse(source);
  if (!parsedSource.success) return { kind: "incomplete", reason: "Complete the source to see a preview." };
  const steps: TransformStep[] = [];
  let blockedAt: number | null = null;
  for (const [index, step] of (transform ?? []).entries()) {
    const parsed = transformStepSchema.safeParse(step);
    if (!parsed.success) {
      blockedAt = index;
      break;
    }
    steps.push(parsed.data);
  }
  return {
    kind: "ready",
    body: { workspaceId, source: parsedSource.data, transform: steps, sampleSize: PREVIEW_SAMPLE, rows: PREVIEW_ROWS },
    blockedAt,
  };
}
