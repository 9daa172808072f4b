import type { Metadata } from "next";
import { JobForm } from "@/components/jobs/job-form";
import { newJobValues } from "@/components/jobs/job-form-values";

export const metadata: Metadata = { title: "New job" };

export default function NewJobPage() {
  return (
    <>
      <div className="page-header">
        <h1>New job</h1>
      </div>
      <JobForm defaultValues={newJobValues} />
    </>
  );
}
