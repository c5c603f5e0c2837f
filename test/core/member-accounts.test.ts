import { IAMClient } from '@aws-sdk/client-iam';
import { PutObjectCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as iam from '../../functions/core/aws/iam.js';
import { forgetMemberCredentials } from '../../functions/core/aws/member-role.js';
import * as s3 from '../../functions/core/aws/s3.js';
import * as sagemaker from '../../functions/core/aws/sagemaker.js';
import { loadConfig } from '../../functions/core/config.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import { quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { rotateCredentials } from '../../functions/rotate-credentials/handler.js';
import { stopCompromisedTrainingJob } from '../../functions/stop-compromised-training-job/handler.js';
import { loadEvent } from '../support/events.js';
import { fakeS3, GD_BUCKET, publicBucket } from '../support/fake-bucket.js';

const NOW = new Date('2026-11-26T03:00:00.000Z');
const CENTRAL = '111111111111';
const MEMBER = '987654321098';
const FINDING = 'guardduty/policy-s3-bucketblockpublicaccessdisabled.json';
const ENV = { TOPIC_ARN: 'arn:aws:sns:eu-west-2:111111111111:ml-guard', FORENSICS_BUCKET: 'ml-guard-forensics-111111111111' };
const sts = mockClient(STSClient);
const sns = mockClient(SNSClient);

const quarantine = (event: unknown, env: Record<string, string>, ownAccount = CENTRAL) =>
  remediate(event, quarantinePublicBucket, {
    functionName: 'quarantine-public-bucket',
    config: loadConfig({ ...ENV, ...env }),
    aws: s3,
    now: () => NOW,
    ownAccount,
  });

/** Which credentials and region the client that sent a command had. */
const sentBy = async (getClient: () => { config: { region(): Promise<string>; credentials(): Promise<{ accessKeyId: string }> } }) => ({
  region: await getClient().config.region(),
  key: (await getClient().config.credentials()).accessKeyId,
});

beforeEach(() => {
  forgetMemberCredentials();
  sts.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIAMEMBER1', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
  });
});
afterEach(() => {
  mockClient(S3Client).restore();
  mockClient(IAMClient).restore();
  mockClient(SageMakerClient).restore();
});

describe('organization mode: quarantine-public-bucket on the recorded finding about account 987654321098', () => {
  it('assumes the member role there, acts with its credentials in the region of the finding, and saves the prior state centrally', async () => {
    // Prepare
    const { mock } = fakeS3({ [GD_BUCKET]: publicBucket() });
    const senders: Record<string, { region: string; key: string }> = {};
    mock.on(PutObjectCommand).callsFake(async (_input, getClient) => {
      senders.putObject = await sentBy(getClient as never);
      return {};
    });
    mock.on(PutPublicAccessBlockCommand).callsFake(async (_input, getClient) => {
      senders.blockPublicAccess = await sentBy(getClient as never);
      return {};
    });
    const event = loadEvent(FINDING);

    // Act
    const result = await quarantine(event, { MEMBER_ROLE_PREFIX: 'ml-guard-member', ACCOUNT_MODES: `${MEMBER}=enforce` });

    // Assess
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: `arn:aws:iam::${MEMBER}:role/ml-guard-member-quarantine-public-bucket`,
        RoleSessionName: `ml-guard-${event.id}`,
        DurationSeconds: 900,
      },
    ]);
    expect(result).toMatchObject({ status: 'remediated', mode: 'enforce', account: MEMBER });
    expect(senders.blockPublicAccess).toEqual({ region: 'eu-west-2', key: 'ASIAMEMBER1' });
    // The forensics bucket is ml-guard's own: written with the function's credentials, never the member role's.
    expect(senders.putObject).toEqual({ region: 'eu-west-2', key: 'AKIAIOSFODNN7EXAMPLE' });
    expect(mock.commandCalls(PutPublicAccessBlockCommand)[0]?.args[0].input).toMatchObject({ ExpectedBucketOwner: MEMBER });
    // SNS stays central too.
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.TopicArn).toBe(ENV.TOPIC_ARN);
  });

  it('acts in each account in its own mode: enforce in one, the central dry-run in another, and the notification says which', async () => {
    // Prepare
    const { mock } = fakeS3({ [GD_BUCKET]: publicBucket() });
    const elsewhere = loadEvent(FINDING);
    elsewhere.detail.accountId = '444455556666';
    const settings = { MEMBER_ROLE_PREFIX: 'ml-guard-member', ACCOUNT_MODES: `${MEMBER}=enforce` };

    // Act
    const dryRun = await quarantine(elsewhere, settings);
    const writesInDryRun = mock.commandCalls(PutPublicAccessBlockCommand).length;
    const enforced = await quarantine(loadEvent(FINDING), settings);

    // Assess
    expect(dryRun).toMatchObject({ status: 'planned', mode: 'dry-run', account: '444455556666' });
    expect(writesInDryRun).toBe(0);
    expect(enforced).toMatchObject({ status: 'remediated', mode: 'enforce', account: MEMBER });
    const texts = sns.commandCalls(PublishCommand).map((c) => JSON.parse(c.args[0].input.Message ?? '{}').default as string);
    expect(texts[0]).toMatch(/^ml-guard quarantine-public-bucket: PLANNED \(dry-run in account 444455556666\)/);
    expect(texts[0]).toContain('Set the stack parameter RemediationMode, or this account in AccountModes, to enforce to act.');
    expect(texts[1]).toMatch(/^ml-guard quarantine-public-bucket: REMEDIATED \(enforce in account 987654321098\)/);
  });

  it('refuses an account MANAGED_ACCOUNTS does not list, with no AWS call about it', async () => {
    // Prepare
    const { mock } = fakeS3({ [GD_BUCKET]: publicBucket() });

    // Act
    const result = await quarantine(loadEvent(FINDING), { MEMBER_ROLE_PREFIX: 'ml-guard-member', MANAGED_ACCOUNTS: '444455556666' });

    // Assess
    expect(result.status).toBe('notified');
    expect(result.targets[0]?.reason).toMatch(/^account 987654321098 is not one ml-guard manages/);
    expect(sts.calls()).toHaveLength(0);
    expect(mock.calls()).toHaveLength(0);
  });

  it('fails the target, saying what to deploy, when the member role cannot be assumed; nothing is read', async () => {
    // Prepare
    const { mock } = fakeS3({ [GD_BUCKET]: publicBucket() });
    sts
      .on(AssumeRoleCommand)
      .rejects(
        new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not authorized' }),
      );

    // Act
    const result = await quarantine(loadEvent(FINDING), { MEMBER_ROLE_PREFIX: 'ml-guard-member' });

    // Assess
    expect(result.status).toBe('failed');
    expect(result.targets[0]?.reason).toMatch(
      /could not assume arn:aws:iam::987654321098:role\/ml-guard-member-quarantine-public-bucket \(AccessDenied: not authorized\): deploy ml-guard's member stack in account 987654321098/,
    );
    expect(result.targets[0]?.retry).toBeUndefined();
    expect(mock.calls()).toHaveLength(0);
  });

  it('acts in its own account with its own credentials, without assuming a role', async () => {
    // Prepare
    fakeS3({ [GD_BUCKET]: publicBucket() });

    // Act
    const result = await quarantine(loadEvent(FINDING), { MEMBER_ROLE_PREFIX: 'ml-guard-member' }, MEMBER);

    // Assess
    expect(result).toMatchObject({ status: 'planned', mode: 'dry-run', account: MEMBER });
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('single-account mode: a recorded finding about another account than the one that delivered it', () => {
  it.each([
    ['quarantine-public-bucket', quarantinePublicBucket, s3, FINDING, MEMBER],
    ['stop-compromised-training-job', stopCompromisedTrainingJob, sagemaker, 'guardduty/exfiltration-s3-anomalousbehavior.json', MEMBER],
    ['rotate-credentials', rotateCredentials, iam, 'guardduty/exfiltration-s3-anomalousbehavior.json', MEMBER],
  ] as const)('%s refuses it before any AWS call, saying what to deploy', async (functionName, remediation, aws, path, about) => {
    // Prepare
    const s3Mock = mockClient(S3Client);
    const iamMock = mockClient(IAMClient);
    const sagemakerMock = mockClient(SageMakerClient);
    const event = loadEvent(path);

    // Act: ml-guard runs in the account that delivered the event (a GuardDuty administrator).
    const result = await remediate(event, remediation as never, {
      functionName,
      config: loadConfig(ENV),
      aws,
      now: () => NOW,
      ownAccount: event.account,
    });

    // Assess
    expect(event.account).not.toBe(about);
    expect(result.status).toBe('notified');
    expect(result.targets[0]?.reason).toBe(
      `the event is about account ${about}, but it reached ml-guard in account ${event.account}, which acts only in its own account (single-account mode: MemberRolePrefix is empty): nothing was read or changed; to act in ${about}, deploy ml-guard's member stack there and set MemberRolePrefix (README "Deploying across an organization"), or deploy ml-guard in ${about}`,
    );
    expect([...s3Mock.calls(), ...iamMock.calls(), ...sagemakerMock.calls(), ...sts.calls()]).toHaveLength(0);
  });
});
