"use client";

import { useId, useState } from "react";
import { useFieldArray, useFormContext, useFormState } from "react-hook-form";
import { fieldErrorMessage } from "@/components/forms/field-error";
import type { JobFormInput } from "./job-form-values";
import { usePreviewState } from "./preview-context";
import { stageSummary } from "./preview-panel";
import { opLabel, stepDefaults, stepOps, type StepOp } from "./step-ops";
import { TransformStepFields } from "./transform-step-fields";

/** The ordered transform steps: add, remove, reorder with buttons, change a step's op. */
export function TransformSteps() {
  const id = useId();
  const { control } = useFormContext<JobFormInput>();
  const { fields, append, remove, move, update } = useFieldArray({ control, name: "transform" });
  const { errors } = useFormState<JobFormInput>({ name: "transform" });
  const [newOp, setNewOp] = useState<StepOp>("normalize");
  const preview = usePreviewState();
  const listError = errors.transform?.root?.message ?? errors.transform?.message;

  // Moving re-renders the list; keep keyboard focus on the button that was pressed, at its new place.
  const moveStep = (from: number, to: number, button: "up" | "down") => {
    move(from, to);
    requestAnimationFrame(() => {
      // At the top or bottom the pressed button is disabled: the other direction is the next useful one.
      const other = button === "up" ? "down" : "up";
      const candidates = [`${id}-${to}-${button}`, `${id}-${to}-${other}`].map((key) => document.getElementById(key) as HTMLButtonElement | null);
      (candidates.find((b) => b && !b.disabled) ?? document.getElementById(`${id}-${to}-legend`))?.focus();
    });
  };

  return (
    <>
      {fields.length === 0 ? <p className="muted">No steps: records are loaded as they come, nested objects as JSON.</p> : null}
      <ol className="steps">
        {fields.map((field, index) => {
          const op = field.op as StepOp;
          const stepError = fieldErrorMessage(errors, `transform.${index}.op`);
          const stage = preview?.stage(index);
          const failing = stage?.status === "error";
          return (
            <li key={field.id} className={`step${failing ? " step-failing" : ""}`}>
              <fieldset aria-describedby={stage ? `${id}-${index}-preview` : undefined}>
                <legend id={`${id}-${index}-legend`} tabIndex={-1}>
                  Step {index + 1}: {opLabel(op)}
                </legend>
                <div className="field">
                  <label htmlFor={`${id}-${index}-op`}>Operation</label>
                  <select
                    id={`${id}-${index}-op`}
                    value={op}
                    onChange={(e) => update(index, stepDefaults(e.target.value as StepOp))}
                  >
                    {stepOps.map((option) => (
                      <option key={option.value} value={option.value}>
                        {option.label}: {option.hint.toLowerCase()}
                      </option>
                    ))}
                  </select>
                  {stepError ? <p className="field-error">{stepError}</p> : null}
                </div>
                <TransformStepFields key={`${field.id}-${op}`} index={index} op={op} />
                {stage ? (
                  <p id={`${id}-${index}-preview`} className={`step-preview step-preview-${stage.status}`}>
                    <span className="visually-hidden">Preview of step {index + 1}: </span>
                    {stageSummary(stage)}
                  </p>
                ) : null}
                <div className="step-actions">
                  <button
                    type="button"
                    id={`${id}-${index}-up`}
                    className="button button-quiet"
                    disabled={index === 0}
                    aria-label={`Move step ${index + 1} up`}
                    onClick={() => moveStep(index, index - 1, "up")}
                  >
                    ↑ Up
                  </button>
                  <button
                    type="button"
                    id={`${id}-${index}-down`}
                    className="button button-quiet"
                    disabled={index === fields.length - 1}
                    aria-label={`Move step ${index + 1} down`}
                    onClick={() => moveStep(index, index + 1, "down")}
                  >
                    ↓ Down
                  </button>
                  <button
                    type="button"
                    className="button button-quiet button-danger-text"
                    aria-label={`Remove step ${index + 1}`}
                    onClick={() => remove(index)}
                  >
                    Remove
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      {listError ? <p className="field-error">{listError}</p> : null}
      <div className="add-step">
        <label htmlFor={`${id}-new-op`}>New step</label>
        <select id={`${id}-new-op`} value={newOp} onChange={(e) => setNewOp(e.target.value as StepOp)}>
          {stepOps.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}: {option.hint.toLowerCase()}
            </option>
          ))}
        </select>
        <button type="button" className="button" onClick={() => append(stepDefaults(newOp))}>
          Add step
        </button>
      </div>
    </>
  );
}
