import { CreateAccessKeyCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import * as iamAdapter from '../../functions/core/aws/iam.js';
import { loadConfig } from '../../functions/core/config.js';
import { DynamoJournal } from '../../functions/core/journal/dynamodb.js';
import type { JournaledStep } from '../../functions/core/journal/journal.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import { rotateCredentials } from '../../functions/rotate-credentials/handler.js';
import { ACCOUNT, type FakeAccount, fakeIam, keyInSecret, secretArn } from '../rotate-credentials/fake-iam.js';
import { dynaliteServer } from '../support/dynalite.js';
import { loadEvent } from '../support/events.js';
import { handlerHarness } from '../support/handler-harness.js';
import { activeTable, eventually, journalItems } from './journal-support.js';

const { db, table } = dynaliteServer();

const NOW = new Date('2026-11-26T03:00:00.250Z');
const DAY = 24 * 60 * 60 * 1000;
const CONFIG_EVENT = 'config/access-keys-rotated-noncompliant.json';
const USER = 'ml-pipeline-bot';
const USER_ID = 'AIDAJQABLZS4A3QDU576Q';
const KEY = 'AKIAI44QH8DHBEXAMPLE';
const CREATED = 'AKIANEWKEY0000000001';
const SECRET = 'ml-pipeline-bot/access-key';

const { published } = handlerHarness({
  functionName: 'rotate-credentials',
  now: NOW,
  region: 'us-east-2',
  account: ACCOUNT,
  restore: [IAMClient, SecretsManagerClient],
});

/** The user Config found with a key 120 days old, which the secret its tag names holds. */
const staleUserWithSecret = (): FakeAccount => ({
  users: {
    'old-bot': { id: 'AIDAOTHERUSEREXAMPLE', keys: [] },
    [USER]: {
      id: USER_ID,
      keys: [{ id: KEY, status: 'Active', created: new Date(NOW.getTime() - 120 * DAY) }],
      tags: [{ Key: 'ml-guard:access-key-secret', Value: SECRET }],
    },
  },
  secrets: [{ name: SECRET, tags: [{ Key: 'ml-guard:access-key-user', Value: USER }], value: keyInSecret(KEY) }],
});

const rotate = (event: unknown, journal: DynamoJournal, requestId: string, at: Date, remainingMs: () => number) =>
  remediate(event, rotateCredentials, {
    functionName: 'rotate-credentials',
    config: loadConfig({ ...process.env }),
    aws: iamAdapter,
    now: () => at,
    remainingMs,
    requestId,
    journal,
  });

/**
 * Attempt 1 creates the replacement key, journals its id, and hangs in PutSecretValue (the invocation dies there: a
 * timeout or a crash). Resolves once the journal shows the step started with the created key's id.
 */
async function attemptOneDiesBeforeStoringTheKey() {
  const fake = fakeIam(staleUserWithSecret(), { now: () => NOW });
  fake.sm.on(PutSecretValueCommand).callsFake(() => new Promise(() => undefined));
  const name = await activeTable(db, table);
  const journal = new DynamoJournal(name, 90, db);
  const event = loadEvent(CONFIG_EVENT);
  const key = `rotate-credentials#${event.id}`;

  const hung = rotate(event, journal, 'req-1', NOW, () => 60_000);
  hung.catch(() => undefined);
  const started = await eventually(async () => {
    const { targets } = await journalItems(db, name, key);
    const step = targets[0]?.steps.find(
      (s: JournaledStep) => s.kind === 'rotateKeyIntoSecret' && s.state === 'started' && s.progress?.createdAccessKeyId,
    );
    // ...and attempt 1 is inside PutSecretValue (its call made, never answered), not about to make it.
    return fake.sm.commandCalls(PutSecretValueCommand).length === 1 ? step : undefined;
  });

  // From here SecretsManager answers PutSecretValue again (Lambda's retry runs in a new invocation).
  fake.sm.on(PutSecretValueCommand).callsFake(({ SecretId, SecretString }) => {
    const secret = fake.secrets.find((s) => s.name === SecretId || secretArn(s.name) === SecretId);
    if (secret) secret.value = SecretString;
    return { ARN: SecretId, VersionId: 'version-retry', VersionStages: ['AWSCURRENT'] };
  });
  return { fake, journal, event, key, name, started };
}

const TWO_MINUTES_LATER = new Date(NOW.getTime() + 2 * 60_000);

describe('rotate-credentials after an invocation died between CreateAccessKey and PutSecretValue', () => {
  it("journals the created key before storing it, lets no one else in while the dead attempt's claim holds, then names the orphan for a person to delete and keeps the old key active", async () => {
    // Prepare
    const { fake, journal, event, started } = await attemptOneDiesBeforeStoringTheKey();
    expect(started).toMatchObject({ id: 'rotateKeyIntoSecret', state: 'started', attempt: 1, progress: { createdAccessKeyId: CREATED } });

    // Act: a delivery while attempt 1's claim (60 s left + 10 s margin) still holds, then Lambda's retry after it.
    const early = await rotate(event, journal, 'req-2', new Date(NOW.getTime() + 30_000), () => 600_000);
    const retry = await rotate(event, journal, 'req-3', TWO_MINUTES_LATER, () => 600_000);

    // Assess
    expect(early.status).toBe('duplicate');
    expect(early.reason).toMatch(/^another invocation \(req-1\) is handling this event/);
    expect(fake.iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(1);
    expect(fake.sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(fake.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
    expect(fake.users[USER]?.keys.map((k) => [k.id, k.status])).toEqual([
      [KEY, 'Active'],
      [CREATED, 'Active'],
    ]);
    expect(fake.secrets[0]?.value).toBe(keyInSecret(KEY));
    expect(retry.status).not.toBe('remediated');
    expect(retry.status).toBe('failed');
    expect(retry.journal).toMatchObject({ attempt: 2 });
    expect(retry.journal?.retry).toBeUndefined();
    const steps = retry.targets[0]?.steps ?? [];
    expect(steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['rotateKeyIntoSecret', 'failed'],
      ['deactivateAccessKey', 'not-run'],
    ]);
    const deleteIt = `aws iam delete-access-key --user-name ${USER} --access-key-id ${CREATED}`;
    expect(steps[0]?.detail).toContain(`created access key ${CREATED} but attempt 1 ended before storing it in the secret ${SECRET}`);
    expect(steps[0]?.detail).toContain(deleteIt);
    expect(steps[0]?.retryable).toBeUndefined();
    const [message] = published();
    expect(published()).toHaveLength(1);
    expect(message?.text).toContain(CREATED);
    expect(message?.text).toContain(deleteIt);
    expect(message?.json.status).toBe('failed');
  });

  it('reports the rotation done when the secret already holds the created key, and then deactivates the old key', async () => {
    // Prepare: attempt 1's PutSecretValue reached Secrets Manager before the invocation died.
    const { fake, journal, event } = await attemptOneDiesBeforeStoringTheKey();
    const stored = keyInSecret(CREATED, fake.issuedSecrets[0]);
    (fake.secrets[0] as { value?: string }).value = stored;

    // Act
    const retry = await rotate(event, journal, 'req-2', TWO_MINUTES_LATER, () => 600_000);

    // Assess
    expect(retry.status).toBe('remediated');
    expect(retry.targets[0]?.steps.map((s) => [s.kind, s.outcome, s.earlierAttempt])).toEqual([
      ['rotateKeyIntoSecret', 'done', 1],
      ['deactivateAccessKey', 'done', undefined],
    ]);
    expect(fake.iam.commandCalls(CreateAccessKeyCommand)).toHaveLength(1);
    expect(fake.sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(fake.iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' },
    ]);
    expect(fake.users[USER]?.keys.map((k) => [k.id, k.status])).toEqual([
      [KEY, 'Inactive'],
      [CREATED, 'Active'],
    ]);
    expect(fake.secrets[0]?.value).toBe(stored);
    expect(published()).toHaveLength(1);
    expect(published()[0]?.json.status).toBe('remediated');
  });
});
