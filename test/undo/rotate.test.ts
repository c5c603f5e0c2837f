import { IAMClient } from '@aws-sdk/client-iam';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import * as iamAdapter from '../../functions/core/aws/iam.js';
import { loadConfig } from '../../functions/core/config.js';
import { MemoryJournal } from '../../functions/core/journal/journal.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import { rotateCredentials } from '../../functions/rotate-credentials/handler.js';
import { undoEvent } from '../../scripts/undo/undo.js';
import { type FakeAccount, fakeIam, keyInSecret, secretArn } from '../rotate-credentials/fake-iam.js';
import { loadEvent } from '../support/events.js';
import { undoHarness } from '../support/undo-harness.js';

/**
 * The undo of rotate-credentials against the stateful fake IAM and Secrets Manager: the principal before, the handler
 * in enforce mode (journal in memory), then the undo.
 */
const NOW = new Date('2026-11-26T03:00:00.250Z');
const TOR = 'guardduty/unauthorizedaccess-iamuser-toripcaller.json';
const ASSUMED_ROLE = 'guardduty/unauthorizedaccess-iamuser-maliciousipcaller-custom-assumedrole.json';
const USER = 'ml-pipeline-bot';
const KEY = 'AKIAI44QH8DHBEXAMPLE';
const NEW_KEY = 'AKIANEWKEY0000000001';
const SECRET = 'ml-pipeline-bot/access-key';
const ROLE = 'ml-batch-inference';
const revocation = (before: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': before } } },
  });

undoHarness({ restore: [IAMClient, SecretsManagerClient], now: NOW });

const rotatableUser = (policies?: Record<string, string>): FakeAccount => ({
  users: {
    [USER]: {
      id: 'AIDAJQABLZS4A3QDU576Q',
      tags: [
        { Key: 'team', Value: 'ml-platform' },
        { Key: 'ml-guard:access-key-secret', Value: SECRET },
      ],
      keys: [{ id: KEY, status: 'Active', created: new Date('2026-10-27T00:00:00Z') }],
      ...(policies ? { policies } : {}),
    },
  },
  secrets: [{ name: SECRET, tags: [{ Key: 'ml-guard:access-key-user', Value: USER }], value: keyInSecret(KEY) }],
});

async function contain(account: FakeAccount, eventFile: string, lastSeen?: string) {
  const fake = fakeIam(account, { now: () => NOW });
  const before = structuredClone({ users: fake.users, roles: fake.roles, value: fake.secrets[0]?.value });
  const journal = new MemoryJournal();
  const event = loadEvent(eventFile);
  if (lastSeen) event.detail.service.eventLastSeen = lastSeen;
  const result = await remediate(event, rotateCredentials, {
    functionName: 'rotate-credentials',
    config: loadConfig(process.env),
    aws: iamAdapter,
    now: () => NOW,
    journal,
  });
  expect(result.status).toBe('remediated');
  return { fake, before, journal, key: result.journal?.key as string };
}

const undo = (journal: MemoryJournal, key: string, kinds: string[] = []) =>
  undoEvent({ journal, key, execute: true, kinds, now: () => NOW });

describe('npm run undo on what rotate-credentials did', () => {
  it('reactivates the key, moves the secret back to it and deletes the revocation policy the user did not have', async () => {
    // Prepare
    const { fake, before, journal, key } = await contain(rotatableUser(), TOR);

    // Act
    const report = await undo(journal, key);

    // Assess
    expect(report.status).toBe('undone');
    expect(report.targets[0]?.steps.map((s) => [s.undoes.kind, s.outcome])).toEqual([
      ['deactivateAccessKey', 'done'],
      ['rotateKeyIntoSecret', 'done'],
      ['revokeUserSessions', 'done'],
    ]);
    const user = fake.users[USER];
    expect(user?.keys.find((k) => k.id === KEY)?.status).toBe('Active');
    expect(user?.policies ?? {}).toEqual(before.users[USER]?.policies ?? {});
    expect(fake.secrets[0]?.value).toBe(before.value);
    expect(fake.secrets[0]?.versions?.map((v) => [v.id, v.stages])).toEqual([
      ['version-0', ['AWSCURRENT']],
      ['version-1', ['AWSPREVIOUS']],
    ]);
    // The one difference from before: the replacement key is left for a person to delete.
    expect(user?.keys.map((k) => [k.id, k.status])).toEqual([
      [KEY, 'Active'],
      [NEW_KEY, 'Active'],
    ]);
    expect(report.targets[0]?.steps[1]?.detail).toBe(
      `the key ml-guard created, ${NEW_KEY}, is left active (the secret keeps it as AWSPREVIOUS): delete it once nothing uses it: aws iam delete-access-key --user-name ${USER} --access-key-id ${NEW_KEY}`,
    );
  });

  it("puts back a role's earlier revocation policy byte for byte", async () => {
    const previous = revocation('2026-11-20T08:00:00Z');
    const { fake, journal, key } = await contain(
      { roles: { [ROLE]: { id: 'AROAJBATCHINFERENCE1', policies: { AWSRevokeOlderSessions: previous } } } },
      ASSUMED_ROLE,
      '2026-11-26T02:55:00.000Z',
    );

    const report = await undo(journal, key);

    expect(report.targets[0]?.steps.map((s) => [s.undoes.kind, s.outcome])).toEqual([['revokeRoleSessions', 'done']]);
    expect(fake.roles[ROLE]?.policies).toEqual({ AWSRevokeOlderSessions: previous });
  });

  it("deletes the role's revocation policy when it had none", async () => {
    const { fake, journal, key } = await contain({ roles: { [ROLE]: { id: 'AROAJBATCHINFERENCE1' } } }, ASSUMED_ROLE);

    await undo(journal, key);

    expect(fake.roles[ROLE]?.policies).toEqual({});
  });
});

describe('npm run undo on what rotate-credentials did refuses a step whose resource changed since, and undoes the rest', () => {
  it('refuses to reactivate a key someone reactivated already', async () => {
    const { fake, journal, key } = await contain(rotatableUser(), TOR);
    const old = fake.users[USER]?.keys.find((k) => k.id === KEY);
    if (old) old.status = 'Active';

    const report = await undo(journal, key);

    expect(report.targets[0]?.steps.map((s) => [s.undoes.kind, s.outcome, s.detail?.split(':')[0]])).toEqual([
      ['deactivateAccessKey', 'refused', 'changed since'],
      [
        'rotateKeyIntoSecret',
        'done',
        'the key ml-guard created, AKIANEWKEY0000000001, is left active (the secret keeps it as AWSPREVIOUS)',
      ],
      ['revokeUserSessions', 'done', undefined],
    ]);
    expect(report.targets[0]?.steps[0]?.detail).toBe('changed since: the key is Active again (ml-guard left it Inactive)');
    expect(report.status).toBe('partial');
  });

  it('refuses to move the secret back when it was written again since', async () => {
    const { fake, journal, key } = await contain(rotatableUser(), TOR);
    await new SecretsManagerClient({}).send(
      new PutSecretValueCommand({ SecretId: secretArn(SECRET), SecretString: keyInSecret('AKIAROTATEDBYHAND000') }),
    );
    const value = fake.secrets[0]?.value;

    const report = await undo(journal, key);

    expect(report.targets[0]?.steps[1]).toMatchObject({
      undoes: { kind: 'rotateKeyIntoSecret' },
      outcome: 'refused',
      detail: 'changed since: AWSCURRENT is version version-2, not version-1, which ml-guard stored (the secret was written again)',
    });
    expect(fake.secrets[0]?.value).toBe(value);
    expect(report.targets[0]?.steps.filter((s) => s.outcome === 'done')).toHaveLength(2);
  });

  it("refuses to put back a role's revocation policy that was deleted since", async () => {
    const { fake, journal, key } = await contain({ roles: { [ROLE]: { id: 'AROAJBATCHINFERENCE1' } } }, ASSUMED_ROLE);
    const role = fake.roles[ROLE];
    if (role) role.policies = {};

    const report = await undo(journal, key);

    expect(report.targets[0]?.steps[0]).toMatchObject({
      undoes: { kind: 'revokeRoleSessions' },
      outcome: 'refused',
      detail: 'changed since: the policy ml-guard put was deleted',
    });
    expect(report.status).toBe('refused');
  });

  it('refuses to remove a revocation policy that was moved again since', async () => {
    const { fake, journal, key } = await contain(rotatableUser(), TOR);
    const user = fake.users[USER];
    if (user) user.policies = { AWSRevokeOlderSessions: revocation('2026-11-27T00:00:00Z') };

    const report = await undo(journal, key);

    expect(report.targets[0]?.steps[2]).toMatchObject({
      undoes: { kind: 'revokeUserSessions' },
      outcome: 'refused',
      detail: 'changed since: the policy is not the text ml-guard put (sessions were revoked again, or it was edited)',
    });
    expect(user?.policies).toEqual({ AWSRevokeOlderSessions: revocation('2026-11-27T00:00:00Z') });
    expect(user?.keys.find((k) => k.id === KEY)?.status).toBe('Active');
  });
});
