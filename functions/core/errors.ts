/** An event that is not what a function accepts: malformed, or a shape it does not know. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A well-formed event from a source or of a kind that this function does not handle. */
export class UnsupportedEventError extends Error {
  override readonly name = 'UnsupportedEventError';
}

/** The function's environment is wrong; raised at cold start so a deployment fails loudly. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The name AWS gives an error (SDK v3 sets `name` to the error code), or 'Error'. */
export function errorName(error: unknown): string {
  if (error && typeof error === 'object' && 'name' in error && typeof error.name === 'string') return error.name;
  return 'Error';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A one-line description of an error, safe to log and to notify: name and message, never a stack. */
export function describeError(error: unknown): string {
  const name = errorName(error);
  const message = errorMessage(error);
  return message && message !== name ? `${name}: ${message}` : name;
}
