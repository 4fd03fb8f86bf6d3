import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema";
import { trendsCalls } from "./trends";

export type Task = components["schemas"]["Task"];
export type TaskStatus = Task["status"];
export type SupportLevel = Task["decision"]["support_level"];
export type Label = Task["decision"]["label"];
export type CreateTask = components["schemas"]["CreateTaskRequest"];
export type TaskChanges = components["schemas"]["UpdateTaskRequest"];
export type TaskQuery = NonNullable<paths["/v1/tasks"]["get"]["parameters"]["query"]>;
export type ReviewQueueItem = components["schemas"]["ReviewQueueItem"];
export type ReviewQueueQuery = NonNullable<
  paths["/v1/reviews/queue"]["get"]["parameters"]["query"]
>;
export type ReviewRequest = components["schemas"]["ReviewRequest"];
export type ReviewStats = components["schemas"]["ReviewStats"];
export type Agreement = components["schemas"]["Agreement"];
export type ModelList = components["schemas"]["ModelList"];
export type ModelSummary = components["schemas"]["ModelSummary"];
export type ModelDetail = components["schemas"]["ModelDetail"];
export type ModelStatus = ModelSummary["status"];
export type ModelComparison = components["schemas"]["ModelComparison"];
export type ActivePointer = components["schemas"]["ActivePointer"];
export type Activation = components["schemas"]["Activation"];
export type GateResult = components["schemas"]["GateResult"];
export type Lineage = components["schemas"]["Lineage"];
export type CreateDataset = components["schemas"]["CreateDatasetRequest"];
export type DatasetCreated = components["schemas"]["DatasetCreated"];
export type Dataset = components["schemas"]["Dataset"];
export type FileUpload = components["schemas"]["FileUpload"];
export type TrainingRun = components["schemas"]["TrainingRun"];
export type RunStatus = TrainingRun["status"];
export type StageName = components["schemas"]["StageTiming"]["name"];
export type SupportLevels = components["schemas"]["SupportLevels"];
export type SupportLevelsChange = components["schemas"]["SupportLevelsChange"];
export type SupportLevelsPreviewRequest = components["schemas"]["SupportLevelsPreviewRequest"];
export type SupportLevelsPreview = components["schemas"]["SupportLevelsPreview"];

export type ApiProblem =
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "invalid"
  | "unavailable"
  | "failed";

/** A refused or failed call, with a message that can be shown as it is. */
export class ApiError extends Error {
  constructor(
    readonly problem: ApiProblem,
    message: string,
    readonly status: number | null = null,
    /** The API's error code (`active_model_changed`, ...), when it named one. */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** `error` as an ApiError: itself when it is one, else a generic failure. */
export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError("failed", "Something went wrong.");
}

interface ErrorBody {
  error?: { code?: string; message?: string };
}

const MESSAGES: Record<ApiProblem, string> = {
  unauthenticated: "Your session has ended. Sign in again to carry on.",
  forbidden: "Your role does not allow this.",
  not_found: "That request no longer exists.",
  conflict: "Someone changed this request meanwhile. Reload it and try again.",
  invalid: "The service did not accept this.",
  unavailable: "The service cannot be reached right now. Try again in a moment.",
  failed: "Something went wrong on our side. Try again in a moment.",
};

/** What a status means to the person using the portal. */
export function problemOf(status: number): ApiProblem {
  if (status === 401) return "unauthenticated";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409 || status === 412) return "conflict";
  if (status === 503 || status === 502 || status === 504) return "unavailable";
  if (status >= 400 && status < 500) return "invalid";
  return "failed";
}

// Conflicts about a task someone else changed; any other 409 (a model that is active
// already, two versions never compared...) is explained by the API's own message.
const TASK_CONFLICTS = new Set(["concurrent_update", "invalid_transition", "precondition_failed"]);

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The ApiError for a refused response; the API's own message is kept for 409 and 4xx. */
export function errorFor(status: number, body: unknown): ApiError {
  const problem = problemOf(status);
  const detail = (body as ErrorBody | null)?.error;
  const message = detail?.message;
  const code = detail?.code ?? null;
  if (status === 409 && message && code && !TASK_CONFLICTS.has(code)) {
    return new ApiError(problem, sentence(message), status, code);
  }
  const detailed = (problem === "conflict" || problem === "invalid") && message;
  return new ApiError(
    problem,
    detailed ? `${MESSAGES[problem]} (${message})` : MESSAGES[problem],
    status,
    code,
  );
}

export interface ApiOptions {
  baseUrl: string;
  /** A current access token; throws when the session has ended. */
  accessToken: () => Promise<string>;
  /** Called when the API refuses the token: the session is over. */
  onUnauthenticated: () => void;
}

export type Api = ReturnType<typeof createApi>;

/** Sends one typed request and returns its body, or throws the ApiError for a refusal. */
export type Call = <T>(
  send: () => Promise<{ data?: T; error?: unknown; response: Response }>,
) => Promise<T>;

/** The typed API client (paths and bodies from openapi.json) with the caller's bearer token. */
export function createApi({ baseUrl, accessToken, onUnauthenticated }: ApiOptions) {
  const client = createClient<paths>({ baseUrl });
  const bearer: Middleware = {
    async onRequest({ request }) {
      try {
        request.headers.set("Authorization", `Bearer ${await accessToken()}`);
      } catch {
        throw new ApiError("unauthenticated", MESSAGES.unauthenticated, 401);
      }
      return request;
    },
  };
  client.use(bearer);

  async function call<T>(
    send: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  ): Promise<T> {
    let result;
    try {
      result = await send();
    } catch (error) {
      if (error instanceof ApiError) {
        throw error;
      }
      throw new ApiError("unavailable", MESSAGES.unavailable);
    }
    const { data, error, response } = result;
    if (!response.ok || data === undefined) {
      const failure = errorFor(response.status, error);
      if (failure.problem === "unauthenticated") {
        onUnauthenticated();
      }
      throw failure;
    }
    return data;
  }

  return {
    ...trendsCalls(client, call),
    listTasks: (query: TaskQuery) => call(() => client.GET("/v1/tasks", { params: { query } })),
    createTask: (body: CreateTask) => call(() => client.POST("/v1/tasks", { body })),
    /** Updates the task at `revision` (its ETag): a newer change is never overwritten. */
    updateTask: (taskId: string, revision: number, body: TaskChanges) =>
      call(() =>
        client.PATCH("/v1/tasks/{task_id}", {
          params: { path: { task_id: taskId }, header: { "if-match": `"${revision}"` } },
          body,
        }),
      ),
    getTask: (taskId: string) =>
      call(() => client.GET("/v1/tasks/{task_id}", { params: { path: { task_id: taskId } } })),
    reviewQueue: (query: ReviewQueueQuery) =>
      call(() => client.GET("/v1/reviews/queue", { params: { query } })),
    /** Confirms or corrects the task's label at `revision` (its ETag); 412 when it changed since. */
    reviewTask: (taskId: string, revision: number, body: ReviewRequest) =>
      call(() =>
        client.POST("/v1/tasks/{task_id}/review", {
          params: { path: { task_id: taskId }, header: { "if-match": `"${revision}"` } },
          body,
        }),
      ),
    reviewStats: () => call(() => client.GET("/v1/reviews/stats")),

    listModels: () => call(() => client.GET("/v1/models")),
    getModel: (version: string) =>
      call(() => client.GET("/v1/models/{version}", { params: { path: { version } } })),
    compareModels: (a: string, b: string) =>
      call(() => client.GET("/v1/models/compare", { params: { query: { a, b } } })),
    promoteModel: (version: string, reason: string) =>
      call(() =>
        client.POST("/v1/models/{version}/promote", {
          params: { path: { version } },
          body: { reason },
        }),
      ),
    rollBackModel: (reason: string) =>
      call(() => client.POST("/v1/models/rollback", { body: { reason } })),

    createDataset: (body: CreateDataset) => call(() => client.POST("/v1/datasets", { body })),
    getDataset: (datasetId: string) =>
      call(() =>
        client.GET("/v1/datasets/{dataset_id}", { params: { path: { dataset_id: datasetId } } }),
      ),
    listTrainingRuns: (limit = 10) =>
      call(() => client.GET("/v1/training-runs", { params: { query: { limit } } })),
    getTrainingRun: (runId: string) =>
      call(() =>
        client.GET("/v1/training-runs/{run_id}", { params: { path: { run_id: runId } } }),
      ),

    getSupportLevels: () => call(() => client.GET("/v1/config/support-levels")),
    /** Changes the thresholds at `version` (their ETag): 412 when another version is in force. */
    putSupportLevels: (version: number, body: SupportLevelsChange) =>
      call(() =>
        client.PUT("/v1/config/support-levels", {
          params: { header: { "if-match": `"${version}"` } },
          body,
        }),
      ),
    previewSupportLevels: (body: SupportLevelsPreviewRequest) =>
      call(() => client.POST("/v1/config/support-levels/preview", { body })),
  };
}
