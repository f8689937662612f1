/** An error that REST turns into a Discord-shaped JSON error response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON(): { message: string; code: number; errors?: unknown } {
    return { message: this.message, code: this.code, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

/** Discord's 50035 Invalid Form Body, with the error nested under the dotted `field` path. */
export function formError(field: string, code: string, message: string): ApiError {
  const errors: Record<string, unknown> = {};
  let cursor = errors;
  const parts = field.split('.');
  parts.forEach((part, i) => {
    const next: Record<string, unknown> = i === parts.length - 1 ? { _errors: [{ code, message }] } : {};
    cursor[part] = next;
    cursor = next;
  });
  return new ApiError(400, 50035, 'Invalid Form Body', errors);
}
