"use client";

import { useFormContext, useWatch } from "react-hook-form";
import { asOptionalNumber, Field } from "@/components/forms/field";
import { fieldErrorMessage } from "@/components/forms/field-error";
import { nextRunTimes, scheduleSchema, type Schedule } from "@/lib/schemas/run-control";
import type { JobFormInput } from "./job-form-values";

const PRESETS = [
  { cron: "*/15 * * * *", label: "Every 15 minutes" },
  { cron: "0 * * * *", label: "Every hour" },
  { cron: "0 6 * * *", label: "Every day at 06:00" },
  { cron: "0 6 * * MON-FRI", label: "Weekdays at 06:00" },
];

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** The next times a valid schedule fires, in the reader's locale; nothing while it does not validate. */
function NextRuns({ schedule }: { schedule: unknown }) {
  const parsed = scheduleSchema.safeParse(schedule);
  if (!parsed.success) return null;
  const times = nextRunTimes(parsed.data as Schedule, 3);
  return (
    <p className="hint" aria-live="polite">
      Next runs: {times.map((time) => time.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })).join(" · ")}
    </p>
  );
}

/** When runs start (a cron schedule or on demand), what happens when they would overlap, retries and the webhook. */
export function ScheduleFields() {
  const { register, setValue, formState } = useFormContext<JobFormInput>();
  const schedule = useWatch<JobFormInput>({ name: "schedule" }) as { cron: string; timezone?: string } | null | undefined;
  const notify = useWatch<JobFormInput>({ name: "notify" }) as { webhookUrl: string; on?: string[] } | null | undefined;
  const events = notify?.on ?? ["success", "failure"];
  const notifyError = fieldErrorMessage(formState.errors, "notify.on");
  const toggleEvent = (event: "success" | "failure", on: boolean) => {
    const next = on ? [...new Set([...events, event])] : events.filter((e) => e !== event);
    setValue("notify.on", next as never, { shouldDirty: true, shouldValidate: true });
  };

  return (
    <>
      <fieldset className="subsection">
        <legend>Schedule</legend>
        <div className="field checkbox-field">
          <label>
            <input
              type="checkbox"
              checked={Boolean(schedule)}
              onChange={(e) =>
                setValue("schedule", e.target.checked ? { cron: "0 6 * * *", timezone: browserZone() } : null, { shouldDirty: true, shouldValidate: true })
              }
            />{" "}
            Run on a schedule
          </label>
          {!schedule ? <p className="hint">Off: runs start with “Run now” or through the API.</p> : null}
        </div>
        {schedule ? (
          <>
            <div className="grid">
              <Field name="schedule.cron" label="Cron expression" hint="minute hour day-of-month month day-of-week">
                {(control) => <input {...control} className="expression" autoComplete="off" {...register("schedule.cron")} />}
              </Field>
              <Field name="schedule.timezone" label="Time zone" hint="IANA name, e.g. UTC or Europe/Vienna">
                {(control) => <input {...control} autoComplete="off" {...register("schedule.timezone")} />}
              </Field>
            </div>
            <div className="actions" role="group" aria-label="Common schedules">
              {PRESETS.map((preset) => (
                <button key={preset.cron} type="button" className="chip" onClick={() => setValue("schedule.cron", preset.cron, { shouldDirty: true, shouldValidate: true })}>
                  {preset.label}
                </button>
              ))}
            </div>
            <NextRuns schedule={schedule} />
          </>
        ) : null}
        <Field name="overlap" label="When a run is still going" hint="What a new trigger does while a run of this job is pending or running">
          {(control) => (
            <select {...control} {...register("overlap")}>
              <option value="queue">Queue the new run after it</option>
              <option value="skip">Skip the new run</option>
            </select>
          )}
        </Field>
      </fieldset>

      <fieldset className="subsection">
        <legend>Retries</legend>
        <div className="grid">
          <Field name="retry.attempts" label="Attempts" hint="Total attempts, the first included">
            {(control) => <input {...control} type="number" min={1} max={20} {...register("retry.attempts", { setValueAs: asOptionalNumber })} />}
          </Field>
          <Field name="retry.backoffSeconds" label="Backoff (seconds)" hint="Base of the exponential backoff">
            {(control) => <input {...control} type="number" min={1} {...register("retry.backoffSeconds", { setValueAs: asOptionalNumber })} />}
          </Field>
        </div>
      </fieldset>

      <fieldset className="subsection">
        <legend>Notifications</legend>
        <div className="field checkbox-field">
          <label>
            <input
              type="checkbox"
              checked={Boolean(notify)}
              onChange={(e) => setValue("notify", e.target.checked ? { webhookUrl: "", on: ["success", "failure"] } : null, { shouldDirty: true, shouldValidate: true })}
            />{" "}
            Call a webhook when a run ends
          </label>
        </div>
        {notify ? (
          <>
            <Field name="notify.webhookUrl" label="Webhook URL" hint="Receives a signed JSON POST with the run">
              {(control) => <input {...control} type="url" autoComplete="off" {...register("notify.webhookUrl")} />}
            </Field>
            <fieldset className="inline-choices">
              <legend>Notify on</legend>
              {(["success", "failure"] as const).map((event) => (
                <label key={event} className="checkbox-label">
                  <input type="checkbox" checked={events.includes(event)} onChange={(e) => toggleEvent(event, e.target.checked)} /> {event}
                </label>
              ))}
              {notifyError ? <p className="field-error">{notifyError}</p> : null}
            </fieldset>
          </>
        ) : null}
      </fieldset>
    </>
  );
}
