import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cachedPrincipal, forgetPrincipals, PRINCIPAL_CACHE_MS, type StoredPrincipal } from "./principal-cache";

const caller = (email: string): StoredPrincipal => ({ userId: "u1", email, isInstanceAdmin: false, memberships: [], via: "token", roleCap: null });

describe("cachedPrincipal", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    forgetPrincipals();
  });
  afterEach(() => vi.useRealTimers());

  it("reuses a caller for PRINCIPAL_CACHE_MS, then loads it again", async () => {
    const load = vi.fn(async () => ({ principal: caller("a@example.test") }));
    await cachedPrincipal("k", load);
    vi.advanceTimersByTime(PRINCIPAL_CACHE_MS - 1);
    await cachedPrincipal("k", load);
    expect(load).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    await cachedPrincipal("k", load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("never keeps a caller past its credential's expiry", async () => {
    const load = vi.fn(async () => ({ principal: caller("a@example.test"), validUntil: Date.now() + 500 }));
    await cachedPrincipal("k", load);
    vi.advanceTimersByTime(499);
    await cachedPrincipal("k", load);
    expect(load).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    await cachedPrincipal("k", load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("shares one load between concurrent requests", async () => {
    const load = vi.fn(async () => ({ principal: caller("a@example.test") }));
    const [a, b] = await Promise.all([cachedPrincipal("k", load), cachedPrincipal("k", load)]);
    expect(load).toHaveBeenCalledTimes(1);
    expect(a).toBe(b);
  });

  it("keeps neither unknown credentials nor failed loads", async () => {
    const unknown = vi.fn(async () => undefined);
    expect(await cachedPrincipal("k", unknown)).toBeUndefined();
    expect(await cachedPrincipal("k", unknown)).toBeUndefined();
    expect(unknown).toHaveBeenCalledTimes(2);

    const failing = vi.fn(async () => Promise.reject(new Error("database unreachable")));
    await expect(cachedPrincipal("f", failing)).rejects.toThrow("database unreachable");
    await expect(cachedPrincipal("f", failing)).rejects.toThrow("database unreachable");
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it("forgets every caller at once, including a load under way", async () => {
    let release: () => void = () => {};
    const stale = cachedPrincipal("k", () => new Promise((resolve) => (release = () => resolve({ principal: caller("old@example.test") }))));
    forgetPrincipals();
    release();
    await stale;
    const fresh = await cachedPrincipal("k", async () => ({ principal: caller("new@example.test") }));
    expect(fresh?.email).toBe("new@example.test");
  });
});
