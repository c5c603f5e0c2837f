/**
 * Event text is chosen by whoever caused the event (a bucket, alarm or endpoint name, a finding id, a description): it
 * is quoted before it reaches a shell command, kept on one line where one line is meant, and bounded in size.
 */

/** The most characters of an ignore or failure reason kept in a result, a log line or a notification. */
export const REASON_MAX = 2000;
/** The most characters of one value from the input quoted in a reason or a log key. */
export const QUOTED_VALUE_MAX = 200;

/** Characters that need no quoting in a POSIX shell word (and cannot start an option, a tilde or a comment). */
const PLAIN_WORD = /^[A-Za-z0-9_][A-Za-z0-9_@%+=:,./-]*$/;

/**
 * One POSIX shell word holding `text` exactly: single quotes around it, each `'` written `'\''`. A plain token
 * (`my-bucket`, `arn:aws:s3:::my-bucket`) stays as it is, so that the common command reads as usual.
 */
export function shellQuote(text: string): string {
  return PLAIN_WORD.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Line breaks, control characters and Unicode line separators, with the blanks around them. */
const BREAKS = /[^\S\r\n\u2028\u2029\u0085]*[\p{Cc}\u2028\u2029]+\s*/gu;

/** `text` on one line: each run of line breaks or control characters becomes one space, so it cannot start a new line. */
export function oneLine(text: string): string {
  return text.replace(BREAKS, ' ');
}

/**
 * `text` cut to at most `max` characters (UTF-16 units, never splitting a surrogate pair), ending with a marker that says
 * how long it was: `abc… [truncated, 600000 chars]`.
 */
export function boundText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = `… [truncated, ${text.length} chars]`;
  if (marker.length >= max) return safePrefix(marker, max);
  return `${safePrefix(text, max - marker.length)}${marker}`;
}

/** The first `length` UTF-16 units of `s`, without splitting a surrogate pair. */
export function safePrefix(s: string, length: number): string {
  const cut = s.slice(0, length);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** A value from the input, quoted and bounded, for a reason: `"aws.config"`. */
export function quoteValue(value: string): string {
  return JSON.stringify(boundText(value, QUOTED_VALUE_MAX));
}
