import type { Metadata } from "next";
import { JobNew } from "@/components/jobs/job-new";

export const metadata: Metadata = { title: "New job" };

export default function NewJobPage() {
  return (
    <>
      <div className="page-header">
        <h1>New job</h1>
      </div>
      <JobNew />
    </>
  );
}
