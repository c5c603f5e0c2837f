import { CreateAccessKeyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { expectDeclaredCalls, iamActionOf, sentActions } from '../support/declared-calls.js';

/** The guard every handler test runs after each test (test/support/handler-harness.ts): it must be able to fail. */
describe('the declared-calls guard of the handler tests', () => {
  afterEach(() => {
    mockClient(S3Client).restore();
    mockClient(IAMClient).restore();
  });

  it('names each command by the IAM action it needs, S3 public access block calls included', () => {
    expect(iamActionOf('S3Client', 'GetPublicAccessBlockCommand')).toBe('s3:GetBucketPublicAccessBlock');
    expect(iamActionOf('S3Client', 'PutPublicAccessBlockCommand')).toBe('s3:PutBucketPublicAccessBlock');
    expect(iamActionOf('SecretsManagerClient', 'PutSecretValueCommand')).toBe('secretsmanager:PutSecretValue');
    expect(() => iamActionOf('EC2Client', 'DescribeInstancesCommand')).toThrow(/no IAM prefix known for EC2Client/);
  });

  it('passes the commands a function declares and fails one it does not', async () => {
    // Prepare
    mockClient(S3Client).onAnyCommand().resolves({});
    mockClient(IAMClient).onAnyCommand().resolves({});
    const s3 = new S3Client({ region: 'eu-west-2' });

    // Act
    await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'b' }));
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: 'b', PublicAccessBlockConfiguration: {} }));
    await new IAMClient({ region: 'eu-west-2' }).send(new CreateAccessKeyCommand({ UserName: 'u' }));

    // Assess
    expect(sentActions([S3Client, IAMClient])).toEqual([
      's3:GetBucketPublicAccessBlock',
      's3:PutBucketPublicAccessBlock',
      'iam:CreateAccessKey',
    ]);
    expect(() => expectDeclaredCalls(['quarantine-public-bucket'], [S3Client])).not.toThrow();
    expect(() => expectDeclaredCalls(['quarantine-public-bucket'], [S3Client, IAMClient])).toThrow(/does not declare/);
    expect(() => expectDeclaredCalls(['quarantine-public-bucket', 'rotate-credentials'], [S3Client, IAMClient])).not.toThrow();
  });
});
