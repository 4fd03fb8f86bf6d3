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
  ) {
    super(message);
  }
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

/** The ApiError for a refused response; the API's own message is kept for 409 and 4xx. */
export function errorFor(status: number, body: unknown): ApiError {
  const problem = problemOf(status);
  const message = (body as ErrorBody | null)?.error?.message;
  const detailed = (problem === "conflict" || problem === "invalid") && message;
  return new ApiError(problem, detailed ? `${MESSAGES[problem]} (${message})` : MESSAGES[problem], status);
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
  };
}
