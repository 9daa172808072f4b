"use client";

import { useEffect, useRef, useState } from "react";
import type { CreatedToken as Token } from "./token-queries";

/** The new token, shown once, selected and ready to copy. */
export function CreatedToken({ token, onDone }: { token: Token; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied(true);
    } catch {
      input.current?.select();
    }
  };

  return (
    <div className="card created-token" role="status">
      <h2>Token “{token.name}” created</h2>
      <p>Copy it now: it is shown only once. Send it as <code>Authorization: Bearer &lt;token&gt;</code>.</p>
      <div className="copy-field">
        <label htmlFor="created-token" className="visually-hidden">
          New API token
        </label>
        <input id="created-token" ref={input} readOnly value={token.token} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="button" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <button type="button" className="button button-quiet" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
