import { describe, expect, it } from 'vitest';
import {
  isPrincipalName,
  type Principal,
  parsePrincipalArn,
  parseProtectedEntry,
  protectedEntryFor,
} from '../../functions/core/principals.js';
import { isLongTermKey, isTemporaryKey } from '../../functions/rotate-credentials/access-keys.js';

/**
 * Whether a principal is on the protected list decides whether a function may deactivate its keys, revoke its
 * sessions or stop the jobs that run with it. One row per form of entry and principal, from the IAM identifiers reference (names, ARNs with paths,
 * partitions, assumed-role ARNs) and the access key id prefixes (AKIA long-term, ASIA temporary).
 */
const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const user = (name: string, account = ACCOUNT): Principal => ({ kind: 'user', name, account });
const role = (name: string, account = ACCOUNT): Principal => ({ kind: 'role', name, account });

describe('isPrincipalName', () => {
  it.each<[string, boolean]>([
    ['ml-pipeline-bot', true],
    ['a', true],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['', false],
    ['+=,.@_-', true],
    ['has space', false],
    ['path/name', false],
    ['arn:aws:iam::123456789012:user/x', false],
    ['näme', false],
  ])('%j -> %s', (name, expected) => {
    expect(isPrincipalName(name)).toBe(expected);
  });
});

describe('parseProtectedEntry', () => {
  it.each<[string, ReturnType<typeof parseProtectedEntry>]>([
    ['Admin', { name: 'Admin' }],
    [`arn:aws:iam::${ACCOUNT}:user/ml-pipeline-bot`, { kind: 'user', account: ACCOUNT, name: 'ml-pipeline-bot' }],
    [`arn:aws:iam::${ACCOUNT}:user/division/team/ml-pipeline-bot`, { kind: 'user', account: ACCOUNT, name: 'ml-pipeline-bot' }],
    [`arn:aws:iam::${ACCOUNT}:role/service-role/ml-guard-role`, { kind: 'role', account: ACCOUNT, name: 'ml-guard-role' }],
    [`arn:aws-us-gov:iam::${ACCOUNT}:role/ops`, { kind: 'role', account: ACCOUNT, name: 'ops' }],
    [`arn:aws-cn:iam::${ACCOUNT}:user/ops`, { kind: 'user', account: ACCOUNT, name: 'ops' }],
    [`arn:aws:sts::${ACCOUNT}:assumed-role/ops/session-1`, { kind: 'role', account: ACCOUNT, name: 'ops' }],
    // Not a principal ml-guard can match: refused rather than guessed.
    [`arn:aws-cn:sts::${ACCOUNT}:assumed-role/ops/session-1`, { kind: 'role', account: ACCOUNT, name: 'ops' }],
    [`arn:aws:sts::${ACCOUNT}:assumed-role/ops`, undefined],
    [`xarn:aws:sts::${ACCOUNT}:assumed-role/ops/session-1`, undefined],
    [`arn:aws:sts::${ACCOUNT}:assumed-role/ops/session-1\nops`, undefined],
    [`arn:aws:iam::${ACCOUNT}:group/admins`, undefined],
    ['arn:aws:iam::12345:user/short-account', undefined],
    [`arn:aws:iam::${ACCOUNT}:user/`, undefined],
    [`xarn:aws:iam::${ACCOUNT}:user/ops`, undefined],
    [`arn:aws:iam::${ACCOUNT}:user/ops/`, undefined],
    ['not a name!', undefined],
    ['', undefined],
  ])('%j -> %j', (entry, expected) => {
    expect(parseProtectedEntry(entry)).toEqual(expected);
  });
});

describe('parsePrincipalArn', () => {
  it.each<[string, Principal | undefined]>([
    [`arn:aws:iam::${ACCOUNT}:user/ml-pipeline-bot`, user('ml-pipeline-bot')],
    [`arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123`, role('AWSReservedSSO_Admin_0123')],
    // An assumed-role ARN names a session, not the role as IAM returns it.
    [`arn:aws:sts::${ACCOUNT}:assumed-role/ops/session-1`, undefined],
    ['ml-pipeline-bot', undefined],
  ])('%s -> %j', (arn, expected) => {
    expect(parsePrincipalArn(arn)).toEqual(expected);
  });
});

describe('protectedEntryFor', () => {
  it.each<[string, Principal, string[], string | undefined]>([
    ['a name protects a user of that name', user('ml-pipeline-bot'), ['ml-pipeline-bot'], 'ml-pipeline-bot'],
    ['a name protects a role of that name', role('ops'), ['ops'], 'ops'],
    ['names compare without regard to case', user('Admin'), ['admin'], 'admin'],
    [
      'a user ARN protects that user whatever its path',
      user('bot'),
      [`arn:aws:iam::${ACCOUNT}:user/team/bot`],
      `arn:aws:iam::${ACCOUNT}:user/team/bot`,
    ],
    ['a user ARN does not protect a role of that name', role('bot'), [`arn:aws:iam::${ACCOUNT}:user/bot`], undefined],
    ['a role ARN does not protect a user of that name', user('bot'), [`arn:aws:iam::${ACCOUNT}:role/bot`], undefined],
    ['an ARN of another account protects nothing here', user('bot'), [`arn:aws:iam::${OTHER}:user/bot`], undefined],
    [
      'an assumed-role ARN protects its role',
      role('ops'),
      [`arn:aws:sts::${ACCOUNT}:assumed-role/ops/alice`],
      `arn:aws:sts::${ACCOUNT}:assumed-role/ops/alice`,
    ],
    [
      'an assumed-role ARN does not protect a user of that name',
      user('ops'),
      [`arn:aws:sts::${ACCOUNT}:assumed-role/ops/alice`],
      undefined,
    ],
    ['another name protects nothing', user('bot'), ['bot2', 'bo'], undefined],
    ['an unparseable entry is skipped, the next one still counts', user('bot'), ['not a name!', 'bot'], 'bot'],
    ['the first matching entry is named', user('bot'), [`arn:aws:iam::${ACCOUNT}:user/bot`, 'bot'], `arn:aws:iam::${ACCOUNT}:user/bot`],
    ['an empty list protects nothing', user('bot'), [], undefined],
  ])('%s', (_, principal, entries, expected) => {
    expect(protectedEntryFor(principal, entries)).toBe(expected);
  });
});

describe('access key ids', () => {
  it.each<[string, boolean, boolean]>([
    ['AKIAIOSFODNN7EXAMPLE', true, false],
    ['ASIAIOSFODNN7EXAMPLE', false, true],
    [`AKIA${'A'.repeat(12)}`, true, false],
    [`AKIA${'A'.repeat(11)}`, false, false],
    [`AKIA${'A'.repeat(124)}`, true, false],
    [`AKIA${'A'.repeat(125)}`, false, false],
    ['akiaiosfodnn7example', false, false],
    ['AKIAIOSFODNN7EXAMPLe', false, false],
    ['xAKIAIOSFODNN7EXAMPLE', false, false],
    ['xASIAIOSFODNN7EXAMPLE', false, false],
    ['AROAIOSFODNN7EXAMPLE', false, false],
    ['', false, false],
  ])('%s: long-term %s, temporary %s', (id, longTerm, temporary) => {
    expect(isLongTermKey(id)).toBe(longTerm);
    expect(isTemporaryKey(id)).toBe(temporary);
  });
});
