"use client";

import { useState } from "react";
import { errorMessage } from "@/components/api-client";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { formatDateTime } from "@/components/ui/format";
import { QueryError } from "@/components/ui/query-error";
import { CreatedToken } from "./created-token";
import { NewTokenForm } from "./new-token-form";
import { type CreatedToken as Token, useRevokeToken, useTokens } from "./token-queries";

/** The user's own API tokens: create (shown once), list, revoke. */
export function TokenManager() {
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const [created, setCreated] = useState<Token | null>(null);

  return (
    <>
      <div className="page-header">
        <h1>API tokens</h1>
      </div>
      <p className="muted">Personal tokens act as you in the REST API. They are stored hashed and cannot be shown again.</p>

      {created ? <CreatedToken token={created} onDone={() => setCreated(null)} /> : null}

      <section aria-labelledby="new-token-heading" className="card">
        <h2 id="new-token-heading">New token</h2>
        <NewTokenForm onCreated={setCreated} />
      </section>

      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Your tokens</h2>
        <div role="alert">{revoke.isError ? <p className="alert alert-error">Could not revoke: {errorMessage(revoke.error)}</p> : null}</div>
        {tokens.isError ? (
          <QueryError error={tokens.error} what="tokens" onRetry={() => tokens.refetch()} />
        ) : !tokens.data ? (
          <p className="muted">Loading tokens…</p>
        ) : tokens.data.results.length === 0 ? (
          <p className="empty">No tokens yet.</p>
        ) : (
          <div className="table-wrap" tabIndex={0} role="region" aria-label="API tokens, scrollable">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Starts with</th>
                  <th scope="col">Acts as</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.results.map((token) => (
                  <tr key={token.id}>
                    <td>{token.name}</td>
                    <td>
                      <code>{token.prefix}…</code>
                    </td>
                    <td>{token.roleCap ? `at most ${token.roleCap}` : "your role"}</td>
                    <td>{formatDateTime(token.createdAt)}</td>
                    <td>{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : "never"}</td>
                    <td>{token.expiresAt ? formatDateTime(token.expiresAt) : "never"}</td>
                    <td className="actions-cell">
                      <ConfirmButton
                        className="button button-danger-text"
                        title={`Revoke “${token.name}”?`}
                        description={<p>Programs using this token stop working at once.</p>}
                        confirmLabel="Revoke token"
                        onConfirm={() => revoke.mutate(token.id)}
                      >
                        Revoke<span className="visually-hidden"> {token.name}</span>
                      </ConfirmButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
