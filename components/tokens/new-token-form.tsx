"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { errorMessage } from "@/components/api-client";
import { tokenCreateSchema } from "@/lib/schemas/auth";
import type { CreatedToken } from "./token-queries";
import { useCreateToken } from "./token-queries";

// The API takes an expiry instant; people pick a lifetime. Everything else is the API's schema.
const formSchema = tokenCreateSchema.pick({ name: true, roleCap: true }).extend({
  expiresInDays: z.enum(["never", "7", "30", "90", "365"]),
});
type Values = z.input<typeof formSchema>;

const LIFETIMES: { value: Values["expiresInDays"]; label: string }[] = [
  { value: "never", label: "Never" },
  { value: "7", label: "In 7 days" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "365", label: "In a year" },
];

function expiryAfter(days: Values["expiresInDays"]): string | null {
  return days === "never" ? null : new Date(Date.now() + Number(days) * 86_400_000).toISOString();
}

export function NewTokenForm({ onCreated }: { onCreated: (token: CreatedToken) => void }) {
  const create = useCreateToken();
  const { register, handleSubmit, reset, formState } = useForm<Values, unknown, z.output<typeof formSchema>>({
    resolver: zodResolver(formSchema),
    defaultValues: { name: "", roleCap: null, expiresInDays: "never" },
  });
  const error = formState.errors.name;
  const nameError = error?.type === "too_small" ? "Give the token a name." : error?.message;

  const onSubmit = handleSubmit(async ({ name, roleCap, expiresInDays }) => {
    const token = await create.mutateAsync({ name, roleCap: roleCap || null, expiresAt: expiryAfter(expiresInDays) }).catch(() => undefined);
    if (token) {
      reset();
      onCreated(token);
    }
  });

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <div className={`field${nameError ? " field-invalid" : ""}`}>
        <label htmlFor="token-name">Token name</label>
        <input
          id="token-name"
          placeholder="e.g. CI pipeline"
          autoComplete="off"
          aria-invalid={Boolean(nameError)}
          aria-describedby={nameError ? "token-name-error" : "token-name-hint"}
          {...register("name")}
        />
        <p id="token-name-hint" className="hint">
          Says where the token is used, so you know which one to revoke.
        </p>
        {nameError ? (
          <p id="token-name-error" className="field-error">
            {nameError}
          </p>
        ) : null}
      </div>
      <div className="grid">
        <div className="field">
          <label htmlFor="token-role-cap">Acts as</label>
          <select id="token-role-cap" {...register("roleCap", { setValueAs: (v) => (v === "" ? null : v) })}>
            <option value="">My role in each workspace</option>
            <option value="editor">At most editor</option>
            <option value="viewer">Viewer: read only</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="token-expires">Expires</label>
          <select id="token-expires" {...register("expiresInDays")}>
            {LIFETIMES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create token"}
        </button>
      </div>
      <div role="alert">{create.isError ? <p className="alert alert-error">Could not create the token: {errorMessage(create.error)}</p> : null}</div>
    </form>
  );
}
