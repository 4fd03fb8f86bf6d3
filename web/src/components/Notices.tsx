import type { ApiError } from "../api/client";

export function Loading({ what }: { what: string }) {
  return (
    <p class="notice loading" role="status">
      {what}
    </p>
  );
}

export function Empty({ children }: { children: preact.ComponentChildren }) {
  return <p class="notice empty">{children}</p>;
}

/** An error the person can act on: retry where retrying can help. */
export function ErrorNotice({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const retryable = error.problem === "unavailable" || error.problem === "failed";
  return (
    <div class="notice error" role="alert">
      <p>{error.message}</p>
      {retryable && onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
