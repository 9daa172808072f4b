"use client";

import { createContext, useContext, useMemo, type ReactNode } from "react";
import { useWatch, type Control } from "react-hook-form";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import type { Preview, TableView } from "@/lib/schemas/preview";
import { usePreviewQuery } from "./builder-queries";
import type { JobFormInput } from "./job-form-values";
import { planPreview, type PreviewPlan } from "./preview-request";

/** How long the definition must stay unchanged before the preview is asked again. */
const PREVIEW_DEBOUNCE_MS = 600;

/** One stage of the preview: the source (index -1) or a step. */
export type StageView =
  | { status: "ok"; table: TableView; durationMs: number | null }
  | { status: "error"; message: string }
  | { status: "skipped" }
  | { status: "waiting"; reason: string };

type PreviewState = {
  plan: PreviewPlan;
  preview: Preview | undefined;
  loading: boolean;
  /** The request itself failed (not a failing step, which is part of a successful answer). */
  requestError: unknown;
  stage: (index: number) => StageView;
  /** Column names a step at `index` can use: the last known output before it (index = step count: after every step). */
  columnsAt: (index: number) => string[];
};

const PreviewContext = createContext<PreviewState | null>(null);

export function usePreviewState(): PreviewState | null {
  return useContext(PreviewContext);
}

function stageOf(preview: Preview | undefined, plan: PreviewPlan, index: number): StageView {
  if (plan.kind === "incomplete") return { status: "waiting", reason: plan.reason };
  if (plan.blockedAt !== null && index >= plan.blockedAt) {
    return { status: "waiting", reason: index === plan.blockedAt ? "Complete this step to preview it." : `Waiting for step ${plan.blockedAt + 1} to be complete.` };
  }
  if (!preview) return { status: "waiting", reason: "Loading the preview…" };
  if (index === -1) {
    if (preview.source) return { status: "ok", table: preview.source, durationMs: null };
    return { status: "error", message: preview.error?.message ?? "The source could not be read." };
  }
  const step = preview.steps[index];
  if (!step) return { status: "waiting", reason: "Loading the preview…" };
  if (step.status === "error") return { status: "error", message: step.error ?? "This step failed." };
  if (step.status === "skipped" || !step.output) return { status: "skipped" };
  return { status: "ok", table: step.output, durationMs: step.durationMs };
}

/**
 * Runs the builder's live preview: watches the source and steps, waits until they have stopped
 * changing, previews the part that validates, and shares each stage's columns and rows with the
 * step forms (column pickers, per-step status) and the preview panel.
 */
export function PreviewProvider({ control, workspaceId, children }: { control: Control<JobFormInput>; workspaceId: string | undefined; children: ReactNode }) {
  const [source, transform] = useWatch({ control, name: ["source", "transform"] });
  const planKey = JSON.stringify(planPreview(workspaceId, source, transform));
  const settledKey = useDebouncedValue(planKey, PREVIEW_DEBOUNCE_MS);
  const plan = useMemo(() => JSON.parse(settledKey) as PreviewPlan, [settledKey]);
  const query = usePreviewQuery(plan);
  // The last answer stays until the next one arrives, so the panel does not flicker while typing.
  const current = query.data;
  const loading = planKey !== settledKey || query.isFetching;

  const value = useMemo<PreviewState>(() => {
    const stage = (index: number) => stageOf(current, plan, index);
    const columnsAt = (index: number) => {
      for (let i = index - 1; i >= -1; i--) {
        const view = stage(i);
        if (view.status === "ok") return view.table.columns.map((c) => c.name);
      }
      return [];
    };
    return { plan, preview: current, loading, requestError: query.error, stage, columnsAt };
  }, [current, plan, loading, query.error]);

  return <PreviewContext.Provider value={value}>{children}</PreviewContext.Provider>;
}
