import type { Metadata } from "next";
import { JobData } from "@/components/jobs/job-data";

export const metadata: Metadata = { title: "Dataset" };

export default async function JobDataPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <JobData jobId={id} />;
}
