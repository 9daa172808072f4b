/** Where to go after signing in: only a path on this site, so the link cannot send users elsewhere. */
export function safeCallbackUrl(value: string | string[] | undefined): string {
  const url = Array.isArray(value) ? value[0] : value;
  if (!url || !url.startsWith("/") || url.startsWith("//") || url.startsWith("/\\") || url.startsWith("/signin")) {
    return "/";
  }
  return url;
}
