import { ApiError, apiPath } from "@/components/api-client";
import { problemSchema } from "@/lib/schemas/common";
import type { FileDto } from "@/lib/schemas/files";

/**
 * Uploads a file to POST /api/v1/files as multipart, reporting progress from 0 to 1. It uses
 * XMLHttpRequest because fetch has no upload progress events. Rejects with ApiError carrying the
 * server's problem+json (413 too large, 415, 422…), or a made-up one for a network failure.
 */
export function uploadFile(file: File, workspaceId: string, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<FileDto> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", apiPath("files", { workspaceId }));
    xhr.setRequestHeader("accept", "application/json");
    xhr.responseType = "text";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let data: unknown;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = undefined;
      }
      if (xhr.status === 201) {
        onProgress(1);
        resolve(data as FileDto);
        return;
      }
      const problem = problemSchema.safeParse(data);
      reject(
        new ApiError(
          problem.success
            ? problem.data
            : { type: "about:blank", title: "Upload failed", status: xhr.status, detail: `The server answered ${xhr.status}.` },
        ),
      );
    };
    xhr.onerror = () => reject(new ApiError({ type: "about:blank", title: "Network error", status: 0, detail: "The upload could not reach the server." }));
    xhr.onabort = () => reject(new DOMException("The upload was cancelled.", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    const body = new FormData();
    body.append("file", file, file.name);
    xhr.send(body);
  });
}
