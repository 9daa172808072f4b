/**
 * Security headers for every response, set by proxy.ts. Pages get a Content-Security-Policy with
 * a fresh nonce per request (Next.js reads it from the request's CSP header and puts it on its own
 * inline and bundle scripts), so no script runs unless the server rendered it. Styles allow
 * 'unsafe-inline': React style attributes and chart libraries need it, and without script
 * execution injected CSS can do little. API answers are data, so their policy allows nothing.
 */

type Options = { https: boolean; dev: boolean };

const join = (directives: string[]) => directives.join("; ");

export function pagePolicy(nonce: string, { https, dev }: Options): string {
  return join([
    "default-src 'self'",
    // 'strict-dynamic' lets the nonced bootstrap load the page's chunks; React's dev build needs eval.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ]);
}

export const API_POLICY = join(["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"]);

/** Swagger UI (/api/docs) loads its own script and stylesheet from /api/docs/assets and styles inline. */
export const DOCS_POLICY = join([
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
]);

/** The headers every response carries besides its CSP; HSTS only when served over https. */
export function baseSecurityHeaders({ https }: Pick<Options, "https">): Record<string, string> {
  return {
    "x-content-type-options": "nosniff",
    // For browsers that predate CSP frame-ancestors.
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    ...(https ? { "strict-transport-security": "max-age=63072000; includeSubDomains" } : {}),
  };
}

/** A CSP nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
