/** Every API error has one shape (docs/api.md, "Errors"). */
export interface ErrorItem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly errors: ErrorItem[];

  constructor(status: number, detail: string, errors: ErrorItem[] = []) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
  }

  /** Refused as the caller's fault (4xx): trying again will not help. */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

function isErrorBody(body: unknown): body is { detail: string; errors?: ErrorItem[] } {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { detail?: unknown }).detail === 'string'
  );
}

/** The error a failed response stands for, from its body when it has the API's shape. */
export function toApiError(response: Response, body: unknown): ApiError {
  if (isErrorBody(body)) {
    return new ApiError(response.status, body.detail, body.errors ?? []);
  }
  const reason = response.statusText || 'no reason given';
  return new ApiError(response.status, `The server answered ${response.status} (${reason}).`);
}

/** What to tell a person about any error a query or mutation ended with. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'Cannot reach the server. Check your connection and try again.';
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
