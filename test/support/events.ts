import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const EVENTS = join(import.meta.dirname, '..', '..', 'events');

/** A fresh copy of a sample event from events/, to change only what a case needs. */
export function loadEvent<T = any>(path: string): T {
  return JSON.parse(readFileSync(join(EVENTS, path), 'utf8')) as T;
}

/** Every sample event file under events/, as paths relative to it (`guardduty/x.json`). */
export function allEventPaths(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return walk(path);
      return name.endsWith('.json') ? [relative(EVENTS, path)] : [];
    });
  return walk(EVENTS).sort();
}

/**
 * The account an event is about (a GuardDuty finding's `accountId`, a Config change's `awsAccountId`, else the envelope's
 * `account`): a test that runs ml-guard as deployed in that account (single-account mode) passes it as the own account.
 */
export function accountAbout(event: any): string {
  return event?.detail?.accountId ?? event?.detail?.awsAccountId ?? event?.account;
}
