import type { JournaledStep } from '../../functions/core/journal/journal.js';
import type { TargetRef } from '../../functions/core/remediation/types.js';

/**
 * The inverse of one step ml-guard did, as `npm run undo` plans it: the write that puts back what the step changed,
 * or why it is not undone. Data only: the planner that makes it reads nothing (the CLI passes it the journal, the
 * saved prior state and the live state).
 */
export interface Inverse<A> {
  /** The journaled step this undoes. */
  of: Pick<JournaledStep, 'id' | 'kind' | 'summary'>;
  /** What the undo does, for people. */
  summary: string;
  /** The write that undoes the step; absent when refused, or when there is only guidance. */
  action?: A;
  /** Why the step is not undone: what changed since ml-guard's change, or what is not known. */
  refused?: string;
  /** What a person must do instead, where no write can undo the step (a stopped job cannot be restarted). */
  guidance?: string;
}

export interface UndoPlan<A> {
  target: TargetRef;
  inverses: Inverse<A>[];
  /** Steps with nothing to undo (the prior state's save, a step that changed nothing), said once each. */
  notes: string[];
}

/** A journaled step ml-guard changed something with: only these have an inverse. */
export function changed(step: JournaledStep): boolean {
  return step.state === 'done';
}

/** What the undo says of a step that changed nothing (found already so, failed, not run): there is nothing to undo. */
export function unchangedNote(step: JournaledStep): string {
  return `${step.summary}: ${step.state}, nothing to undo`;
}

/** The undo of a step whose journal record has no data (written before ml-guard journaled it): by hand. */
export function withoutData(step: JournaledStep): Inverse<never> {
  return {
    of: step,
    summary: `Undo "${step.summary}"`,
    refused: `the journal has no data for this step (journaled before ml-guard recorded what it set): undo it by hand${step.undo ? `: ${step.undo}` : ''}`,
  };
}

/** Names what differs between two sets of items (tags, grants), each item shown by `label`. */
export function difference<T>(now: readonly T[], left: readonly T[], label: (item: T) => string): string {
  const a = new Set(now.map(label));
  const b = new Set(left.map(label));
  const added = [...a].filter((x) => !b.has(x));
  const removed = [...b].filter((x) => !a.has(x));
  return [added.length ? `added ${added.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
}

/** The notification's subject: fewer than 100 printable ASCII characters, as every ml-guard subject. */
export const undoSubject = (status: string, target: string) =>
  `ml-guard UNDO ${status.toUpperCase()}: ${target}`.slice(0, 99).replace(/[^\x20-\x7e]/g, '_');
