import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, ExpiredTokenException, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actIn } from '../../functions/core/aws/client-options.js';
import { iamClient, secretsManagerClient } from '../../functions/core/aws/iam.js';
import {
  forgetMemberCredentials,
  MemberRoleError,
  memberCredentials,
  RENEW_MARGIN_MS,
  sessionNameOf,
} from '../../functions/core/aws/member-role.js';
import { ownS3Client, s3Client } from '../../functions/core/aws/s3.js';
import { sagemakerClient } from '../../functions/core/aws/sagemaker.js';
import { snsClient } from '../../functions/core/aws/sns.js';
import { loadConfig } from '../../functions/core/config.js';
import { journalClient } from '../../functions/core/journal/dynamodb.js';
import { memberRoleArn, refusalFor } from '../../functions/core/remediation/accounts.js';

const ROLE = 'arn:aws:iam::987654321098:role/ml-guard-member-quarantine-public-bucket';
const T0 = Date.parse('2026-11-26T03:00:00.000Z');
const sts = mockClient(STSClient);

const issued = (key: string, expiresAt: number) => ({
  Credentials: { AccessKeyId: key, SecretAccessKey: `secret-${key}`, SessionToken: `token-${key}`, Expiration: new Date(expiresAt) },
});

beforeEach(() => {
  sts.reset();
  forgetMemberCredentials();
});
afterEach(() => sts.reset());

describe('memberRoleArn and sessionNameOf', () => {
  it('names the member role of a function in the partition of the region the event is about', () => {
    const place = { account: '987654321098', region: 'eu-west-2' };

    expect(memberRoleArn('ml-guard-member', 'quarantine-public-bucket', place)).toBe(ROLE);
    expect(memberRoleArn('p', 'notify', { account: '987654321098', region: 'cn-north-1' })).toBe(
      'arn:aws-cn:iam::987654321098:role/p-notify',
    );
    expect(memberRoleArn('p', 'notify', { account: '987654321098', region: 'us-gov-west-1' })).toBe(
      'arn:aws-us-gov:iam::987654321098:role/p-notify',
    );
  });

  it('carries the event id in the session name, kept to what IAM takes and 64 characters', () => {
    expect(sessionNameOf('e8b9c0d1-2e3f-4a4b-9c5d-6e7f8091a2b3')).toBe('ml-guard-e8b9c0d1-2e3f-4a4b-9c5d-6e7f8091a2b3');
    expect(sessionNameOf('a b/c:d*e')).toBe('ml-guard-a-b-c-d-e');
    expect(sessionNameOf('x'.repeat(100))).toHaveLength(64);
  });
});

describe('memberCredentials', () => {
  it('assumes the member role with the session name, for the shortest session STS grants', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(issued('ASIAMEMBER1', T0 + 900_000));

    // Act
    const credentials = await memberCredentials(ROLE, 'eu-west-2', 'ml-guard-e1', () => T0);

    // Assess
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: ROLE, RoleSessionName: 'ml-guard-e1', DurationSeconds: 900 },
    ]);
    expect(credentials).toEqual({
      accessKeyId: 'ASIAMEMBER1',
      secretAccessKey: 'secret-ASIAMEMBER1',
      sessionToken: 'token-ASIAMEMBER1',
      expiration: new Date(T0 + 900_000),
    });
  });

  it('keeps the credentials per account and region in a warm container, and shares one AssumeRole among concurrent callers', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .callsFake(({ RoleArn }) => issued(RoleArn.includes('111122223333') ? 'ASIAOTHER' : 'ASIAMEMBER1', T0 + 900_000));
    const other = ROLE.replace('987654321098', '111122223333');

    // Act
    const [a, b] = await Promise.all([
      memberCredentials(ROLE, 'eu-west-2', 's1', () => T0),
      memberCredentials(ROLE, 'eu-west-2', 's2', () => T0),
    ]);
    const later = await memberCredentials(ROLE, 'eu-west-2', 's3', () => T0 + 60_000);
    const elsewhere = await memberCredentials(ROLE, 'us-east-1', 's4', () => T0);
    const otherAccount = await memberCredentials(other, 'eu-west-2', 's5', () => T0);

    // Assess
    expect([a, b, later].map((c) => c.accessKeyId)).toEqual(['ASIAMEMBER1', 'ASIAMEMBER1', 'ASIAMEMBER1']);
    expect(elsewhere.accessKeyId).toBe('ASIAMEMBER1');
    expect(otherAccount.accessKeyId).toBe('ASIAOTHER');
    // One for eu-west-2, one for us-east-1, one for the other account.
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(3);
  });

  it('renews the credentials RENEW_MARGIN_MS before they expire, never using them beyond', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(issued('ASIAFIRST', T0 + 900_000))
      .resolvesOnce(issued('ASIASECOND', T0 + 1_800_000));
    await memberCredentials(ROLE, 'eu-west-2', 's', () => T0);

    // Act
    const justBefore = await memberCredentials(ROLE, 'eu-west-2', 's', () => T0 + 900_000 - RENEW_MARGIN_MS - 1);
    const atMargin = await memberCredentials(ROLE, 'eu-west-2', 's', () => T0 + 900_000 - RENEW_MARGIN_MS);

    // Assess
    expect(justBefore.accessKeyId).toBe('ASIAFIRST');
    expect(atMargin.accessKeyId).toBe('ASIASECOND');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('says what to deploy when STS refuses (the member stack is missing, or the account is not in the organization)', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).rejects(
      new STSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: `User: arn:aws:sts::111111111111:assumed-role/q/q is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
      }),
    );

    // Act
    const error = await memberCredentials(ROLE, 'eu-west-2', 's', () => T0).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(MemberRoleError);
    expect((error as MemberRoleError).retryable).toBe(false);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^could not assume ${ROLE} \\(AccessDenied: .*\\): deploy ml-guard's member stack in account 987654321098 \\(README "Deploying across an organization"\\)`,
      ),
    );
  });

  it('takes throttling as transient, and does not keep a failure: the next call assumes again', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(
        new STSServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' }),
      )
      .resolvesOnce(issued('ASIAAFTER', T0 + 900_000));

    // Act
    const error = await memberCredentials(ROLE, 'eu-west-2', 's', () => T0).catch((e: unknown) => e);
    const after = await memberCredentials(ROLE, 'eu-west-2', 's', () => T0);

    // Assess
    expect((error as MemberRoleError).retryable).toBe(true);
    expect(after.accessKeyId).toBe('ASIAAFTER');
  });

  it('does not take an expired token of its own as a reason to keep trying', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(
        new ExpiredTokenException({ $metadata: { httpStatusCode: 400 }, message: 'The security token included in the request is expired' }),
      );

    const error = await memberCredentials(ROLE, 'eu-west-2', 's', () => T0).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MemberRoleError);
    expect((error as MemberRoleError).retryable).toBe(false);
  });
});

describe('the adapters acting in a member account', () => {
  const member = { accessKeyId: 'ASIAMEMBER1', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + 900_000) };
  const where = { account: '987654321098', region: 'ap-southeast-2', credentials: async () => member };

  it.each([
    ['S3', s3Client],
    ['SageMaker', sagemakerClient],
    ['IAM', iamClient],
    ['Secrets Manager', secretsManagerClient],
  ] as const)('send %s calls to the region the event is about, with the member credentials', async (_, client) => {
    // Act
    const [region, credentials] = await actIn(where, async () => [await client().config.region(), await client().config.credentials()]);

    // Assess
    expect(region).toBe('ap-southeast-2');
    expect(credentials).toMatchObject({ accessKeyId: 'ASIAMEMBER1' });
  });

  it('keeps one client per account and region, and the default client outside', async () => {
    const inside = await actIn(where, async () => s3Client());
    const again = await actIn({ ...where }, async () => s3Client());
    const otherRegion = await actIn({ ...where, region: 'eu-west-1' }, async () => s3Client());

    expect(again).toBe(inside);
    expect(otherRegion).not.toBe(inside);
    expect(s3Client()).not.toBe(inside);
    expect(await s3Client().config.region()).toBe('eu-west-2');
    expect(await s3Client().config.credentials()).toMatchObject({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
  });

  it.each([
    ['the forensics bucket', ownS3Client],
    ['the journal', journalClient],
    ['SNS', snsClient],
  ] as const)('write to %s with the function’s own credentials and region, even while acting in a member account', async (_, client) => {
    const [region, credentials] = await actIn(where, async () => [await client().config.region(), await client().config.credentials()]);

    expect(region).toBe('eu-west-2');
    expect(credentials).toMatchObject({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
  });

  it('are made for types the SDK knows (the clients above are the SDK classes)', async () => {
    await expect(actIn(where, async () => [s3Client(), sagemakerClient(), iamClient(), secretsManagerClient()])).resolves.toEqual([
      expect.any(S3Client),
      expect.any(SageMakerClient),
      expect.any(IAMClient),
      expect.any(SecretsManagerClient),
    ]);
  });
});

describe('refusalFor', () => {
  const org = (env: Record<string, string> = {}) => loadConfig({ MEMBER_ROLE_PREFIX: 'ml-guard-member', ...env });
  const place = { account: '987654321098', region: 'eu-west-2' };

  it('refuses, in single-account mode, any account but its own, saying what to deploy', () => {
    expect(refusalFor(place, loadConfig({}), '987654321098')).toBeUndefined();
    expect(refusalFor(place, loadConfig({}), '123456789012')).toBe(
      'the event is about account 987654321098, but it reached ml-guard in account 123456789012, which acts only in its own account (single-account mode: MemberRolePrefix is empty): nothing was read or changed; to act in 987654321098, deploy ml-guard\'s member stack there and set MemberRolePrefix (README "Deploying across an organization"), or deploy ml-guard in 987654321098',
    );
  });

  it('acts, in organization mode, in any account unless MANAGED_ACCOUNTS lists others', () => {
    expect(refusalFor(place, org(), '123456789012')).toBeUndefined();
    expect(refusalFor(place, org({ MANAGED_ACCOUNTS: '987654321098' }), '123456789012')).toBeUndefined();
    expect(refusalFor(place, org({ MANAGED_ACCOUNTS: '111122223333, 444455556666' }), '123456789012')).toMatch(
      /^account 987654321098 is not one ml-guard manages \(MANAGED_ACCOUNTS, the stack parameter ManagedAccounts, does not list it\)/,
    );
  });

  it('refuses, in organization mode, an account or region that is not one, before building any ARN from it', () => {
    expect(refusalFor({ account: '1234567890123', region: 'us-east-1' }, org(), '123456789012')).toMatch(/which is not an account id/);
    expect(refusalFor({ account: '987654321098', region: '<<region>>' }, org(), '123456789012')).toMatch(/which is not an AWS Region/);
  });
});
