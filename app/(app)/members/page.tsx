import type { Metadata } from "next";
import { MemberManager } from "@/components/admin/member-manager";

export const metadata: Metadata = { title: "Members" };

export default function MembersPage() {
  return <MemberManager />;
}
