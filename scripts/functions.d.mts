/** The function folders under functions/ that have a handler.ts, sorted. */
export function functionNames(): string[];
