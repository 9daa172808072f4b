import type { Metadata } from "next";
import { TokenManager } from "@/components/tokens/token-manager";

export const metadata: Metadata = { title: "API tokens" };

export default function TokensPage() {
  return <TokenManager />;
}
