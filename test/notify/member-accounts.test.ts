import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeConfigRulesCommand } from '@aws-sdk/client-config-service';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetMemberCredentials } from '../../functions/core/aws/member-role.js';
import { loadConfig } from '../../functions/core/config.js';
import { notify } from '../../functions/notify/flow.js';
import { loadNotifySettings } from '../../functions/notify/settings.js';
import { configRules } from '../support/config-rules.js';
import { loadEvent } from '../support/events.js';

const NOW = new Date('2026-11-26T03:00:00.000Z');
const NOTEBOOK = 'config/sagemaker-notebook-no-direct-internet-access-noncompliant.json';
const sts = mockClient(STSClient);

const run = (event: unknown, env: Record<string, string>, ownAccount: string) =>
  notify(event, { config: loadConfig({ TOPIC_ARN: '', ...env }), settings: loadNotifySettings({}), now: () => NOW, ownAccount });

/** Which credentials and region the client that sent a command had. */
const sentBy = async (getClient: () => unknown) => {
  const { config } = getClient() as { config: { region(): Promise<string>; credentials(): Promise<{ accessKeyId: string }> } };
  return { region: await config.region(), key: (await config.credentials()).accessKeyId };
};

beforeEach(() => {
  forgetMemberCredentials();
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIANOTIFY1', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
  });
});
afterEach(() => mockClient(CloudTrailClient).restore());

describe('notify about a member account', () => {
  it('reads the rule and who changed the resource in the account and region of the event, with the notify member role', async () => {
    // Prepare
    const event = loadEvent(NOTEBOOK);
    const senders: Record<string, { region: string; key: string }> = {};
    mockClient(CloudTrailClient)
      .on(LookupEventsCommand)
      .callsFake(async (_input, getClient) => {
        senders.cloudTrail = await sentBy(getClient);
        return { Events: [] };
      });
    configRules.on(DescribeConfigRulesCommand).callsFake(async (_input, getClient) => {
      senders.config = await sentBy(getClient);
      return { ConfigRules: [] };
    });

    // Act
    const result = await run(event, { MEMBER_ROLE_PREFIX: 'ml-guard-member' }, '111111111111');

    // Assess
    expect(result.status).toBe('notified');
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: `arn:aws:iam::${event.detail.awsAccountId}:role/ml-guard-member-notify`,
        RoleSessionName: `ml-guard-${event.id}`,
        DurationSeconds: 900,
      },
    ]);
    expect(senders).toEqual({
      config: { region: event.detail.awsRegion, key: 'ASIANOTIFY1' },
      cloudTrail: { region: event.detail.awsRegion, key: 'ASIANOTIFY1' },
    });
  });

  it('still notifies when the member role cannot be assumed, saying the lookup failed', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .rejects(
        new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not authorized' }),
      );
    const lookups = mockClient(CloudTrailClient);

    // Act
    const result = await run(loadEvent(NOTEBOOK), { MEMBER_ROLE_PREFIX: 'ml-guard-member' }, '111111111111');

    // Assess
    expect(result.status).toBe('notified');
    expect(lookups.calls()).toHaveLength(0);
    const text = result.notification?.message ?? '';
    expect(text).toMatch(
      /last change: unknown: the CloudTrail lookup of .* failed \(MemberRoleError: could not assume arn:aws:iam::123456789012:role\/ml-guard-member-notify/,
    );
  });

  it('in single-account mode, looks up nothing about another account and says what to deploy', async () => {
    // Prepare
    const lookups = mockClient(CloudTrailClient);
    configRules.resetHistory();

    // Act
    const result = await run(loadEvent(NOTEBOOK), {}, '210987654321');

    // Assess
    expect(result.status).toBe('notified');
    expect(lookups.calls()).toHaveLength(0);
    expect(configRules.calls()).toHaveLength(0);
    expect(result.notification?.message).toContain(
      'last change: not looked up in CloudTrail: the event is about account 123456789012, but it reached ml-guard in account 210987654321',
    );
  });
});
