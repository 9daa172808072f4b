import type { Metadata } from "next";
import { ConnectionManager } from "@/components/connections/connection-manager";

export const metadata: Metadata = { title: "Connections" };

export default function ConnectionsPage() {
  return (
    <>
      <div className="page-header">
        <h1>Connections</h1>
      </div>
      <ConnectionManager />
    </>
  );
}
