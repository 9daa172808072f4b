import type { Metadata } from "next";
import { JobEdit } from "@/components/jobs/job-edit";

export const metadata: Metadata = { title: "Edit job" };

export default async function EditJobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <JobEdit jobId={id} />;
}
