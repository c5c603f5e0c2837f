import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { ConfigError } from '../../functions/core/errors.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { protectedEntryFor } from '../../functions/core/principals.js';
import { executePlan } from '../../functions/core/remediation/execute.js';
import type { PlanContext } from '../../functions/core/remediation/remediate.js';
import type { Plan } from '../../functions/core/remediation/types.js';
import type { IamAdapter, UserState } from '../../functions/rotate-credentials/observe.js';
import { planTarget } from '../../functions/rotate-credentials/plan.js';
import { coversSessions, revocationPolicy, revocationTime, revokedBefore } from '../../functions/rotate-credentials/revocation.js';
import { runners } from '../../functions/rotate-credentials/runners.js';
import { loadSettings } from '../../functions/rotate-credentials/settings.js';
import type { RotateStep } from '../../functions/rotate-credentials/steps.js';
import type { UserKeyTarget } from '../../functions/rotate-credentials/targets.js';
import { loadEvent } from '../support/events.js';

const NOW = new Date('2026-11-26T03:00:00.000Z');
const context = (env: Record<string, string> = {}): PlanContext => ({
  event: parseEvent(loadEvent('guardduty/unauthorizedaccess-iamuser-toripcaller.json')),
  config: loadConfig({ REMEDIATION_MODE: 'enforce', TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t', ...env }),
  now: NOW,
});
/** What the executor makes of a plan in a mode: enforce mode holds back a plan it could not verify. */
const decided = (plan: Plan<RotateStep>, dryRun: boolean) => executePlan(plan, runners, {} as IamAdapter, { dryRun });
const target: UserKeyTarget = {
  kind: 'user-key',
  account: '123456789012',
  region: 'us-east-1',
  trigger: 'guardduty:f',
  userName: 'bot',
  accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
};
const user = { name: 'bot', id: 'AIDAJQABLZS4A3QDU576Q', arn: 'arn:aws:iam::123456789012:user/bot', path: '/' };
const state = (over: Partial<UserState> = {}): UserState => ({
  kind: 'user',
  gone: false,
  user,
  tags: [],
  keys: [{ accessKeyId: 'AKIAI44QH8DHBEXAMPLE', status: 'Active', createDate: new Date('2026-10-01T00:00:00Z') }],
  revocation: null,
  unreadable: [],
  ...over,
});

describe('the session-revocation policy', () => {
  it('states the time rounded up to the next second, so that the present moment is covered', () => {
    expect(revocationTime(new Date('2026-11-26T03:00:00.001Z'))).toBe('2026-11-26T03:00:01Z');
    expect(revocationTime(new Date('2026-11-26T03:00:00.000Z'))).toBe('2026-11-26T03:00:00Z');
  });

  it('is the document the IAM console writes: deny everything to tokens issued before the time', () => {
    expect(JSON.parse(revocationPolicy('2026-11-26T03:00:00Z'))).toEqual({
      Version: '2012-10-17',
      Statement: {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-26T03:00:00Z' } },
      },
    });
  });

  it('reads the time back from a console-made policy, with statements as a list or an object', () => {
    const listed = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' } } },
      ],
    });

    expect(revokedBefore(revocationPolicy('2026-11-26T03:00:00Z'))).toBe('2026-11-26T03:00:00Z');
    expect(revokedBefore(listed)).toBe('2026-01-01T00:00:00Z');
  });

  it.each([
    ['not JSON', 'not json'],
    [
      'an Allow',
      JSON.stringify({
        Statement: {
          Effect: 'Allow',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' } },
        },
      }),
    ],
    [
      'a deny of some actions only',
      JSON.stringify({
        Statement: {
          Effect: 'Deny',
          Action: 's3:*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' } },
        },
      }),
    ],
    [
      'a deny with another condition too',
      JSON.stringify({
        Statement: {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' }, Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
        },
      }),
    ],
  ])('does not take %s for a revocation', (_, document) => {
    expect(revokedBefore(document)).toBeUndefined();
  });

  it('counts a policy as enough when it is later than the last activity the finding saw', () => {
    const now = '2026-11-26T03:00:00Z';

    expect(coversSessions(revocationPolicy('2026-11-26T02:00:00Z'), now, '2026-11-26T01:59:59Z')).toBe(true);
    expect(coversSessions(revocationPolicy('2026-11-26T02:00:00Z'), now, '2026-11-26T02:00:00Z')).toBe(false);
    expect(coversSessions(revocationPolicy('2026-11-26T02:00:00Z'), now, '2026-11-26T02:30:00Z')).toBe(false);
  });

  it('counts a policy as enough, when the finding does not say when it last saw activity, only if it covers now', () => {
    const now = '2026-11-26T03:00:00Z';

    expect(coversSessions(revocationPolicy(now), now)).toBe(true);
    expect(coversSessions(revocationPolicy('2026-11-26T02:59:59Z'), now)).toBe(false);
    expect(coversSessions(revocationPolicy('2026-11-26T02:59:59Z'), now, '2026-11-27T00:00:00Z')).toBe(false);
    expect(coversSessions(undefined, now, '2026-11-20T00:00:00Z')).toBe(false);
    expect(coversSessions('{"Statement":[]}', now, '2026-11-20T00:00:00Z')).toBe(false);
  });
});

describe('protected principals', () => {
  const bot = { kind: 'user' as const, name: 'Bot', account: '123456789012' };

  it.each([
    ['its name, in any case', ['bot'], 'bot'],
    ['its user ARN with any path', ['arn:aws:iam::123456789012:user/a/b/BOT'], 'arn:aws:iam::123456789012:user/a/b/BOT'],
    ['the first matching entry', ['', 'other', 'Bot', 'bot'], 'Bot'],
  ])('protects a user named by %s', (_, entries, expected) => {
    expect(protectedEntryFor(bot, entries)).toBe(expected);
  });

  it.each([
    ['a role ARN of the same name', ['arn:aws:iam::123456789012:role/bot']],
    ['a user ARN of another account', ['arn:aws:iam::999999999999:user/bot']],
    ['a longer name', ['bot2', 'robot']],
  ])('does not take %s for the user', (_, entries) => {
    expect(protectedEntryFor(bot, entries)).toBeUndefined();
  });

  it('protects a role named by an assumed-role ARN of it', () => {
    expect(
      protectedEntryFor({ kind: 'role', name: 'Ops', account: '123456789012' }, ['arn:aws:sts::123456789012:assumed-role/Ops/session-1']),
    ).toBe('arn:aws:sts::123456789012:assumed-role/Ops/session-1');
  });
});

describe('settings', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('defaults to the ml-guard:access-key-secret tag and 90 days', () => {
    expect(loadSettings({})).toEqual({ secretTagKey: 'ml-guard:access-key-secret', maxAccessKeyAgeDays: 90 });
  });

  it('tolerates the empty item an empty ProtectedPrincipals parameter leaves in the joined list', () => {
    const config = loadConfig({
      PROTECTED_PRINCIPALS:
        ',arn:aws:iam::123456789012:role/stack-RotateCredentialsRole-1AB, arn:aws:iam::123456789012:role/stack-NotifyRole-2CD',
    });

    expect(config.protectedPrincipals).toEqual([
      'arn:aws:iam::123456789012:role/stack-RotateCredentialsRole-1AB',
      'arn:aws:iam::123456789012:role/stack-NotifyRole-2CD',
    ]);
  });

  it.each([
    [{ MAX_ACCESS_KEY_AGE_DAYS: '0' }, [], 'invalid environment: MAX_ACCESS_KEY_AGE_DAYS: expected a whole number of days from 1 to 9999'],
    [
      { MAX_ACCESS_KEY_AGE_DAYS: '90.5' },
      [],
      'invalid environment: MAX_ACCESS_KEY_AGE_DAYS: expected a whole number of days from 1 to 9999',
    ],
  ])('refuses %j with protected %j', (env, _principals, message) => {
    expect(() => loadSettings(env)).toThrow(ConfigError);
    expect(() => loadSettings(env)).toThrow(message);
  });

  it('stops the function at cold start when a setting is wrong', async () => {
    vi.stubEnv('MAX_ACCESS_KEY_AGE_DAYS', 'ninety');
    vi.resetModules();

    await expect(import('../../functions/rotate-credentials/handler.js')).rejects.toThrow(
      'MAX_ACCESS_KEY_AGE_DAYS: expected a whole number of days',
    );
  });
});

describe('planTarget for a compromised user key (pure)', () => {
  it('revokes sessions before deactivating, and never plans to delete anything', () => {
    const plan = planTarget(target, state(), context());

    expect(plan.steps.map((s) => s.kind)).toEqual(['revokeUserSessions', 'deactivateAccessKey']);
    expect(plan.hold).toBeUndefined();
  });

  it('holds back in enforce mode when the user could not be read, but not in dry-run', async () => {
    const unread = state({ user: undefined, unreadable: [{ part: 'user', error: 'AccessDenied: no' }] });

    const enforce = await decided(planTarget(target, unread, context()), false);
    const dry = await decided(planTarget(target, unread, context()), true);

    expect(enforce.status).toBe('failed');
    expect(enforce.reason).toMatch(/^could not read the user: nothing changed, to be safe/);
    expect(enforce.steps.every((s) => s.outcome === 'not-run')).toBe(true);
    expect(dry.status).toBe('planned');
    expect(dry.notes).toContain('could not read the user: AccessDenied: no');
  });

  it('skips a user whose ARN names another account than the finding', () => {
    const plan = planTarget(target, state({ user: { ...user, arn: 'arn:aws:iam::999999999999:user/bot' } }), context());

    expect(plan).toMatchObject({
      hold: 'skipped',
      reason: 'the IAM user bot belongs to account 999999999999, not 123456789012 which the event is about',
    });
  });

  it('rotates a key its secret holds even when the key is already inactive, so the secret works again', () => {
    const inactive = state({
      keys: [{ accessKeyId: 'AKIAI44QH8DHBEXAMPLE', status: 'Inactive', createDate: new Date('2026-10-01T00:00:00Z') }],
      secret: {
        ref: 's',
        metadata: { arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf', name: 's', tags: [], rotationEnabled: false },
        holds: 'AKIAI44QH8DHBEXAMPLE',
      },
    });

    const plan = planTarget(target, inactive, context());

    expect(plan.steps.map((s) => s.kind)).toEqual(['revokeUserSessions', 'rotateKeyIntoSecret']);
    expect(plan.notes).toContain('access key AKIAI44QH8DHBEXAMPLE is already inactive');
  });
});
