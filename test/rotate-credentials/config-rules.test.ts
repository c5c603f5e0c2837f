import { DescribeConfigRulesCommand } from '@aws-sdk/client-config-service';
import { IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import * as iamAdapter from '../../functions/core/aws/iam.js';
import { loadConfig } from '../../functions/core/config.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { handler, rotateCredentials } from '../../functions/rotate-credentials/handler.js';
import { answerRule, configRules } from '../support/config-rules.js';
import { loadEvent } from '../support/events.js';
import { handlerHarness } from '../support/handler-harness.js';
import { type FakeAccount, type FakeKey, fakeIam, keyInSecret } from './fake-iam.js';

/** rotate-credentials on Config rules known by their source, not their name: ACCESS_KEYS_ROTATED and IAM_USER_UNUSED_CREDENTIALS_CHECK. */
const NOW = new Date('2026-11-26T03:00:00.250Z');
const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
const day = (date: Date) => date.toISOString().slice(0, 10);

const UNUSED = 'config/iam-user-unused-credentials-check-noncompliant.json';
const ROTATED = 'config/access-keys-rotated-noncompliant.json';
const USER = 'ml-pipeline-bot';
const USER_ID = 'AIDAJQABLZS4A3QDU576Q';
const SECRET = 'ml-pipeline-bot/access-key';
const KEY = 'AKIAI44QH8DHBEXAMPLE';
const OTHER_KEY = 'AKIAIOTHERKEYEXAMPLE';

const { context } = handlerHarness({ functionName: 'rotate-credentials', now: NOW, restore: [IAMClient, SecretsManagerClient] });
const invoke = (event: unknown) => handler(event, context) as Promise<EventResult>;

const account = (keys: FakeKey[], secretHolds?: string): FakeAccount => ({
  users: {
    [USER]: {
      id: USER_ID,
      keys,
      ...(secretHolds ? { tags: [{ Key: 'ml-guard:access-key-secret', Value: SECRET }] } : {}),
    },
  },
  secrets: secretHolds ? [{ name: SECRET, tags: [{ Key: 'ml-guard:access-key-user', Value: USER }], value: keyInSecret(secretHolds) }] : [],
});
const keyStates = (fake: ReturnType<typeof fakeIam>) => fake.users[USER]?.keys.map((k) => [k.id, k.status]);
const renamed = (path: string, name: string) => {
  const event = loadEvent(path);
  event.detail.configRuleName = name;
  return event;
};

describe('rotate-credentials on Config IAM_USER_UNUSED_CREDENTIALS_CHECK', () => {
  it("deactivates the active keys unused for longer than the rule's maxCredentialUsageAge, and only those", async () => {
    // Prepare
    answerRule('iam-user-unused-credentials-check', 'IAM_USER_UNUSED_CREDENTIALS_CHECK', { maxCredentialUsageAge: '45' });
    const fake = fakeIam(
      account([
        { id: KEY, status: 'Active', created: daysAgo(400), lastUsed: daysAgo(46) },
        { id: OTHER_KEY, status: 'Active', created: daysAgo(400), lastUsed: daysAgo(44) },
      ]),
    );

    // Act
    const result = await invoke(loadEvent(UNUSED));

    // Assess
    expect(result.status).toBe('remediated');
    expect(keyStates(fake)).toEqual([
      [KEY, 'Inactive'],
      [OTHER_KEY, 'Active'],
    ]);
    expect(result.targets[0]?.steps[0]?.summary).toBe(
      `Deactivate access key ${KEY} of ${USER} (last used ${day(daysAgo(46))}, 46 days ago); it is kept, not deleted`,
    );
  });

  it("counts a key never used from its creation, and uses the rule's default of 90 days when it sets none", async () => {
    // Prepare
    answerRule('iam-user-unused-credentials-check', 'IAM_USER_UNUSED_CREDENTIALS_CHECK');
    const fake = fakeIam(
      account([
        { id: KEY, status: 'Active', created: daysAgo(91) },
        { id: OTHER_KEY, status: 'Active', created: daysAgo(89) },
      ]),
    );

    // Act
    const result = await invoke(loadEvent(UNUSED));

    // Assess
    expect(keyStates(fake)).toEqual([
      [KEY, 'Inactive'],
      [OTHER_KEY, 'Active'],
    ]);
    expect(result.targets[0]?.steps[0]?.summary).toContain(`(never used; created ${day(daysAgo(91))}, 91 days ago)`);
  });

  it('replaces the unused key a rotation secret holds before deactivating it, never the other way round', async () => {
    // Prepare
    answerRule('iam-user-unused-credentials-check', 'IAM_USER_UNUSED_CREDENTIALS_CHECK', { maxCredentialUsageAge: '30' });
    const fake = fakeIam(account([{ id: KEY, status: 'Active', created: daysAgo(300), lastUsed: daysAgo(60) }], KEY), { now: () => NOW });

    // Act
    const result = await invoke(loadEvent(UNUSED));

    // Assess
    expect(result.targets[0]?.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['rotateKeyIntoSecret', 'done'],
      ['deactivateAccessKey', 'done'],
    ]);
    expect(fake.secrets[0]?.value).toBe(keyInSecret('AKIANEWKEY0000000001', fake.issuedSecrets[0]));
    expect(keyStates(fake)).toEqual([
      [KEY, 'Inactive'],
      ['AKIANEWKEY0000000001', 'Active'],
    ]);
  });

  it('leaves alone a key whose last use cannot be read, and says so', async () => {
    // Prepare
    answerRule('iam-user-unused-credentials-check', 'IAM_USER_UNUSED_CREDENTIALS_CHECK');
    const fake = fakeIam(account([{ id: KEY, status: 'Active', created: daysAgo(400) }]));
    fake.iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ UserName: USER, AccessKeyId: 'AKIAUNKNOWNKEYEXAMPL', Status: 'Active', CreateDate: daysAgo(400) }],
    });

    // Act
    const result = await invoke(loadEvent(UNUSED));

    // Assess
    expect(fake.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
    expect(result.targets[0]?.notes?.join(' ')).toContain('could not read the last use of AKIAUNKNOWNKEYEXAMPL: NoSuchEntityException');
    expect(result.targets[0]?.reason).toContain(
      "no active access key of ml-pipeline-bot is unused for more than 90 days (the rule's default",
    );
    expect(result.targets[0]?.reason).toContain('a person decides (ml-guard deletes no login profile)');
  });
});

describe('rotate-credentials on a Config rule known by its source', () => {
  it('takes ACCESS_KEYS_ROTATED created under a name of its own, like the default-named rule', async () => {
    // Prepare
    answerRule('team-key-age', 'ACCESS_KEYS_ROTATED', { maxAccessKeyAge: '90' });
    const fake = fakeIam(account([{ id: KEY, status: 'Active', created: daysAgo(120) }]));

    // Act
    const result = await invoke(renamed(ROTATED, 'team-key-age'));

    // Assess
    expect(result.status).toBe('remediated');
    expect(keyStates(fake)).toEqual([[KEY, 'Inactive']]);
    expect(configRules.commandCalls(DescribeConfigRulesCommand).map((c) => c.args[0].input)).toEqual([
      { ConfigRuleNames: ['team-key-age'] },
    ]);
  });

  it('notes a rule whose maxAccessKeyAge is not MAX_ACCESS_KEY_AGE_DAYS, and keeps to the setting', async () => {
    // Prepare
    answerRule('access-keys-rotated', 'ACCESS_KEYS_ROTATED', { maxAccessKeyAge: '45' });
    const fake = fakeIam(account([{ id: KEY, status: 'Active', created: daysAgo(60) }]));

    // Act
    const result = await invoke(loadEvent(ROTATED));

    // Assess
    expect(keyStates(fake)).toEqual([[KEY, 'Active']]);
    expect(result.targets[0]?.notes).toContain(
      "the rule's maxAccessKeyAge is 45 days; keys are deactivated only when older than 90 days (MAX_ACCESS_KEY_AGE_DAYS)",
    );
  });

  it('ignores a custom rule under the managed name, unless CUSTOM_CONFIG_RULES lists it', async () => {
    // Prepare
    answerRule('access-keys-rotated', { custom: 'CUSTOM_LAMBDA' });
    const fake = fakeIam(account([{ id: KEY, status: 'Active', created: daysAgo(120) }]));

    // Act
    const result = await invoke(loadEvent(ROTATED));

    // Assess
    expect(result).toMatchObject({
      status: 'ignored',
      reason: 'Config rule access-keys-rotated (custom rule, CUSTOM_LAMBDA) is not one that rotate-credentials handles',
    });
    expect(fake.iam.calls()).toHaveLength(0);
  });

  it('takes a custom rule CUSTOM_CONFIG_RULES lists as ACCESS_KEYS_ROTATED, keys older than MAX_ACCESS_KEY_AGE_DAYS', async () => {
    // Prepare
    answerRule('team-key-rule', { custom: 'CUSTOM_POLICY' });
    const fake = fakeIam(
      account([
        { id: KEY, status: 'Active', created: daysAgo(120) },
        { id: OTHER_KEY, status: 'Active', created: daysAgo(10) },
      ]),
    );

    // Act
    const result = await remediate(renamed(ROTATED, 'team-key-rule'), rotateCredentials, {
      functionName: 'rotate-credentials',
      config: loadConfig({ ...process.env, CUSTOM_CONFIG_RULES: 'other-rule, team-key-rule' }),
      aws: iamAdapter,
      now: () => NOW,
    });

    // Assess
    expect(result.status).toBe('remediated');
    expect(keyStates(fake)).toEqual([
      [KEY, 'Inactive'],
      [OTHER_KEY, 'Active'],
    ]);
  });
});
