import { describe, expect, it } from "vitest";
import { addressProblem, parseAllowlist, privateNameProblem, refusedAddress } from "./address-policy";

describe("addressProblem", () => {
  it.each([
    ["127.0.0.1", "a loopback address"],
    ["127.255.255.254", "a loopback address"],
    ["10.1.2.3", "a private (RFC 1918) address"],
    ["172.16.0.1", "a private (RFC 1918) address"],
    ["192.168.1.1", "a private (RFC 1918) address"],
    ["100.64.0.1", "a carrier-grade NAT address"],
    ["169.254.1.1", "a link-local address"],
    ["169.254.169.254", "a cloud metadata address"],
    ["0.0.0.0", "an unspecified address"],
    ["255.255.255.255", "a broadcast address"],
    ["224.0.0.1", "a multicast address"],
    ["192.0.2.10", "a reserved address (documentation, benchmarking or future use)"],
    ["198.51.100.1", "a reserved address (documentation, benchmarking or future use)"],
    ["203.0.113.9", "a reserved address (documentation, benchmarking or future use)"],
    ["198.18.0.1", "a reserved address (documentation, benchmarking or future use)"],
    ["240.0.0.1", "a reserved address (documentation, benchmarking or future use)"],
    ["::1", "a loopback address"],
    ["::", "an unspecified address"],
    ["fe80::1", "a link-local address"],
    ["fc00::1", "a unique-local address"],
    ["fd00:ec2::254", "a cloud metadata address"],
    ["ff02::1", "a multicast address"],
    ["2001:db8::1", "a reserved address (documentation, benchmarking or future use)"],
    ["2001::1", "a Teredo tunnel address"],
    ["fec0::1", "a site-local address"],
    ["64:ff9b:1::a00:1", "a local-use NAT64 address"],
  ])("%s is %s", (address, problem) => {
    expect(addressProblem(address)).toBe(problem);
  });

  it.each([
    ["::ffff:127.0.0.1", "a loopback address"], // IPv4-mapped
    ["::ffff:7f00:1", "a loopback address"], // the same, written in hex
    ["::127.0.0.1", "a loopback address"], // IPv4-compatible
    ["::7f00:1", "a loopback address"], // the same in hex, which ipaddr.js alone calls unicast
    ["::a9fe:a9fe", "a cloud metadata address"],
    ["::ffff:0:a00:1", "a private (RFC 1918) address"], // IPv4-translated (SIIT)
    ["64:ff9b::a9fe:a9fe", "a cloud metadata address"], // NAT64 of 169.254.169.254
    ["64:ff9b::7f00:1", "a loopback address"], // NAT64
    ["2002:7f00:1::1", "a loopback address"], // 6to4 of 127.0.0.1
    ["2002:c0a8:101::", "a private (RFC 1918) address"], // 6to4 of 192.168.1.1
  ])("judges %s by the IPv4 address it embeds", (address, problem) => {
    expect(addressProblem(address)).toBe(problem);
  });

  it.each(["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"])(
    "lets the public address %s through",
    (address) => {
      expect(addressProblem(address)).toBeNull();
    },
  );
});

describe("the allowlist", () => {
  const list = parseAllowlist(["127.0.0.1", " 10.0.0.0/8", "API.internal", "*.corp.example", "[::1]", "169.254.0.0/16"]);

  it("opens addresses, ranges and their embedded forms", () => {
    expect(refusedAddress(list, "127.0.0.1")).toBeNull();
    expect(refusedAddress(list, "::ffff:127.0.0.1")).toBeNull();
    expect(refusedAddress(list, "10.200.3.4")).toBeNull();
    expect(refusedAddress(list, "::1")).toBeNull();
    expect(refusedAddress(list, "127.0.0.2")).toBe("a loopback address");
    expect(refusedAddress(list, "192.168.0.1")).toBe("a private (RFC 1918) address");
  });

  it("keeps metadata endpoints closed inside an allowed range unless they are named", () => {
    expect(refusedAddress(list, "169.254.10.10")).toBeNull();
    expect(refusedAddress(list, "169.254.169.254")).toBe("a cloud metadata address");
    expect(refusedAddress(parseAllowlist(["169.254.169.254"]), "169.254.169.254")).toBeNull();
  });

  it("keeps host names and wildcards, lower-cased", () => {
    expect([...list.hosts]).toEqual(["api.internal"]);
    expect(list.domains).toEqual([".corp.example"]);
  });

  it("refuses entries that are none of the accepted forms", () => {
    expect(() => parseAllowlist(["10.0.0.0/33"])).toThrow('"10.0.0.0/33" is not a valid CIDR range');
    expect(() => parseAllowlist(["http://x"])).toThrow('"http://x" is neither an IP address, a CIDR range, a host name nor *.domain');
    expect(() => parseAllowlist(["0x7f.1/8"])).toThrow('"0x7f.1/8" is not a valid CIDR range');
  });
});

describe("privateNameProblem", () => {
  it.each(["localhost", "db.localhost", "printer.local", "metadata.google.internal", "api.internal", "nas.home.arpa"])("%s is private", (host) => {
    expect(privateNameProblem(host)).toBe("a name for this machine or a private network");
  });
  it.each(["example.com", "localhost.example.com", "internal.example.com"])("%s needs DNS", (host) => {
    expect(privateNameProblem(host)).toBeNull();
  });
});
