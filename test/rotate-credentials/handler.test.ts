import { execFileSync } from 'node:child_process';
import {
  CreateAccessKeyCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  PutRolePolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  DecryptionFailure,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  PutSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '../../functions/core/audit/record.js';
import { useAuditSink } from '../../functions/core/audit/sink.js';
import * as iamAdapter from '../../functions/core/aws/iam.js';
import { loadConfig } from '../../functions/core/config.js';
import { describeError } from '../../functions/core/errors.js';
import { MemoryJournal } from '../../functions/core/journal/journal.js';
import { logger } from '../../functions/core/observability.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { handler, rotateCredentials } from '../../functions/rotate-credentials/handler.js';
import { loadEvent } from '../support/events.js';
import { handlerHarness } from '../support/handler-harness.js';
import { ACCOUNT, type FakeAccount, type FakeUser, fakeIam, keyInSecret, secretArn, WRITE_COMMANDS } from './fake-iam.js';

const NOW = new Date('2026-11-26T03:00:00.250Z');
/** NOW rounded up to the second, as the revocation policy states it. */
const REVOKED_BEFORE = '2026-11-26T03:00:01Z';
const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

const TOR = 'guardduty/unauthorizedaccess-iamuser-toripcaller.json';
const ANOMALOUS = 'guardduty/credentialaccess-iamuser-anomalousbehavior.json';
const ASSUMED_ROLE = 'guardduty/unauthorizedaccess-iamuser-maliciousipcaller-custom-assumedrole.json';
const ROOT = 'guardduty/policy-iamuser-rootcredentialusage.json';
const FEDERATED = 'guardduty/unauthorizedaccess-iamuser-toripcaller-federateduser.json';
const CONFIG = 'config/access-keys-rotated-noncompliant.json';

const USER = 'ml-pipeline-bot';
const KEY = 'AKIAI44QH8DHBEXAMPLE';
const OTHER_KEY = 'AKIAIOTHERKEYEXAMPLE';
const USER_ID = 'AIDAJQABLZS4A3QDU576Q';
const SECRET = 'ml-pipeline-bot/access-key';
const ROLE = 'ml-batch-inference';
const OLD_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYOLDSECRET';

const revocation = (before: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': before } } },
  });

/** An IAM user whose key is compromised, tagged with the secret that holds that key (and the secret naming it back). */
function rotatableUser(overrides: Partial<FakeUser> = {}): FakeAccount {
  return {
    users: {
      [USER]: {
        id: USER_ID,
        tags: [
          { Key: 'team', Value: 'ml-platform' },
          { Key: 'ml-guard:access-key-secret', Value: SECRET },
        ],
        keys: [{ id: KEY, status: 'Active', created: daysAgo(30) }],
        ...overrides,
      },
    },
    secrets: [{ name: SECRET, tags: [{ Key: 'ml-guard:access-key-user', Value: USER }], value: keyInSecret(KEY, OLD_SECRET_ACCESS_KEY) }],
  };
}

const { sns, context, published } = handlerHarness({
  functionName: 'rotate-credentials',
  now: NOW,
  region: 'us-east-1',
  account: ACCOUNT,
  restore: [IAMClient, SecretsManagerClient],
});

const invoke = (event: unknown) => handler(event, context) as Promise<EventResult>;
const run = (event: unknown, env: Record<string, string> = {}) =>
  remediate(event, rotateCredentials, {
    functionName: 'rotate-credentials',
    config: loadConfig({ ...process.env, ...env }),
    aws: iamAdapter,
    now: () => NOW,
  });
/** Reads a closed event back from a journal (a claim after it closed is refused and returns what it holds). */
const claimAfter = { function: 'rotate-credentials', eventId: 'read-back', owner: 'reader', leaseMs: 1 };
const dryRun = (event: unknown) => run(event, { REMEDIATION_MODE: 'dry-run' });

type Fake = ReturnType<typeof fakeIam>;
/** The write commands sent to IAM and Secrets Manager, in the order they were sent, as [command, input]. */
const writes = (fake: Fake) =>
  [...fake.iam.calls(), ...fake.sm.calls()]
    .filter((call) => WRITE_COMMANDS.some((command) => call.args[0] instanceof command))
    .sort((a, b) => callId(a) - callId(b))
    .map((call) => [call.args[0].constructor.name, call.args[0].input as Record<string, unknown>] as const);
/** Sinon numbers every call of every stub in order (not in its types). */
const callId = (call: unknown) => (call as { callId: number }).callId;

describe('rotate-credentials on an IAM user whose key a finding names', () => {
  it("revokes the user's sessions, rotates the key into its secret, then deactivates it", async () => {
    // Prepare
    const fake = fakeIam(rotatableUser(), { now: () => NOW });

    // Act
    const result = await invoke(loadEvent(TOR));

    // Assess
    expect(result.status).toBe('remediated');
    expect(result.targets[0]?.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['revokeUserSessions', 'done'],
      ['rotateKeyIntoSecret', 'done'],
      ['deactivateAccessKey', 'done'],
    ]);
    const newKey = 'AKIANEWKEY0000000001';
    expect(writes(fake)).toEqual([
      ['PutUserPolicyCommand', { UserName: USER, PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revocation(REVOKED_BEFORE) }],
      ['CreateAccessKeyCommand', { UserName: USER }],
      ['PutSecretValueCommand', { SecretId: secretArn(SECRET), SecretString: keyInSecret(newKey, fake.issuedSecrets[0]) }],
      ['UpdateAccessKeyCommand', { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' }],
    ]);
    expect(fake.users[USER]?.keys.map((k) => [k.id, k.status])).toEqual([
      [KEY, 'Inactive'],
      [newKey, 'Active'],
    ]);
    expect(result.targets[0]?.steps[1]?.detail).toBe(
      `new key ${newKey} is the current value of ${SECRET} (version version-1); ${KEY} is kept as AWSPREVIOUS`,
    );
  });

  it('notifies with the key, the steps and how to undo each', async () => {
    fakeIam(rotatableUser(), { now: () => NOW });

    await invoke(loadEvent(TOR));

    const [message] = published();
    expect(published()).toHaveLength(1);
    expect(message?.subject).toMatch(/^ml-guard REMEDIATED: ml-pipeline-bot/);
    expect(message?.attributes).toEqual({ source: 'guardduty', severity: 'MEDIUM', status: 'remediated', function: 'rotate-credentials' });
    expect(message?.text).toContain(`[done] Deactivate access key ${KEY} of ${USER}; it is kept, not deleted`);
    expect(message?.text).toContain(`undo: aws iam update-access-key --user-name ${USER} --access-key-id ${KEY} --status Active`);
    expect(message?.text).toContain(`undo: aws iam delete-user-policy --user-name ${USER} --policy-name AWSRevokeOlderSessions`);
    expect(message?.json).toMatchObject({ status: 'remediated', findingId: '4ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5', source: 'guardduty' });
  });

  it('never writes the new secret access key to the logs, the result, the notification or the journal', async () => {
    // Prepare
    const fake = fakeIam(rotatableUser(), { now: () => NOW });
    const journal = new MemoryJournal();
    const output: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: unknown) => {
      output.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    logger.setLogLevel('DEBUG');

    // Act
    let result: EventResult;
    try {
      // Called without the middy middleware, which restores the configured log level (SILENT in tests) per invocation.
      result = await remediate(loadEvent(TOR), rotateCredentials, {
        functionName: 'rotate-credentials',
        config: loadConfig(process.env),
        aws: iamAdapter,
        now: () => NOW,
        journal,
      });
    } finally {
      logger.setLogLevel('SILENT');
      process.stdout.write = write;
    }

    // Assess
    const secretAccessKey = fake.issuedSecrets[0] as string;
    const logs = output.join('');
    expect(logs).toContain('"message":"event handled"');
    expect(logs).toContain('"message":"plan"');
    expect(logs).toContain('AKIANEWKEY0000000001');
    expect(logs).not.toContain(secretAccessKey);
    expect(logs).not.toContain(OLD_SECRET_ACCESS_KEY);
    expect(JSON.stringify(result)).not.toContain(secretAccessKey);
    expect(JSON.stringify(sns.commandCalls(PublishCommand).map((c) => c.args[0].input))).not.toContain(secretAccessKey);
    expect(fake.secrets[0]?.value).toBe(keyInSecret('AKIANEWKEY0000000001', secretAccessKey));
    const journaled = await journal.claim(result.journal?.key ?? '', { ...claimAfter, now: NOW });
    expect(journaled.targets[0]?.steps.map((s) => s.data?.kind)).toEqual([
      'revokeUserSessions',
      'rotateKeyIntoSecret',
      'deactivateAccessKey',
    ]);
    expect(JSON.stringify(journaled)).toContain('AKIANEWKEY0000000001');
    expect(JSON.stringify(journaled)).not.toContain(secretAccessKey);
    expect(JSON.stringify(journaled)).not.toContain(OLD_SECRET_ACCESS_KEY);
  });

  it('keeps the new key out of any string or JSON it could be printed into', async () => {
    fakeIam(rotatableUser(), { now: () => NOW });

    const key = await iamAdapter.createAccessKey(USER);

    const secretAccessKey = key.secretAccessKey.reveal();
    expect(secretAccessKey).toMatch(/NEWSECRET1$/);
    expect(JSON.stringify(key)).toBe('{"accessKeyId":"AKIANEWKEY0000000001","secretAccessKey":"[redacted]"}');
    expect(`${key.secretAccessKey}`).toBe('[redacted]');
    expect((await import('node:util')).inspect(key)).not.toContain(secretAccessKey);
  });

  it('keeps the new secret access key out of the audit record, which names the new key by its id', async () => {
    const fake = fakeIam(rotatableUser(), { now: () => NOW });
    const records: AuditRecord[] = [];
    useAuditSink({
      location: 'memory:',
      write: async (_key, record) => {
        records.push(record);
        return 'written';
      },
    });

    try {
      await invoke(loadEvent(TOR));
    } finally {
      useAuditSink(undefined);
    }

    const text = JSON.stringify(records);
    expect(records).toHaveLength(1);
    expect(fake.issuedSecrets).toHaveLength(1);
    expect(text).not.toContain(fake.issuedSecrets[0]);
    expect(text).not.toContain(OLD_SECRET_ACCESS_KEY);
    expect(text).not.toMatch(/SecretAccessKey|NEWSECRET|OLDSECRET/);
    expect(text).toContain('AKIANEWKEY0000000001');
  });

  it('deactivates the key without a replacement when the user names no secret', async () => {
    const fake = fakeIam({ users: { [USER]: { id: USER_ID, keys: [{ id: KEY, status: 'Active', created: daysAgo(30) }] } } });

    const result = await invoke(loadEvent(TOR));

    expect(result.status).toBe('remediated');
    expect(writes(fake).map(([command]) => command)).toEqual(['PutUserPolicyCommand', 'UpdateAccessKeyCommand']);
    expect(result.targets[0]?.notes).toContain(
      `${USER} has no tag ml-guard:access-key-secret: ${KEY} is deactivated without a replacement (tag the user with the secret that holds its key to have ml-guard rotate it)`,
    );
  });

  it('contains the key even when IAM refuses a replacement because the user already has two keys, and touches the other key not at all', async () => {
    // Prepare
    const account = rotatableUser({
      keys: [
        { id: KEY, status: 'Active', created: daysAgo(30) },
        { id: OTHER_KEY, status: 'Active', created: daysAgo(10) },
      ],
    });
    const fake = fakeIam(account);

    // Act
    const result = await invoke(loadEvent(TOR));

    // Assess
    expect(result.status).toBe('partial');
    const [revoke, rotate, deactivate] = result.targets[0]?.steps ?? [];
    expect(revoke?.outcome).toBe('done');
    expect(rotate).toMatchObject({ outcome: 'failed' });
    expect(rotate?.summary).toContain(
      `(${USER} already has 2 access keys, the most IAM allows: IAM will refuse; no other key is deactivated or deleted to make room)`,
    );
    expect(rotate?.detail).toBe(
      `AccessKeyLimitError: IAM user ${USER} already has 2 access keys, the most IAM allows: no replacement was made, and no other key was deactivated or deleted to make room; delete the key that is no longer used, then rotate ${KEY} by hand`,
    );
    expect(deactivate?.outcome).toBe('done');
    expect(fake.iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input.AccessKeyId)).toEqual([KEY]);
    expect(fake.users[USER]?.keys.map((k) => [k.id, k.status])).toEqual([
      [KEY, 'Inactive'],
      [OTHER_KEY, 'Active'],
    ]);
    expect(fake.sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(published()[0]?.attributes.severity).toBe('HIGH');
  });

  it('reports a new key it could not store, leaves that key as it is, and still deactivates the compromised one', async () => {
    // Prepare
    const fake = fakeIam(rotatableUser(), { now: () => NOW });
    fake.sm.on(PutSecretValueCommand).rejects(
      new SecretsManagerServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Access to KMS is not allowed',
      }),
    );

    // Act
    const result = await invoke(loadEvent(TOR));

    // Assess
    expect(result.status).toBe('partial');
    const rotate = result.targets[0]?.steps[1];
    expect(rotate?.outcome).toBe('failed');
    expect(rotate?.detail).toBe(
      `RotationIncompleteError: created access key AKIANEWKEY0000000001 but could not store it in the secret ${SECRET} (AccessDeniedException: Access to KMS is not allowed): its secret access key is lost, so the key is unusable; it was left active and unused: delete it (aws iam delete-access-key --user-name ${USER} --access-key-id AKIANEWKEY0000000001) and rotate by hand`,
    );
    expect(result.targets[0]?.steps[2]).toMatchObject({ kind: 'deactivateAccessKey', outcome: 'done' });
    expect(fake.users[USER]?.keys.map((k) => [k.id, k.status])).toEqual([
      [KEY, 'Inactive'],
      ['AKIANEWKEY0000000001', 'Active'],
    ]);
    expect(fake.secrets[0]?.value).toBe(keyInSecret(KEY, OLD_SECRET_ACCESS_KEY));
    expect(JSON.stringify(result)).not.toContain(fake.issuedSecrets[0]);
  });

  it('leaves one inactive key, one revocation policy and one rotation when the same finding arrives twice', async () => {
    // Prepare
    const fake = fakeIam(rotatableUser(), { now: () => NOW });
    const event = loadEvent(TOR);
    await invoke(event);
    const secretAfterFirst = fake.secrets[0]?.value;

    // Act
    vi.setSystemTime(new Date(NOW.getTime() + 60_000));
    const second = await invoke(event);

    // Assess
    expect(fake.iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(1);
    expect(fake.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    expect(fake.sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(fake.users[USER]?.keys.map((k) => [k.id, k.status])).toEqual([
      [KEY, 'Inactive'],
      ['AKIANEWKEY0000000001', 'Active'],
    ]);
    expect(Object.keys(fake.users[USER]?.policies ?? {})).toEqual(['AWSRevokeOlderSessions']);
    expect(fake.users[USER]?.policies?.AWSRevokeOlderSessions).toBe(revocation(REVOKED_BEFORE));
    expect(fake.secrets[0]?.value).toBe(secretAfterFirst);
    expect(writes(fake)).toHaveLength(4);
    expect(second).toMatchObject({ status: 'already-compliant', reason: `${USER} is already contained: nothing to change` });
    expect(second.targets[0]?.notes).toEqual([
      `the inline policy AWSRevokeOlderSessions already denies the sessions of ${USER} issued before ${REVOKED_BEFORE}, later than the last activity the finding saw (2017-12-08T15:32:49Z)`,
      `the secret ${SECRET} already holds another active key of ${USER}, AKIANEWKEY0000000001: no rotation needed (already rotated)`,
      `access key ${KEY} is already inactive`,
    ]);
  });

  it('moves the revocation forward when an update of the finding reports activity after it', async () => {
    const fake = fakeIam({
      users: {
        [USER]: {
          id: USER_ID,
          keys: [{ id: KEY, status: 'Inactive', created: daysAgo(30) }],
          policies: { AWSRevokeOlderSessions: revocation('2026-11-25T00:00:00Z') },
        },
      },
    });
    const event = loadEvent(TOR);
    event.detail.service.eventLastSeen = '2026-11-26T02:40:00Z';

    const result = await invoke(event);

    expect(writes(fake)).toEqual([
      ['PutUserPolicyCommand', { UserName: USER, PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revocation(REVOKED_BEFORE) }],
    ]);
    expect(result.targets[0]?.steps[0]?.summary).toBe(
      `Move the inline policy AWSRevokeOlderSessions of ${USER} forward to deny every session issued before ${REVOKED_BEFORE} (it denied those before 2026-11-25T00:00:00Z)`,
    );
  });

  it('does not deactivate again a key that is already inactive', async () => {
    const fake = fakeIam({
      users: {
        [USER]: {
          id: USER_ID,
          keys: [{ id: KEY, status: 'Inactive', created: daysAgo(30) }],
          policies: { AWSRevokeOlderSessions: revocation('2026-11-26T03:00:05Z') },
        },
      },
    });

    const result = await invoke(loadEvent(TOR));

    expect(result.status).toBe('already-compliant');
    expect(result.reason).toBe(`${USER} is already contained: nothing to change`);
    expect(result.targets[0]?.notes).toEqual([
      `the inline policy AWSRevokeOlderSessions already denies the sessions of ${USER} issued before 2026-11-26T03:00:05Z, later than the last activity the finding saw (2017-12-08T15:32:49Z)`,
      `access key ${KEY} is already inactive`,
    ]);
    expect(writes(fake)).toEqual([]);
  });

  it("changes no key that is not one of the user's, and still revokes the user's sessions", async () => {
    const fake = fakeIam({ users: { [USER]: { id: USER_ID, keys: [{ id: OTHER_KEY, status: 'Active', created: daysAgo(3) }] } } });

    const result = await invoke(loadEvent(TOR));

    expect(writes(fake).map(([command]) => command)).toEqual(['PutUserPolicyCommand']);
    expect(result.targets[0]?.notes).toContain(
      `access key ${KEY} is not a key of ${USER} (deleted, or of another user): no key was deactivated`,
    );
  });

  it('revokes the sessions of temporary credentials and deactivates no key, since the finding does not name the long-term one', async () => {
    const fake = fakeIam(rotatableUser());
    const event = loadEvent(TOR);
    event.detail.resource.accessKeyDetails.accessKeyId = 'ASIAQCONSOLESESSION1';

    const result = await invoke(event);

    expect(writes(fake).map(([command]) => command)).toEqual(['PutUserPolicyCommand']);
    expect(result.targets[0]?.notes?.[0]).toMatch(/^ASIAQCONSOLESESSION1 is a temporary credential: the session revocation denies it/);
  });

  it("reads every page of the user's tags and keys", async () => {
    const account = rotatableUser({
      tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
        { Key: 'ml-guard:exempt', Value: 'break-glass user' },
      ],
      keys: [
        { id: OTHER_KEY, status: 'Active', created: daysAgo(3) },
        { id: KEY, status: 'Active', created: daysAgo(30) },
      ],
    });
    const fake = fakeIam(account, { pageSize: 1 });

    const result = await invoke(loadEvent(TOR));

    expect(fake.iam.commandCalls(ListUserTagsCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, '1', '2']);
    expect(fake.iam.commandCalls(ListAccessKeysCommand).map((c) => [c.args[0].input.UserName, c.args[0].input.Marker])).toEqual([
      [USER, undefined],
      [USER, '1'],
    ]);
    expect(result).toMatchObject({
      status: 'skipped',
      reason: `the IAM user ${USER} carries the exemption tag ml-guard:exempt=break-glass user`,
    });
  });

  it('does not use a secret that does not name the user back, and reads no value from it', async () => {
    const account = rotatableUser();
    (account.secrets ?? [])[0]!.tags = [{ Key: 'ml-guard:access-key-user', Value: 'someone-else' }];
    const fake = fakeIam(account);

    const result = await invoke(loadEvent(TOR));

    expect(fake.sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(writes(fake).map(([command]) => command)).toEqual(['PutUserPolicyCommand', 'UpdateAccessKeyCommand']);
    expect(result.targets[0]?.notes).toContain(
      `no replacement key: the secret ${SECRET} is not used because it does not carry the tag ml-guard:access-key-user=${USER} (it says someone-else)`,
    );
  });

  it.each([
    ['by name', USER],
    ['by name in another case', 'ML-Pipeline-Bot'],
    ['by ARN with a path', `arn:aws:iam::${ACCOUNT}:user/automation/${USER}`],
  ])('never touches a protected user named %s in PROTECTED_PRINCIPALS', async (_, entry) => {
    const fake = fakeIam(rotatableUser());

    const result = await run(loadEvent(TOR), { PROTECTED_PRINCIPALS: `${entry},` });

    expect(result.status).toBe('skipped');
    expect(result.reason).toBe(`the IAM user ${USER} is protected (PROTECTED_PRINCIPALS: ${entry}): nothing is changed`);
    expect(writes(fake)).toEqual([]);
  });

  it('does not take a role ARN, or a user of another account, for the user', async () => {
    fakeIam(rotatableUser());

    const result = await run(loadEvent(TOR), {
      PROTECTED_PRINCIPALS: `arn:aws:iam::${ACCOUNT}:role/${USER},arn:aws:iam::999999999999:user/${USER}`,
    });

    expect(result.status).toBe('remediated');
  });

  it('changes nothing for a user of the same name but another id than the finding names (deleted and re-created since)', async () => {
    const fake = fakeIam(rotatableUser({ id: 'AIDANEWUSERSAMENAME1' }));

    const result = await invoke(loadEvent(TOR));

    expect(result).toMatchObject({
      status: 'skipped',
      reason: `the IAM user ${USER} is not the one the finding names: its id is AIDANEWUSERSAMENAME1, the finding's is ${USER_ID} (deleted and re-created under the same name since?), so nothing is changed`,
    });
    expect(writes(fake)).toEqual([]);
  });

  it('writes no new key into a secret carrying the exemption tag, and still deactivates the compromised key', async () => {
    const account = rotatableUser();
    account.secrets![0]!.tags!.push({ Key: 'ml-guard:exempt', Value: 'migrating' });
    const fake = fakeIam(account);

    const result = await invoke(loadEvent(TOR));

    expect(writes(fake).map(([command]) => command)).toEqual(['PutUserPolicyCommand', 'UpdateAccessKeyCommand']);
    expect(fake.secrets[0]?.value).toBe(keyInSecret(KEY, OLD_SECRET_ACCESS_KEY));
    expect(result.targets[0]?.notes).toContain(
      `no replacement key: the secret ${SECRET} carries the exemption tag ml-guard:exempt=migrating, so ml-guard does not write to it`,
    );
  });

  it.each([
    ['cannot be read (DecryptionFailure)', undefined, `could not be read, so it may hold ${KEY}: if it does,`],
    [
      'holds the key in a format it cannot rotate',
      `aws_access_key_id=${KEY}`,
      `holds ${KEY} in a format ml-guard cannot rotate (not a {"AccessKeyId", "SecretAccessKey"} JSON value):`,
    ],
  ])(
    "still deactivates the compromised key when its secret %s, and warns that the secret's consumers may break",
    async (_, value, says) => {
      // Prepare
      const account = rotatableUser();
      if (value) account.secrets![0]!.value = value;
      const fake = fakeIam(account);
      if (!value) {
        fake.sm.on(GetSecretValueCommand).rejects(
          new DecryptionFailure({
            $metadata: { httpStatusCode: 400 },
            message: "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
          }),
        );
      }

      // Act
      const result = await invoke(loadEvent(TOR));

      // Assess
      expect(result.status).toBe('remediated');
      expect(writes(fake)).toEqual([
        ['PutUserPolicyCommand', { UserName: USER, PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revocation(REVOKED_BEFORE) }],
        ['UpdateAccessKeyCommand', { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' }],
      ]);
      expect(fake.users[USER]?.keys.map((k) => [k.id, k.status])).toEqual([[KEY, 'Inactive']]);
      expect(result.targets[0]?.notes).toContain(
        `no replacement key: the secret ${SECRET} ${says} its consumers break once ${KEY} is inactive (containment comes first: an attacker may hold the key); store a new key there by hand`,
      );
    },
  );

  it("changes nothing in enforce mode when the user's tags cannot be read", async () => {
    const fake = fakeIam(rotatableUser());
    fake.iam
      .on(ListUserTagsCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform: iam:ListUserTags'), { name: 'AccessDenied' }));

    const result = await invoke(loadEvent(TOR));

    expect(result.status).toBe('failed');
    expect(result.reason).toBe(
      'could not read its tags: nothing changed, to be safe (the account, protection and exemption could not be checked)',
    );
    expect(result.targets[0]?.steps.every((s) => s.outcome === 'not-run')).toBe(true);
    expect(writes(fake)).toEqual([]);
  });

  it('skips a user that no longer exists', async () => {
    const fake = fakeIam({});

    const result = await invoke(loadEvent(TOR));

    expect(result).toMatchObject({ status: 'skipped', reason: `the IAM user ${USER} no longer exists` });
    expect(writes(fake)).toEqual([]);
  });

  it('acts on the user an AnomalousBehavior finding names', async () => {
    const fake = fakeIam({
      users: {
        'feature-store-sync': { id: 'AIDAIOSFODNN7FEATURE', keys: [{ id: 'AKIAJFEATURESTOREEX1', status: 'Active', created: daysAgo(5) }] },
      },
    });

    const result = await invoke(loadEvent(ANOMALOUS));

    expect(result.status).toBe('remediated');
    expect(writes(fake)).toContainEqual([
      'UpdateAccessKeyCommand',
      { UserName: 'feature-store-sync', AccessKeyId: 'AKIAJFEATURESTOREEX1', Status: 'Inactive' },
    ]);
  });
});

describe('rotate-credentials in dry-run', () => {
  it('sends no write command and reports the rotation it would make', async () => {
    const fake = fakeIam(rotatableUser());

    const result = await dryRun(loadEvent(TOR));

    expect(result).toMatchObject({ status: 'planned', mode: 'dry-run' });
    expect(result.targets[0]?.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['revokeUserSessions', 'would-do'],
      ['rotateKeyIntoSecret', 'would-do'],
      ['deactivateAccessKey', 'would-do'],
    ]);
    expect(result.targets[0]?.steps[1]?.summary).toBe(
      `Create a new access key for ${USER} and store it in the secret ${SECRET}, which holds ${KEY}`,
    );
    expect(writes(fake)).toEqual([]);
    expect(published()[0]?.text).toContain('Dry-run: nothing was changed.');
  });

  it('plans from the event alone when nothing can be read, and says what it could not read', async () => {
    const credentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const iam = mockClient(IAMClient);
    const sm = mockClient(SecretsManagerClient);
    iam.onAnyCommand().rejects(credentials);
    sm.onAnyCommand().rejects(credentials);

    const result = await dryRun(loadEvent(TOR));

    expect(result.status).toBe('planned');
    expect(result.targets[0]?.notes?.[0]).toBe(
      'could not read the user, tags, access keys, revocation policy: CredentialsProviderError: Could not load credentials from any providers',
    );
    expect(result.targets[0]?.steps.map((s) => s.summary)).toEqual([
      `Deny every session of ${USER} issued before ${REVOKED_BEFORE} with the inline policy AWSRevokeOlderSessions (whether it exists could not be read)`,
      `Deactivate access key ${KEY} of ${USER} (its status could not be read); it is kept, not deleted`,
    ]);
    expect(iam.calls().filter((c) => WRITE_COMMANDS.some((w) => c.args[0] instanceof w))).toEqual([]);
  });
});

describe('rotate-credentials on an assumed role', () => {
  it("revokes the role's active sessions with AWSRevokeOlderSessions, as the IAM console does", async () => {
    const fake = fakeIam({ roles: { [ROLE]: { id: 'AROAJBATCHINFERENCE1', path: '/ml/' } } });

    const result = await invoke(loadEvent(ASSUMED_ROLE));

    expect(result.status).toBe('remediated');
    expect(writes(fake)).toEqual([
      ['PutRolePolicyCommand', { RoleName: ROLE, PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revocation(REVOKED_BEFORE) }],
    ]);
    expect(result.targets[0]?.target).toEqual({ type: 'AWS::IAM::Role', id: ROLE, arn: `arn:aws:iam::${ACCOUNT}:role/ml/${ROLE}` });
    expect(result.targets[0]?.steps[0]?.undo).toBe(`aws iam delete-role-policy --role-name ${ROLE} --policy-name AWSRevokeOlderSessions`);
  });

  it('moves the time of an existing AWSRevokeOlderSessions forward, and says how to put the old one back', async () => {
    const previous = revocation('2026-11-20T08:00:00Z');
    const fake = fakeIam({ roles: { [ROLE]: { id: 'AROAJBATCHINFERENCE1', policies: { AWSRevokeOlderSessions: previous } } } });
    const event = loadEvent(ASSUMED_ROLE);
    event.detail.service.eventLastSeen = '2026-11-26T02:55:00.000Z';

    const result = await invoke(event);

    expect(fake.roles[ROLE]?.policies).toEqual({ AWSRevokeOlderSessions: revocation(REVOKED_BEFORE) });
    expect(result.targets[0]?.steps[0]).toMatchObject({
      summary: `Move the inline policy AWSRevokeOlderSessions of ${ROLE} forward to deny every session issued before ${REVOKED_BEFORE} (it denied those before 2026-11-20T08:00:00Z)`,
      undo: `put the previous document back: aws iam put-role-policy --role-name ${ROLE} --policy-name AWSRevokeOlderSessions --policy-document '${previous}'`,
    });
  });

  it('changes nothing for a role of the same name but another id than the finding names (deleted and re-created since)', async () => {
    const fake = fakeIam({ roles: { [ROLE]: { id: 'AROANEWROLESAMENAME1' } } });

    const result = await invoke(loadEvent(ASSUMED_ROLE));

    expect(result).toMatchObject({
      status: 'skipped',
      reason: `the IAM role ${ROLE} is not the one the finding names: its id is AROANEWROLESAMENAME1, the finding's is AROAJBATCHINFERENCE1 (deleted and re-created under the same name since?), so nothing is changed`,
    });
    expect(writes(fake)).toEqual([]);
  });

  it('quotes the previous document in the undo command so that a shell gets it back as it was, quotes included', async () => {
    // Prepare: whoever could write the policy chose its text, a single quote and a command included.
    const previous = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-20T08:00:00Z' } } },
        { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { StringLike: { 'aws:UserAgent': "*'; echo injected; echo '*" } } },
      ],
    });
    fakeIam({ roles: { [ROLE]: { id: 'AROAJBATCHINFERENCE1', policies: { AWSRevokeOlderSessions: previous } } } });
    const event = loadEvent(ASSUMED_ROLE);
    event.detail.service.eventLastSeen = '2026-11-26T02:55:00.000Z';

    // Act
    const result = await invoke(event);

    // Assess
    const undo = result.targets[0]?.steps[0]?.undo ?? '';
    const word = undo.slice(undo.indexOf('--policy-document ') + '--policy-document '.length);
    expect(execFileSync('sh', ['-c', `printf '%s' ${word}`], { encoding: 'utf8' })).toBe(previous);
  });

  it('leaves an existing AWSRevokeOlderSessions that is later than the activity the finding saw', async () => {
    const fake = fakeIam({
      roles: { [ROLE]: { id: 'AROAJBATCHINFERENCE1', policies: { AWSRevokeOlderSessions: revocation('2026-11-20T08:00:00Z') } } },
    });

    const result = await invoke(loadEvent(ASSUMED_ROLE));

    expect(result).toMatchObject({ status: 'already-compliant', reason: `the sessions of ${ROLE} are already revoked: nothing to change` });
    expect(writes(fake)).toEqual([]);
  });

  it('notifies, and changes nothing, for a service-linked role', async () => {
    const fake = fakeIam({ roles: { [ROLE]: { id: 'AROAJBATCHINFERENCE1', path: '/aws-service-role/sagemaker.amazonaws.com/' } } });

    const result = await invoke(loadEvent(ASSUMED_ROLE));

    expect(result.status).toBe('notified');
    expect(result.reason).toMatch(new RegExp(`^${ROLE} is a service-linked role: IAM lets no one change its policies`));
    expect(fake.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(published()).toHaveLength(1);
  });

  it("never revokes the sessions of the stack's own roles, named by ARN in PROTECTED_PRINCIPALS", async () => {
    const fake = fakeIam({ roles: { [ROLE]: { id: 'AROAJBATCHINFERENCE1' } } });
    const ownRoles = `,arn:aws:iam::${ACCOUNT}:role/ml-guard-RotateCredentialsRole-1A2B3C,arn:aws:iam::${ACCOUNT}:role/${ROLE}`;

    const result = await run(loadEvent(ASSUMED_ROLE), { PROTECTED_PRINCIPALS: ownRoles });

    expect(result).toMatchObject({
      status: 'skipped',
      reason: `the IAM role ${ROLE} is protected (PROTECTED_PRINCIPALS: arn:aws:iam::${ACCOUNT}:role/${ROLE}): nothing is changed`,
    });
    expect(writes(fake)).toEqual([]);
  });

  it('never touches a role carrying the exemption tag', async () => {
    const fake = fakeIam({ roles: { [ROLE]: { id: 'AROAJBATCHINFERENCE1', tags: [{ Key: 'ml-guard:exempt', Value: 'on-call' }] } } });

    const result = await invoke(loadEvent(ASSUMED_ROLE));

    expect(result).toMatchObject({ status: 'skipped', reason: `the IAM role ${ROLE} carries the exemption tag ml-guard:exempt=on-call` });
    expect(writes(fake)).toEqual([]);
  });
});

describe('rotate-credentials on principals no API can contain', () => {
  it('notifies at CRITICAL severity about root credential usage, with the steps a person must take, calling nothing', async () => {
    const iam = mockClient(IAMClient);

    const result = await invoke(loadEvent(ROOT));

    expect(result.status).toBe('notified');
    expect(result.targets[0]).toMatchObject({ target: { type: 'AWS account root user', id: ACCOUNT }, severity: 'CRITICAL' });
    expect(result.targets[0]?.reason).toBe(
      `the root user of account ${ACCOUNT} was used (API ListBuckets from 198.51.100.0): no API can disable or restrict it, so a person must act now`,
    );
    expect(iam.calls()).toHaveLength(0);
    const [message] = published();
    expect(message?.attributes.severity).toBe('CRITICAL');
    expect(message?.text).toContain('note: to do 2: sign in as the root user, change its password and make sure MFA is on');
  });

  it('notifies about a root credential finding whatever its severity', async () => {
    mockClient(IAMClient);
    const event = loadEvent(ROOT);
    event.detail.severity = 0.5;

    const result = await invoke(event);

    expect(result.status).toBe('notified');
    expect(published()[0]?.attributes.severity).toBe('CRITICAL');
  });

  it('only notifies about a federated user', async () => {
    const iam = mockClient(IAMClient);

    const result = await invoke(loadEvent(FEDERATED));

    expect(result).toMatchObject({
      status: 'notified',
      targets: [expect.objectContaining({ target: { type: 'FederatedUser principal', id: 'ci-deployer' } })],
    });
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('rotate-credentials on an S3 exfiltration finding', () => {
  const S3_USER = 'guardduty/exfiltration-s3-anomalousbehavior-iamuser.json';
  const S3_ROLE = 'guardduty/exfiltration-s3-maliciousipcaller-assumedrole.json';
  const TRAINING_ROLE = 'SageMakerTrainingRole';
  const BUCKET = 'ml-training-data-123456789012';
  const OBJECTS = `${BUCKET}/datasets/fraud/train/part-0000.parquet, ${BUCKET}/datasets/fraud/train/part-0001.parquet`;
  /** The assumed-role fixture is in the training account of stop-compromised-training-job's tests: here, in this one. */
  const roleFindingHere = () => {
    const event = loadEvent(S3_ROLE);
    event.account = ACCOUNT;
    event.detail.accountId = ACCOUNT;
    return event;
  };

  it('contains the IAM user whose key read training data, as for a credential finding, and says which bucket and objects', async () => {
    // Prepare
    const fake = fakeIam(rotatableUser(), { now: () => NOW });

    // Act
    const result = await invoke(loadEvent(S3_USER));

    // Assess
    expect(result.status).toBe('remediated');
    expect(writes(fake).map(([command]) => command)).toEqual([
      'PutUserPolicyCommand',
      'CreateAccessKeyCommand',
      'PutSecretValueCommand',
      'UpdateAccessKeyCommand',
    ]);
    expect(fake.users[USER]?.keys.find((k) => k.id === KEY)?.status).toBe('Inactive');
    expect(result.targets[0]?.notes?.[0]).toBe(
      `S3 exfiltration (GuardDuty Exfiltration:S3/AnomalousBehavior, severity 8): GetObject on S3 bucket ${BUCKET} (objects: ${OBJECTS})`,
    );
    const [message] = published();
    expect(published()).toHaveLength(1);
    expect(message?.subject).toMatch(/^ml-guard REMEDIATED: ml-pipeline-bot/);
    expect(message?.text).toContain(`resource: S3 bucket ${BUCKET}`);
    expect(message?.text).toContain(`objects: ${OBJECTS}`);
  });

  it('revokes the sessions of the role that read model artifacts', async () => {
    // Prepare
    const fake = fakeIam({ roles: { [TRAINING_ROLE]: { id: 'AROAUN7WV6J2SAGEMAKER', path: '/service-role/' } } });

    // Act
    const result = await invoke(roleFindingHere());

    // Assess
    expect(result.status).toBe('remediated');
    expect(writes(fake)).toEqual([
      [
        'PutRolePolicyCommand',
        { RoleName: TRAINING_ROLE, PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revocation(REVOKED_BEFORE) },
      ],
    ]);
    expect(result.targets[0]?.notes?.[0]).toMatch(
      /^S3 exfiltration \(GuardDuty Exfiltration:S3\/MaliciousIPCaller, severity 8\): GetObject on S3 bucket ml-model-artifacts-883606788610/,
    );
  });

  it.each([
    [
      'an AWS service',
      'guardduty/exfiltration-s3-anomalousbehavior-awsservice.json',
      /the caller is an AWS service \(userType AWSService, datasync\.amazonaws\.com\)/,
    ],
    [
      'a service-linked role',
      'guardduty/impact-s3-anomalousbehavior-permission-servicelinkedrole.json',
      /the caller is the service-linked role AWSServiceRoleForAmazonSageMakerNotebooks/,
    ],
  ])('notifies, reading and changing nothing, when the caller is %s', async (_, path, reason) => {
    // Prepare
    const iam = mockClient(IAMClient);

    // Act
    const result = await invoke(loadEvent(path));

    // Assess
    expect(result.status).toBe('notified');
    expect(result.reason).toMatch(reason);
    expect(iam.calls()).toHaveLength(0);
    expect(published()).toHaveLength(1);
    expect(published()[0]?.text).toContain(`resource: S3 bucket ${BUCKET}`);
  });

  it.each<[string, string, (e: any) => void, Record<string, string>]>([
    ['below S3_EXFILTRATION_SEVERITY_THRESHOLD', 'guardduty/unauthorizedaccess-s3-toripcaller-below-threshold.json', () => {}, {}],
    ['of PenTest:S3, whatever its severity', 'guardduty/pentest-s3-parrotlinux.json', (e) => (e.detail.severity = 9), {}],
    ['when containment is turned off', S3_USER, () => {}, { CONTAIN_S3_EXFILTRATION: 'false' }],
  ])('ignores, calling and notifying nothing, a finding %s (notify reports it)', async (_, path, change, env) => {
    // Prepare
    const iam = mockClient(IAMClient);
    const event = loadEvent(path);
    change(event);

    // Act
    const result = await run(event, env);

    // Assess
    expect(result.status).toBe('ignored');
    expect(iam.calls()).toHaveLength(0);
    expect(published()).toHaveLength(0);
  });

  it('changes nothing in dry-run, and says what it would do to the caller', async () => {
    // Prepare
    const fake = fakeIam(rotatableUser());

    // Act
    const result = await dryRun(loadEvent(S3_USER));

    // Assess
    expect(result).toMatchObject({ status: 'planned', mode: 'dry-run' });
    expect(result.targets[0]?.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['revokeUserSessions', 'would-do'],
      ['rotateKeyIntoSecret', 'would-do'],
      ['deactivateAccessKey', 'would-do'],
    ]);
    expect(writes(fake)).toEqual([]);
    expect(published()[0]?.text).toContain(`objects: ${OBJECTS}`);
  });
});

describe('rotate-credentials on Config access-keys-rotated', () => {
  const configUser = (keys: FakeUser['keys'], withSecret = true): FakeAccount => ({
    users: {
      'old-bot': { id: 'AIDAOTHERUSEREXAMPLE', keys: [] },
      [USER]: { id: USER_ID, keys, ...(withSecret ? { tags: [{ Key: 'ml-guard:access-key-secret', Value: SECRET }] } : {}) },
    },
    secrets: [{ name: SECRET, tags: [{ Key: 'ml-guard:access-key-user', Value: USER }], value: keyInSecret(KEY) }],
  });

  it('finds the user by its id and rotates its old key into its secret before deactivating it', async () => {
    const fake = fakeIam(configUser([{ id: KEY, status: 'Active', created: daysAgo(120) }]), { pageSize: 1, now: () => NOW });

    const result = await invoke(loadEvent(CONFIG));

    expect(result.status).toBe('remediated');
    expect(result.targets[0]?.target).toEqual({ type: 'AWS::IAM::User', id: USER, arn: `arn:aws:iam::${ACCOUNT}:user/${USER}` });
    expect(writes(fake)).toEqual([
      ['CreateAccessKeyCommand', { UserName: USER }],
      ['PutSecretValueCommand', { SecretId: secretArn(SECRET), SecretString: keyInSecret('AKIANEWKEY0000000001', fake.issuedSecrets[0]) }],
      ['UpdateAccessKeyCommand', { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' }],
    ]);
  });

  it('deactivates every active key older than the maximum age, and leaves newer and inactive ones', async () => {
    const fake = fakeIam(
      configUser(
        [
          { id: KEY, status: 'Active', created: daysAgo(91) },
          { id: OTHER_KEY, status: 'Active', created: daysAgo(89) },
        ],
        false,
      ),
    );

    const result = await invoke(loadEvent(CONFIG));

    expect(writes(fake)).toEqual([['UpdateAccessKeyCommand', { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' }]]);
    expect(result.targets[0]?.steps[0]?.summary).toBe(
      `Deactivate access key ${KEY} of ${USER} (created ${daysAgo(91).toISOString().slice(0, 10)}, 91 days ago); it is kept, not deleted`,
    );
  });

  it('deactivates the key its secret holds only once a replacement is stored', async () => {
    const fake = fakeIam(
      configUser([
        { id: KEY, status: 'Active', created: daysAgo(200) },
        { id: OTHER_KEY, status: 'Active', created: daysAgo(150) },
      ]),
    );

    const result = await invoke(loadEvent(CONFIG));

    expect(result.status).toBe('partial');
    expect(result.targets[0]?.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['deactivateAccessKey', 'done'],
      ['rotateKeyIntoSecret', 'failed'],
      ['deactivateAccessKey', 'not-run'],
    ]);
    expect(fake.users[USER]?.keys.map((k) => [k.id, k.status])).toEqual([
      [KEY, 'Active'],
      [OTHER_KEY, 'Inactive'],
    ]);
  });

  it('leaves active the old key a secret carrying the exemption tag holds, and deactivates the other old keys', async () => {
    const account = configUser([
      { id: KEY, status: 'Active', created: daysAgo(200) },
      { id: OTHER_KEY, status: 'Active', created: daysAgo(150) },
    ]);
    account.secrets![0]!.tags!.push({ Key: 'ml-guard:exempt', Value: 'yes' });
    const fake = fakeIam(account);

    const result = await invoke(loadEvent(CONFIG));

    expect(writes(fake)).toEqual([['UpdateAccessKeyCommand', { UserName: USER, AccessKeyId: OTHER_KEY, Status: 'Inactive' }]]);
    expect(result.targets[0]?.notes).toEqual([
      `no replacement key: the secret ${SECRET} carries the exemption tag ml-guard:exempt=yes, so ml-guard does not write to it`,
      `${KEY} is left active: the secret ${SECRET} holds it, and it is deactivated only once a replacement is stored there`,
    ]);
  });

  it('does not use a secret of another region than the one it runs in, and still deactivates the old key', async () => {
    const account = configUser([{ id: KEY, status: 'Active', created: daysAgo(120) }]);
    account.users![USER]!.tags = [{ Key: 'ml-guard:access-key-secret', Value: secretArn(SECRET) }];
    const fake = fakeIam(account);

    const result = await invoke(loadEvent(CONFIG));

    expect(writes(fake)).toEqual([['UpdateAccessKeyCommand', { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' }]]);
    expect(result.targets[0]?.notes).toEqual([
      `no replacement key: the secret ${secretArn(SECRET)} is not used because it is not a secret of account ${ACCOUNT} in us-east-2, where the event is and this function acts`,
    ]);
    expect(fake.sm.calls()).toHaveLength(0);
  });

  it('changes nothing when no active key is older than MAX_ACCESS_KEY_AGE_DAYS', async () => {
    const fake = fakeIam(configUser([{ id: KEY, status: 'Active', created: daysAgo(20) }]));

    const result = await invoke(loadEvent(CONFIG));

    expect(result).toMatchObject({
      status: 'already-compliant',
      reason: `no active access key of ${USER} is older than 90 days (MAX_ACCESS_KEY_AGE_DAYS): nothing to change`,
    });
    expect(writes(fake)).toEqual([]);
  });

  it('follows MAX_ACCESS_KEY_AGE_DAYS', async () => {
    const fake = fakeIam(configUser([{ id: KEY, status: 'Active', created: daysAgo(40) }], false));

    await run(loadEvent(CONFIG), { MAX_ACCESS_KEY_AGE_DAYS: '30' });

    expect(writes(fake)).toEqual([['UpdateAccessKeyCommand', { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' }]]);
  });

  it('skips when no IAM user has the id Config names', async () => {
    const fake = fakeIam({ users: { 'old-bot': { id: 'AIDAOTHERUSEREXAMPLE', keys: [] } } });

    const result = await invoke(loadEvent(CONFIG));

    expect(result).toMatchObject({ status: 'skipped', reason: `no IAM user has the id ${USER_ID} (deleted?)` });
    expect(fake.iam.commandCalls(GetUserCommand)).toHaveLength(0);
    expect(writes(fake)).toEqual([]);
  });

  it.each(['config/securityhub-access-keys-rotated-noncompliant.json', 'config/access-keys-rotated-conformance-pack-noncompliant.json'])(
    'acts on the user named by %s',
    async (path) => {
      const fake = fakeIam(configUser([{ id: KEY, status: 'Active', created: daysAgo(100) }], false));

      const result = await invoke(loadEvent(path));

      expect(result.status).toBe('remediated');
      expect(writes(fake)).toEqual([['UpdateAccessKeyCommand', { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' }]]);
    },
  );

  describe('when the secret the user names cannot be read or understood', () => {
    const twoOldKeys = () =>
      configUser([
        { id: KEY, status: 'Active', created: daysAgo(200) },
        { id: OTHER_KEY, status: 'Active', created: daysAgo(150) },
      ]);
    /** An error Secrets Manager returns that the SDK does not model as a class (it keeps the code in `name`). */
    const unmodeled = (name: string, message: string) =>
      new SecretsManagerServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
    const keyStates = (fake: Fake) => fake.users[USER]?.keys.map((k) => [k.id, k.status]);
    /** The user's two old keys, with `value` as the secret's current value. */
    const withSecretValue = (value: string) => {
      const account = twoOldKeys();
      account.secrets![0]!.value = value;
      return fakeIam(account);
    };
    const bothActive = [
      [KEY, 'Active'],
      [OTHER_KEY, 'Active'],
    ];
    const unreadNote = (id: string) =>
      `${id} is left active: the secret ${SECRET} could not be read, so it may hold this key, whose consumers would break; rotate it into the secret by hand, then deactivate it (aws iam update-access-key --user-name ${USER} --access-key-id ${id} --status Inactive)`;

    it.each([
      [
        'InternalServiceError',
        new InternalServiceError({ $metadata: { httpStatusCode: 500 }, message: 'An error occurred on the server side.' }),
        'retried',
      ],
      [
        'DecryptionFailure (a customer managed KMS key the function may not use)',
        new DecryptionFailure({
          $metadata: { httpStatusCode: 400 },
          message: "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
        }),
        'not retried',
      ],
      ['AccessDeniedException', unmodeled('AccessDeniedException', 'Access to KMS is not allowed'), 'not retried'],
      ['ThrottlingException', unmodeled('ThrottlingException', 'Rate exceeded'), 'retried'],
    ])('deactivates none of the old keys when GetSecretValue fails with %s, says why, and is %s', async (_, error, retried) => {
      // Prepare
      const fake = fakeIam(twoOldKeys());
      fake.sm.on(GetSecretValueCommand).rejects(error);

      // Act: a transient failure notifies, then fails the invocation so that Lambda retries.
      const outcome = await invoke(loadEvent(CONFIG)).catch((e: unknown) => e);
      const result = published()[0]?.json as EventResult;

      // Assess
      if (retried === 'retried') {
        expect(outcome).toBeInstanceOf(Error);
        expect(String(outcome)).toMatch(/RetryLaterError: work left for a retry on 1 target\(s\) \(ml-pipeline-bot\)/);
        expect(result.journal).toMatchObject({ retry: true });
      } else {
        expect(outcome).toMatchObject({ status: 'failed', reason: result.reason });
        expect(result.journal).not.toHaveProperty('retry');
      }
      expect(result.status).toBe('failed');
      expect(result.reason).toBe(
        `the secret ${SECRET} could not be read, so it may hold any of the old keys: none was deactivated (see notes)`,
      );
      expect(fake.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
      expect(writes(fake)).toEqual([]);
      expect(keyStates(fake)).toEqual(bothActive);
      expect(result.targets[0]?.steps.map((s) => [s.summary.split(' (')[0], s.outcome])).toEqual([
        [`Deactivate access key ${KEY} of ${USER}`, 'not-run'],
        [`Deactivate access key ${OTHER_KEY} of ${USER}`, 'not-run'],
      ]);
      expect(result.targets[0]?.notes).toEqual([
        `could not read the secret: ${describeError(error)}`,
        unreadNote(KEY),
        unreadNote(OTHER_KEY),
      ]);
      expect(published()[0]?.subject).toMatch(/^ml-guard FAILED: /);
    });

    it('deactivates none of the old keys when the secret cannot even be described, since whether it exists is unknown', async () => {
      const fake = fakeIam(twoOldKeys());
      fake.sm
        .on(DescribeSecretCommand)
        .rejects(unmodeled('AccessDeniedException', 'User is not authorized to perform: secretsmanager:DescribeSecret'));

      const result = await invoke(loadEvent(CONFIG));

      expect(result.status).toBe('failed');
      expect(writes(fake)).toEqual([]);
      expect(keyStates(fake)).toEqual(bothActive);
      expect(fake.sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
      expect(result.targets[0]?.notes).toEqual([
        'could not read the secret: AccessDeniedException: User is not authorized to perform: secretsmanager:DescribeSecret',
        unreadNote(KEY),
        unreadNote(OTHER_KEY),
      ]);
    });

    it('says in a dry-run that it would deactivate none of the old keys, and sends no write command', async () => {
      const fake = fakeIam(twoOldKeys());
      fake.sm.on(GetSecretValueCommand).rejects(unmodeled('ThrottlingException', 'Rate exceeded'));

      const result = await dryRun(loadEvent(CONFIG));

      expect(result.status).toBe('failed');
      expect(result.targets[0]?.steps.map((s) => s.outcome)).toEqual(['not-run', 'not-run']);
      expect(writes(fake)).toEqual([]);
    });

    it.each([
      ['the key id as plain text', KEY],
      ['a credentials file', `[default]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${OLD_SECRET_ACCESS_KEY}\n`],
      ['JSON of another shape', JSON.stringify({ aws_access_key_id: KEY, aws_secret_access_key: OLD_SECRET_ACCESS_KEY })],
      ['JSON whose AccessKeyId is not a string', JSON.stringify({ AccessKeyId: [KEY], SecretAccessKey: OLD_SECRET_ACCESS_KEY })],
    ])('deactivates no old key when the secret holds one in a format it cannot rotate: %s', async (_, value) => {
      // Prepare
      const fake = withSecretValue(value);

      // Act
      const result = await invoke(loadEvent(CONFIG));

      // Assess
      expect(result.status).toBe('failed');
      expect(result.reason).toBe(
        `the secret ${SECRET} holds ${KEY} in a format ml-guard cannot rotate: no key was deactivated (see notes)`,
      );
      expect(writes(fake)).toEqual([]);
      expect(keyStates(fake)).toEqual(bothActive);
      expect(result.targets[0]?.notes).toEqual([
        `${KEY} is left active: the secret ${SECRET} holds it in a format ml-guard cannot rotate (not a {"AccessKeyId", "SecretAccessKey"} JSON value); rotate it into the secret by hand, then deactivate it (aws iam update-access-key --user-name ${USER} --access-key-id ${KEY} --status Inactive)`,
        `${OTHER_KEY} is left active with the others, although the secret ${SECRET} does not mention it; deactivate it by hand unless something else uses it (aws iam update-access-key --user-name ${USER} --access-key-id ${OTHER_KEY} --status Inactive)`,
      ]);
    });

    it('deactivates no old key when the secret holds one as a binary value', async () => {
      const fake = fakeIam(twoOldKeys());
      fake.sm.on(GetSecretValueCommand).resolves({
        ARN: secretArn(SECRET),
        Name: SECRET,
        SecretBinary: new TextEncoder().encode(`${OTHER_KEY}:${OLD_SECRET_ACCESS_KEY}`),
      });

      const result = await invoke(loadEvent(CONFIG));

      expect(result.status).toBe('failed');
      expect(result.reason).toBe(
        `the secret ${SECRET} holds ${OTHER_KEY} in a format ml-guard cannot rotate: no key was deactivated (see notes)`,
      );
      expect(writes(fake)).toEqual([]);
      expect(keyStates(fake)).toEqual(bothActive);
    });

    it.each([
      ['not JSON', 'not json {'],
      ['JSON of another shape', JSON.stringify({ username: 'svc-ml', password: 'hunter2' })],
    ])('deactivates the old keys when the secret holds a value in another format that names none of them: %s', async (_, value) => {
      const fake = withSecretValue(value);

      const result = await invoke(loadEvent(CONFIG));

      expect(result.status).toBe('remediated');
      expect(writes(fake)).toEqual([
        ['UpdateAccessKeyCommand', { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' }],
        ['UpdateAccessKeyCommand', { UserName: USER, AccessKeyId: OTHER_KEY, Status: 'Inactive' }],
      ]);
      expect(result.targets[0]?.notes).toEqual([
        `the secret ${SECRET} holds none of the old keys (${KEY}, ${OTHER_KEY}): no rotation needed`,
      ]);
    });

    it('deactivates the old keys when the secret the tag names does not exist', async () => {
      const account = twoOldKeys();
      account.secrets = [];
      const fake = fakeIam(account);

      const result = await invoke(loadEvent(CONFIG));

      expect(result.status).toBe('remediated');
      expect(keyStates(fake)).toEqual([
        [KEY, 'Inactive'],
        [OTHER_KEY, 'Inactive'],
      ]);
      expect(result.targets[0]?.notes).toEqual([
        `no replacement key: the secret ${SECRET} named by the tag ml-guard:access-key-secret does not exist`,
      ]);
    });
  });
});

describe('rotate-credentials triggers', () => {
  it('notifies that a GuardDuty sample finding arrived and reads or changes nothing', async () => {
    const iam = mockClient(IAMClient);

    const result = await invoke(loadEvent('guardduty/unauthorizedaccess-iamuser-toripcaller-sample.json'));

    expect(result.status).toBe('notified');
    expect(result.reason).toMatch(/^GuardDuty sample finding/);
    expect(iam.calls()).toHaveLength(0);
    expect(published()).toHaveLength(1);
  });

  it('notifies, and changes nothing, about a finding of another account delivered here', async () => {
    const iam = mockClient(IAMClient);
    const event = loadEvent(TOR);
    event.account = '210987654321';

    // ml-guard runs in the GuardDuty administrator account 210987654321, in single-account mode.
    const result = (await handler(event, {
      ...context,
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:210987654321:function:rotate-credentials',
    })) as EventResult;

    expect(result.status).toBe('notified');
    expect(result.reason).toMatch(
      /^the event is about account 123456789012, but it reached ml-guard in account 210987654321, which acts only in its own account/,
    );
    expect(iam.calls()).toHaveLength(0);
  });

  it.each([
    [
      (e: any) => (e.detail.severity = 3.9),
      'GuardDuty finding 4ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5 has severity 3.9, below SEVERITY_THRESHOLD 4',
    ],
    [
      (e: any) => (e.detail.type = 'Recon:IAMUser/MaliciousIPCaller.Custom'),
      'GuardDuty finding type Recon:IAMUser/MaliciousIPCaller.Custom is not one that rotate-credentials handles',
    ],
  ])('ignores a credential finding changed by %s, calling nothing', async (change, reason) => {
    const iam = mockClient(IAMClient);
    const event = loadEvent(TOR);
    change(event);

    const result = await invoke(event);

    expect(result).toMatchObject({ status: 'ignored', reason });
    expect(iam.calls()).toHaveLength(0);
  });

  it.each([
    [
      'guardduty/policy-s3-bucketblockpublicaccessdisabled.json',
      'GuardDuty finding type Policy:S3/BucketBlockPublicAccessDisabled is not one that rotate-credentials handles',
    ],
    [
      'guardduty/backdoor-ec2-ccactivity-dns-sample.json',
      'GuardDuty finding type Backdoor:EC2/C&CActivity.B!DNS is not one that rotate-credentials handles',
    ],
    ['config/access-keys-rotated-compliant.json', `user ${USER_ID} is COMPLIANT, not NON_COMPLIANT`],
    [
      'config/s3-bucket-public-read-prohibited-noncompliant.json',
      'Config rule s3-bucket-public-read-prohibited (AWS managed rule S3_BUCKET_PUBLIC_READ_PROHIBITED) is not one that rotate-credentials handles',
    ],
    ['cloudwatch/alarm-state-change-single-metric-ec2-cpu.json', 'CloudWatch alarms are not handled by rotate-credentials'],
    ['invalid/guardduty-finding-without-resource.json', 'GuardDuty finding rejected: resource: expected object'],
    ['invalid/guardduty-bare-finding.json', expect.stringMatching(/^EventBridge envelope rejected: /)],
    ['invalid/guardduty-pascalcase-hybrid.json', expect.stringMatching(/^GuardDuty finding rejected: /)],
    [
      'invalid/config-configuration-item-change.json',
      'events from source "aws.config" with detail-type "Config Configuration Item Change" are not handled',
    ],
  ])('ignores %s with a reason, calling nothing', async (path, reason) => {
    const iam = mockClient(IAMClient);
    const sm = mockClient(SecretsManagerClient);

    const result = await invoke(loadEvent(path));

    expect(result).toMatchObject({ status: 'ignored', reason });
    expect(iam.calls()).toHaveLength(0);
    expect(sm.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });
});
