import { ApiError, type FileUpload } from "./client";

/** Sends `file` to S3 with its presigned POST: every field of the policy first, the file
 * last, as S3 requires. Raises ApiError when S3 refuses it or cannot be reached. */
export async function uploadFile(
  upload: FileUpload,
  file: Blob,
  send: typeof fetch = fetch,
): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", file);
  let response: Response;
  try {
    response = await send(upload.url, { method: "POST", body: form });
  } catch {
    throw new ApiError("unavailable", "The file store cannot be reached right now. Try again.");
  }
  if (!response.ok) {
    const expired = response.status === 403;
    throw new ApiError(
      expired ? "invalid" : "failed",
      expired
        ? "The file store refused the upload: its permission may have expired. Start again."
        : `The file store refused the upload (status ${response.status}). Start again.`,
      response.status,
    );
  }
}
