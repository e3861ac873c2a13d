/**
 * The api's JSON, same-origin with the session in HttpOnly cookies (never a token in script reach).
 * Every error becomes an ApiError carrying the api's one error shape
 * {"error": {"code", "message", "field"?}} (docs/api.md).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  get unauthorized() {
    return this.status === 401;
  }
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

async function send(method: Method, path: string, body?: unknown): Promise<Response> {
  return fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let refreshing: Promise<boolean> | null = null;

/** One refresh at a time: the refresh token works once, so concurrent 401s share the attempt. */
function refresh(): Promise<boolean> {
  refreshing ??= send("POST", "/auth/refresh")
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

async function toError(response: Response): Promise<ApiError> {
  const retry = Number(response.headers.get("Retry-After"));
  try {
    const json = await response.json();
    const e = json?.error ?? {};
    return new ApiError(response.status, e.code ?? "error", e.message ?? response.statusText, e.field, retry || undefined);
  } catch {
    return new ApiError(response.status, "error", `The server answered ${response.status}.`, undefined, retry || undefined);
  }
}

/**
 * Calls the api and returns its JSON (undefined for an empty answer). A 401 on a session route
 * refreshes the session once (the refresh cookie) and tries again.
 */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await send(method, path, body);
    if (response.status === 401 && !path.startsWith("/auth/") && (await refresh())) {
      response = await send(method, path, body);
    }
  } catch {
    throw new ApiError(0, "network", "The server cannot be reached. Check your connection and try again.");
  }
  if (!response.ok) throw await toError(response);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T,>(path: string) => api<T>("GET", path);
export const post = <T,>(path: string, body?: unknown) => api<T>("POST", path, body ?? {});
export const put = <T,>(path: string, body: unknown) => api<T>("PUT", path, body);
