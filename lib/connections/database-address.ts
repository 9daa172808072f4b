import "server-only";
import dns from "node:dns";
import { networkInterfaces } from "node:os";
import net from "node:net";
import ipaddr from "ipaddr.js";
import { env } from "@/lib/env";
import { effectiveAddress } from "@/lib/security/address-policy";
import { assertPublicHost, OutboundRefusedError, type ResolvedAddress } from "@/lib/security/outbound";
import type { DatabaseConnectionConfig } from "@/lib/schemas/connections";

const CONNECT_TIMEOUT_MS = 10_000;

type Target = Pick<DatabaseConnectionConfig, "type" | "host" | "port" | "database">;

/**
 * Where a saved database connection may connect: its host resolved once and checked by the
 * outbound rules (public addresses or the allowlist), and never DataFlowHub's own database, which
 * a job could otherwise read or overwrite with the app's credentials-free trust. The drivers then
 * connect to this address, not to the name again, so DNS cannot answer differently in between.
 */
export async function databaseAddress(target: Target): Promise<ResolvedAddress> {
  const addresses = await assertPublicHost(target.host);
  if (target.type === "postgres" && (await isAppDatabase(addresses, target))) {
    throw new OutboundRefusedError("The connection points at DataFlowHub's own database, which jobs may not read or write; choose another database.");
  }
  return addresses[0]!;
}

/** A TCP socket connected to the checked address, for drivers that take a socket (postgres.js). */
export async function connectDatabaseSocket(target: Target): Promise<net.Socket> {
  const { address } = await databaseAddress(target);
  const socket = net.connect({ host: address, port: target.port });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`connecting to ${target.host}:${target.port} timed out after ${CONNECT_TIMEOUT_MS / 1000} s`), { code: "ETIMEDOUT" }));
    }, CONNECT_TIMEOUT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  // postgres.js names the TLS server (SNI, certificate check) after the socket's host.
  return Object.assign(socket, { host: target.host });
}

type AppDatabase = { addresses: string[]; port: number; database: string };
let appDatabase: Promise<AppDatabase> | undefined;

function appDatabaseAddress(): Promise<AppDatabase> {
  appDatabase ??= (async () => {
    const url = new URL(env.DATABASE_URL);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1") || "localhost";
    const found = await dns.promises.lookup(host, { all: true }).catch(() => []);
    return {
      addresses: found.map((a) => canonical(a.address)),
      port: Number(url.port || 5432),
      database: decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || "postgres",
    };
  })();
  return appDatabase;
}

async function isAppDatabase(addresses: ResolvedAddress[], target: Target): Promise<boolean> {
  const app = await appDatabaseAddress();
  if (target.port !== app.port || target.database !== app.database) return false;
  const appLocal = app.addresses.some(isThisMachine);
  return addresses.some(({ address }) => app.addresses.includes(canonical(address)) || (appLocal && isThisMachine(address)));
}

function canonical(address: string): string {
  return effectiveAddress(ipaddr.parse(address)).toString();
}

/** Loopback, the unspecified address (which Linux connects to this machine) or one of its interfaces. */
function isThisMachine(address: string): boolean {
  const ip = canonical(address);
  if (["loopback", "unspecified"].includes(ipaddr.parse(ip).range())) return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => canonical(i.address.split("%")[0]!) === ip));
}
