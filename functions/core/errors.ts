import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

/**
 * The base of ml-guard's own errors: each names itself (`name`, a literal, since bundles are minified) and keeps the
 * error that caused it (`cause`), which describeError and the logs show.
 */
export abstract class MlGuardError extends Error {
  abstract override readonly name: `${string}Error`;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An event that is not what a function accepts: malformed, or a shape it does not know. */
export class InvalidEventError extends MlGuardError {
  override readonly name = 'InvalidEventError';
}

/** A well-formed event from a source or of a kind that this function does not handle. */
export class UnsupportedEventError extends MlGuardError {
  override readonly name = 'UnsupportedEventError';
}

/** The function's environment is wrong; raised at cold start so a deployment fails loudly. */
export class ConfigError extends MlGuardError {
  override readonly name = 'ConfigError';
}

/**
 * A step that needs the live state was asked to run without it: only a plan that says what it could not read
 * (`Plan.unverified`) lacks it, and the executor never runs such a plan in enforce mode (see `readState`).
 */
export class StateNotReadError extends MlGuardError {
  override readonly name = 'StateNotReadError';
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

/**
 * True when trying again later may succeed: throttling (ThrottlingException, SlowDown, HTTP 429), a server error
 * (HTTP 5xx), a request timeout or a network error, as the SDK classifies them for its own retries. An error says
 * otherwise for itself with `retryable: false` (for example a replacement key whose secret is lost: no retry helps).
 */
export function isTransient(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  if ('retryable' in error && typeof error.retryable === 'boolean') return error.retryable;
  const e = error as Parameters<typeof isTransientError>[0];
  return isThrottlingError(e) || isTransientError(e) || isServerError(e);
}

/**
 * The invocation ends with work left that a retry can finish (a transient failure, or no time left): Lambda retries
 * the event, and the retry resumes from the journal. Its message names the journal key, which the dead-letter
 * queue keeps (message attribute ErrorMessage) when every retry has failed.
 */
export class RetryLaterError extends MlGuardError {
  override readonly name = 'RetryLaterError';
}

/** What could not be read, for a plan's notes and hold: `{ part, error, transient? }`. */
export function unreadable(part: string, error: unknown): { part: string; error: string; transient?: true } {
  return { part, error: describeError(error), ...(isTransient(error) ? { transient: true as const } : {}) };
}
