import {
  DeleteBucketPolicyCommand,
  DeleteBucketTaggingCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  type Grant,
  NoSuchBucket,
  type Owner,
  type PublicAccessBlockConfiguration,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { s3Error } from './aws-errors.js';

export interface FakeBucket {
  tags?: Tag[];
  publicAccessBlock?: PublicAccessBlockConfiguration;
  policy?: string;
  owner: Owner;
  grants: Grant[];
  objectOwnership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
}

export const OWNER: Owner = { ID: '89cb63da4b300f2cbb24354e2b51a573c56087fdc9b0c1de9cfde8b473f78c39' };
export const ownerFullControl: Grant = { Grantee: { Type: 'CanonicalUser', ID: OWNER.ID }, Permission: 'FULL_CONTROL' };
export const allUsersRead: Grant = {
  Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
  Permission: 'READ',
};
export const authenticatedUsersWrite: Grant = {
  Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' },
  Permission: 'WRITE',
};
export const logDeliveryWrite: Grant = {
  Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' },
  Permission: 'WRITE',
};

/**
 * S3 answered by aws-sdk-client-mock as S3 would for the buckets given: reads return the current state (with S3's
 * documented errors for what is not configured), writes change it, and a bucket not listed does not exist.
 * `objects` records what was written with PutObject.
 */
/** The bucket the recorded GuardDuty finding (events/guardduty/policy-s3-bucketblockpublicaccessdisabled.json) names. */
export const GD_BUCKET = 'test-gd-324237984731208478901374';
const ON_OBJECTS = `arn:aws:s3:::${GD_BUCKET}/*`;
export const publicReadStatement = { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: ON_OBJECTS };
export const trainingRoleStatement = {
  Sid: 'TrainingRole',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::987654321098:role/SageMakerTraining' },
  Action: 's3:*',
  Resource: ON_OBJECTS,
};
export const policyOf = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
/** That bucket made public every way: a public policy statement beside a private one, and public ACL grants. */
export const publicBucket = (): FakeBucket => ({
  tags: [{ Key: 'team', Value: 'ml-platform' }],
  policy: policyOf(publicReadStatement, trainingRoleStatement),
  owner: OWNER,
  grants: [ownerFullControl, allUsersRead, authenticatedUsersWrite, logDeliveryWrite],
});

export function fakeS3(buckets: Record<string, FakeBucket>) {
  const mock = mockClient(S3Client);
  const objects = new Map<string, string>();
  const bucket = (name: string | undefined) => {
    const b = name ? buckets[name] : undefined;
    if (!b) throw new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'The specified bucket does not exist' });
    return b;
  };
  mock.on(GetBucketTaggingCommand).callsFake(({ Bucket }) => {
    const b = bucket(Bucket);
    if (!b.tags?.length) throw s3Error('NoSuchTagSet', 404, 'The TagSet does not exist');
    return { TagSet: b.tags };
  });
  mock.on(GetPublicAccessBlockCommand).callsFake(({ Bucket }) => {
    const b = bucket(Bucket);
    if (!b.publicAccessBlock)
      throw s3Error('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found');
    return { PublicAccessBlockConfiguration: b.publicAccessBlock };
  });
  mock.on(GetBucketPolicyCommand).callsFake(({ Bucket }) => {
    const b = bucket(Bucket);
    if (!b.policy) throw s3Error('NoSuchBucketPolicy', 404, 'The bucket policy does not exist');
    return { Policy: b.policy };
  });
  mock.on(GetBucketAclCommand).callsFake(({ Bucket }) => {
    const b = bucket(Bucket);
    return { Owner: b.owner, Grants: b.grants };
  });
  mock.on(GetBucketOwnershipControlsCommand).callsFake(({ Bucket }) => {
    const b = bucket(Bucket);
    if (!b.objectOwnership) throw s3Error('OwnershipControlsNotFoundError', 404, 'The bucket ownership controls were not found');
    return { OwnershipControls: { Rules: [{ ObjectOwnership: b.objectOwnership }] } };
  });
  mock.on(PutPublicAccessBlockCommand).callsFake(({ Bucket, PublicAccessBlockConfiguration }) => {
    bucket(Bucket).publicAccessBlock = PublicAccessBlockConfiguration;
    return {};
  });
  mock.on(PutBucketAclCommand).callsFake(({ Bucket, AccessControlPolicy }) => {
    const b = bucket(Bucket);
    if (b.objectOwnership === 'BucketOwnerEnforced') throw s3Error('AccessControlListNotSupported', 400, 'The bucket does not allow ACLs');
    b.grants = AccessControlPolicy?.Grants ?? [];
    return {};
  });
  mock.on(PutBucketPolicyCommand).callsFake(({ Bucket, Policy }) => {
    bucket(Bucket).policy = Policy;
    return {};
  });
  mock.on(DeleteBucketPolicyCommand).callsFake(({ Bucket }) => {
    delete bucket(Bucket).policy;
    return {};
  });
  mock.on(PutBucketTaggingCommand).callsFake(({ Bucket, Tagging }) => {
    bucket(Bucket).tags = Tagging?.TagSet ?? [];
    return {};
  });
  mock.on(DeletePublicAccessBlockCommand).callsFake(({ Bucket }) => {
    delete bucket(Bucket).publicAccessBlock;
    return {};
  });
  mock.on(DeleteBucketTaggingCommand).callsFake(({ Bucket }) => {
    delete bucket(Bucket).tags;
    return {};
  });
  // Objects (the forensics bucket's prior states) are read back as S3 gives them: a stream the SDK can turn to text.
  mock.on(GetObjectCommand).callsFake(({ Bucket, Key }) => {
    const body = objects.get(`${Bucket}/${Key}`);
    if (body === undefined) throw s3Error('NoSuchKey', 404, 'The specified key does not exist.');
    return { Body: { transformToString: async () => body } };
  });
  mock.on(PutObjectCommand).callsFake(({ Bucket, Key, Body, IfNoneMatch }) => {
    const id = `${Bucket}/${Key}`;
    if (IfNoneMatch === '*' && objects.has(id))
      throw s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
    objects.set(id, String(Body));
    return { ETag: '"etag"' };
  });
  return { mock, objects, buckets };
}

/** The S3 commands that change something; a dry-run must send none of them. */
export const S3_WRITE_COMMANDS = [
  PutPublicAccessBlockCommand,
  DeletePublicAccessBlockCommand,
  DeleteBucketTaggingCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  DeleteBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
];
