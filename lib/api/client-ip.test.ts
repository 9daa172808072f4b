import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";

const ip = (forwardedFor?: string) => clientIp(new Headers(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }));

describe("clientIp (TRUSTED_PROXY_HOPS=1)", () => {
  it("takes the rightmost X-Forwarded-For entry: the one the nearest proxy wrote", () => {
    expect(ip("203.0.113.9")).toBe("203.0.113.9");
    expect(ip("10.0.0.1, 198.51.100.2,203.0.113.9")).toBe("203.0.113.9");
  });

  it("normalizes IPv4-mapped IPv6 and case", () => {
    expect(ip("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(ip("2001:DB8::1")).toBe("2001:db8::1");
  });

  it("answers null when there is no usable address", () => {
    expect(ip()).toBeNull();
    expect(ip("")).toBeNull();
    expect(ip("1.2.3.4, not-an-ip")).toBeNull();
    expect(ip("999.1.1.1")).toBeNull();
  });
});
