import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Which IP addresses outbound connections (HTTP sources, webhooks, database connections) may
 * reach, and the operator's allowlist (OUTBOUND_ALLOWLIST) that opens exceptions. Only globally
 * routable unicast addresses are public; addresses that embed an IPv4 address (IPv4-mapped,
 * -compatible and -translated, NAT64, 6to4) are judged by the address they embed, so
 * [::ffff:127.0.0.1] is as refused as 127.0.0.1.
 */

/** Cloud instance metadata endpoints: refused even inside an allowlisted range, unless named one by one. */
const METADATA_ADDRESSES = new Set(["169.254.169.254", "fd00:ec2::254", "100.100.100.200"]);

const RANGE_NAMES: Record<string, string> = {
  unspecified: "an unspecified address",
  broadcast: "a broadcast address",
  multicast: "a multicast address",
  linkLocal: "a link-local address",
  loopback: "a loopback address",
  carrierGradeNat: "a carrier-grade NAT address",
  private: "a private (RFC 1918) address",
  uniqueLocal: "a unique-local address",
  reserved: "a reserved address (documentation, benchmarking or future use)",
  benchmarking: "a benchmarking address",
  discard: "a discard-only address",
  teredo: "a Teredo tunnel address",
  deprecatedSiteLocal: "a site-local address",
  // Only the local-use prefix 64:ff9b:1::/48 is left here: well-known NAT64 addresses are unwrapped.
  rfc6052: "a local-use NAT64 address",
};

export type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** The address as the one that decides: the IPv4 address embedded in an IPv6 one, else itself. */
export function effectiveAddress(ip: Ip): Ip {
  if (ip.kind() === "ipv4") return ip;
  const v6 = ip as ipaddr.IPv6;
  const parts = v6.parts;
  const v4 = (high: number, low: number) => ipaddr.fromByteArray([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const tail = () => v4(parts[6]!, parts[7]!);
  // IPv4-compatible ::a.b.c.d (deprecated), in any notation: ipaddr.js only recognises the dotted one.
  if (parts.slice(0, 6).every((part) => part === 0) && (parts[6] !== 0 || parts[7]! > 1)) return tail();
  switch (v6.range()) {
    case "ipv4Mapped": // ::ffff:a.b.c.d, and (as ipaddr.js files them) IPv4-compatible ::a.b.c.d
    case "rfc6145": // ::ffff:0:a.b.c.d (SIIT)
      return tail();
    case "rfc6052": // 64:ff9b::a.b.c.d (NAT64); the local-use 64:ff9b:1::/48 embeds it elsewhere: keep it refused
      return parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0 ? tail() : v6;
    case "6to4": // 2002:AABB:CCDD::/48 carries a.b.c.d in its second and third groups
      return v4(parts[1]!, parts[2]!);
    default:
      return v6;
  }
}

/** Why an address is not public ("a loopback address"…), or null when it is. `address` must be a plain IPv4 or IPv6 address. */
export function addressProblem(address: string): string | null {
  const ip = effectiveAddress(ipaddr.parse(address));
  if (METADATA_ADDRESSES.has(ip.toString()) || METADATA_ADDRESSES.has(address)) return "a cloud metadata address";
  const range = ip.range();
  if (range === "unicast") return null;
  return RANGE_NAMES[range] ?? `a special-purpose address (${range})`;
}

export type Allowlist = {
  hosts: ReadonlySet<string>;
  /** Suffixes from "*.example.internal" entries, with their leading dot. */
  domains: readonly string[];
  ranges: readonly [Ip, number][];
  addresses: ReadonlySet<string>;
};

/**
 * Parses OUTBOUND_ALLOWLIST: comma-separated IP addresses, CIDR ranges, host names and
 * "*.domain" wildcards. Throws naming the first entry that is none of these.
 */
export function parseAllowlist(entries: readonly string[]): Allowlist {
  const hosts = new Set<string>();
  const domains: string[] = [];
  const ranges: [Ip, number][] = [];
  const addresses = new Set<string>();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
    if (entry === "") continue;
    if (isIP(entry)) {
      const ip = ipaddr.parse(entry);
      addresses.add(ip.toString());
      ranges.push([ip, ip.kind() === "ipv4" ? 32 : 128]);
    } else if (/^[\w:.]+\/\d+$/.test(entry)) {
      const [network, bits] = entry.split("/");
      if (!isIP(network ?? "") || !ipaddr.isValidCIDR(entry)) throw new Error(`"${raw}" is not a valid CIDR range`);
      ranges.push([ipaddr.parse(network!), Number(bits)]);
    } else if (entry.startsWith("*.") && isHostName(entry.slice(2))) {
      domains.push(entry.slice(1));
    } else if (isHostName(entry)) {
      hosts.add(entry.replace(/\.$/, ""));
    } else {
      throw new Error(`"${raw}" is neither an IP address, a CIDR range, a host name nor *.domain`);
    }
  }
  return { hosts, domains, ranges, addresses };
}

function isHostName(text: string): boolean {
  return text.length <= 253 && /^(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*\.?$/.test(text);
}

/** Whether the allowlist names this host name (exactly or by a wildcard). `host` is lower-case, without a trailing dot. */
export function hostAllowed(list: Allowlist, host: string): boolean {
  return list.hosts.has(host) || list.domains.some((suffix) => host.endsWith(suffix));
}

/** Whether the allowlist covers this address. Metadata endpoints only count when listed themselves. */
export function addressAllowed(list: Allowlist, address: string): boolean {
  const ip = ipaddr.parse(address);
  const candidates = [ip, effectiveAddress(ip)];
  if (candidates.some((c) => METADATA_ADDRESSES.has(c.toString()))) return candidates.some((c) => list.addresses.has(c.toString()));
  return candidates.some((c) => list.ranges.some(([network, bits]) => c.kind() === network.kind() && c.match(network, bits)));
}

/** Why connecting to this address is refused under the allowlist, or null when it may be reached. */
export function refusedAddress(list: Allowlist, address: string): string | null {
  if (addressAllowed(list, address)) return null;
  return addressProblem(address);
}

// Names that only ever mean this machine or a private network (RFC 6761 localhost, RFC 6762
// .local, RFC 8375 .home.arpa, ICANN's reserved .internal), and the metadata services' names.
const PRIVATE_NAMES = /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback|metadata|metadata\.google\.internal|instance-data)$|\.(localhost|local|localdomain|internal|home\.arpa)$/;

/** Why a host name is private without resolving it, or null when only DNS can tell. */
export function privateNameProblem(host: string): string | null {
  return PRIVATE_NAMES.test(host) ? "a name for this machine or a private network" : null;
}
