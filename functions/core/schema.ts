import * as v from 'valibot';

/**
 * Validation with valibot: the builders ml-guard's schemas need beyond valibot's own, and `safeParse`, whose issues say
 * what was expected in words (`expected string`, `too big (maximum 10)`, or the schema's own message).
 * valibot's schemas are plain objects, cheap to build at cold start (issue 14: zod/mini cost 4 to 5 ms of CPU there).
 */

/** One thing wrong with a value: where (keys of objects and records, indices of arrays) and what was expected. */
export interface SchemaIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Why a value did not pass its schema: every issue, in the schema's order. Kept as the `cause` of ml-guard's errors. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  constructor(readonly issues: readonly SchemaIssue[]) {
    super(`${issues.length} schema issue(s)`);
  }
}

export type Schema<T = unknown> = v.GenericSchema<unknown, T>;
export type Parsed<T> = { success: true; data: T } | { success: false; error: SchemaError };

/** Checks a value against a schema, collecting every issue (not only the first). */
export function safeParse<T>(schema: Schema<T>, value: unknown): Parsed<T> {
  const result = v.safeParse(schema, value, { message: explain });
  if (result.success) return { success: true, data: result.output };
  const issues = result.issues.map((issue) => ({
    path: (issue.path ?? []).map((item) => item.key as string | number),
    message: issue.message,
  }));
  return { success: false, error: new SchemaError(issues) };
}

/** Words for an issue whose schema or check gave no message of its own. */
function explain(issue: v.BaseIssue<unknown>): string {
  switch (issue.type) {
    case 'min_length':
    case 'min_value':
      return `too small (minimum ${String(issue.requirement)})`;
    case 'max_length':
    case 'max_value':
      return `too big (maximum ${String(issue.requirement)})`;
    case 'regex':
      return 'invalid regex';
    default:
      return issue.kind === 'schema' ? `expected ${issue.type}` : issue.message;
  }
}

/** What a schema expects, for a key that is missing: its own message (object, record, one of...) or its type. */
function expected(schema: v.GenericSchema): string {
  const message: unknown = (schema as { message?: unknown }).message;
  return typeof message === 'string' ? message : `expected ${schema.type}`;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An object with these keys that keeps the keys it does not name. An array is not an object. */
export function looseObject<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isObject, 'expected object'),
    // The only issue the object itself raises (the custom check vouches for the type) is a missing key.
    v.looseObject(entries, (issue) => {
      const key = issue.path?.[0]?.key;
      const entry = typeof key === 'string' ? entries[key] : undefined;
      return entry ? expected(entry) : issue.message;
    }),
  );
}

/** An object of any keys whose values all pass `value`. An array is not a record. */
export function record<const V extends v.GenericSchema>(value: V) {
  return v.pipe(v.custom<Record<string, unknown>>(isObject, 'expected record'), v.record(v.string(), value));
}

/** One of these strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return v.picklist(values, `expected one of ${values.map((value) => JSON.stringify(value)).join(', ')}`);
}

/** A string of at least one character. */
export const nonEmpty = () => v.pipe(v.string(), v.minLength(1));
