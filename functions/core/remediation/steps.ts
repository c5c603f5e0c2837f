import { StateNotReadError } from '../errors.js';

/**
 * What every function's step modules share. A planner builds a step's data; its describer (describe-steps.ts beside
 * steps.ts) writes the text a person reads of it.
 */

/** What a person reads of a step: what it does, and how to undo it where it can be undone. */
export interface StepText {
  summary: string;
  undo?: string;
}

/**
 * The one check a runner makes of a step field taken from the live state, whose absence means "not read". A plan
 * with such a step says what it could not read (`Plan.unverified`), so the executor never runs it in enforce mode
 * and only a dry-run shows it; should it ever reach a runner, nothing is changed.
 */
export function readState<T>(value: T | undefined, notRead: string): T {
  if (value === undefined) throw new StateNotReadError(notRead);
  return value;
}
