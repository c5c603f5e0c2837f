import {
  CreateAccessKeyCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  LimitExceededException,
  ListAccessKeysCommand,
  ListRoleTagsCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type Tag,
  UnmodifiableEntityException,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

export const ACCOUNT = '123456789012';

export interface FakeKey {
  id: string;
  status: 'Active' | 'Inactive';
  created: Date;
  /** When it was last used; absent: never (GetAccessKeyLastUsed then says N/A). */
  lastUsed?: Date;
}

export interface FakeUser {
  id: string;
  path?: string;
  tags?: Tag[];
  keys: FakeKey[];
  /** Inline policies by name, as JSON text. */
  policies?: Record<string, string>;
}

export interface FakeRole {
  id: string;
  path?: string;
  tags?: Tag[];
  policies?: Record<string, string>;
}

export interface FakeSecret {
  name: string;
  tags?: Tag[];
  /** The current value (SecretString). */
  value?: string;
  deleted?: boolean;
  rotationEnabled?: boolean;
  /**
   * The versions and their staging labels, made on the first write (the value given is then `version-0`, AWSCURRENT):
   * PutSecretValue adds a version with AWSCURRENT and moves AWSPREVIOUS to the version that had it;
   * UpdateSecretVersionStage moves a label, and moving AWSCURRENT moves AWSPREVIOUS to the version it left, as Secrets
   * Manager does. `value` is always the AWSCURRENT version's.
   */
  versions?: { id: string; value?: string; stages: string[] }[];
}

export interface FakeAccount {
  users?: Record<string, FakeUser>;
  roles?: Record<string, FakeRole>;
  secrets?: FakeSecret[];
}

const userArn = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:user${path}${name}`;
const roleArn = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
export const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-AbCdEf`;

const noSuchEntity = (what: string) =>
  new NoSuchEntityException({ $metadata: { httpStatusCode: 404 }, message: `The ${what} cannot be found.` });

/** Answers `items` a page at a time, as IAM does with MaxItems, IsTruncated and Marker. */
function page<T>(items: T[], marker: string | undefined, pageSize: number) {
  const start = marker ? Number(marker) : 0;
  const end = start + pageSize;
  return { items: items.slice(start, end), IsTruncated: end < items.length, ...(end < items.length ? { Marker: String(end) } : {}) };
}

/**
 * IAM and Secrets Manager answered by aws-sdk-client-mock as they would for the account given, with their documented
 * errors (NoSuchEntity, LimitExceeded for a third access key, UnmodifiableEntity for a service-linked role,
 * ResourceNotFoundException). Reads return the current state, writes change it. Inline policies are returned
 * URL-encoded, as IAM returns them. Lists are answered `pageSize` items at a time.
 */
export function fakeIam(account: FakeAccount, { pageSize = 100, now = () => new Date() }: { pageSize?: number; now?: () => Date } = {}) {
  const users = account.users ?? {};
  const roles = account.roles ?? {};
  const secrets = account.secrets ?? [];
  const iam = mockClient(IAMClient);
  const sm = mockClient(SecretsManagerClient);
  let created = 0;
  let versions = 0;
  /** The secret access keys IAM gave out, to check where they went. */
  const issuedSecrets: string[] = [];

  const user = (name: string | undefined) => {
    const u = name ? users[name] : undefined;
    if (!u) throw noSuchEntity(`user with name ${name}`);
    return u;
  };
  const role = (name: string | undefined) => {
    const r = name ? roles[name] : undefined;
    if (!r) throw noSuchEntity(`role with name ${name}`);
    return r;
  };
  const secret = (id: string | undefined) => {
    const s = secrets.find((x) => x.name === id || secretArn(x.name) === id);
    if (!s)
      throw new ResourceNotFoundException({
        $metadata: { httpStatusCode: 400 },
        message: "Secrets Manager can't find the specified secret.",
      });
    return s;
  };

  iam.on(GetUserCommand).callsFake(({ UserName }) => {
    const u = user(UserName);
    return {
      User: {
        UserName,
        UserId: u.id,
        Arn: userArn(UserName as string, u.path),
        Path: u.path ?? '/',
        CreateDate: new Date('2020-01-01T00:00:00Z'),
      },
    };
  });
  iam.on(ListUsersCommand).callsFake(({ Marker }) => {
    const all = Object.entries(users).map(([name, u]) => ({
      UserName: name,
      UserId: u.id,
      Arn: userArn(name, u.path),
      Path: u.path ?? '/',
      CreateDate: new Date('2020-01-01T00:00:00Z'),
    }));
    const { items, ...rest } = page(all, Marker, pageSize);
    return { Users: items, ...rest };
  });
  iam.on(ListUserTagsCommand).callsFake(({ UserName, Marker }) => {
    const { items, ...rest } = page(user(UserName).tags ?? [], Marker, pageSize);
    return { Tags: items, ...rest };
  });
  iam.on(ListAccessKeysCommand).callsFake(({ UserName, Marker }) => {
    const keys = user(UserName).keys.map((k) => ({ UserName, AccessKeyId: k.id, Status: k.status, CreateDate: k.created }));
    const { items, ...rest } = page(keys, Marker, pageSize);
    return { AccessKeyMetadata: items, ...rest };
  });
  // GetAccessKeyLastUsed names the key alone; IAM answers with its user, and N/A for a key never used.
  iam.on(GetAccessKeyLastUsedCommand).callsFake(({ AccessKeyId }) => {
    const owner = Object.entries(users).find(([, u]) => u.keys.some((k) => k.id === AccessKeyId));
    const key = owner?.[1].keys.find((k) => k.id === AccessKeyId);
    if (!owner || !key) throw noSuchEntity(`Access Key with id ${AccessKeyId}`);
    return {
      UserName: owner[0],
      AccessKeyLastUsed: key.lastUsed
        ? { LastUsedDate: key.lastUsed, ServiceName: 's3', Region: 'us-east-2' }
        : { ServiceName: 'N/A', Region: 'N/A' },
    };
  });
  iam.on(GetUserPolicyCommand).callsFake(({ UserName, PolicyName }) => {
    const doc = user(UserName).policies?.[PolicyName as string];
    if (doc === undefined) throw noSuchEntity(`user policy with name ${PolicyName}`);
    return { UserName, PolicyName, PolicyDocument: encodeURIComponent(doc) };
  });
  iam.on(PutUserPolicyCommand).callsFake(({ UserName, PolicyName, PolicyDocument }) => {
    const u = user(UserName);
    u.policies = { ...u.policies, [PolicyName as string]: PolicyDocument as string };
    return {};
  });
  iam.on(UpdateAccessKeyCommand).callsFake(({ UserName, AccessKeyId, Status }) => {
    const key = user(UserName).keys.find((k) => k.id === AccessKeyId);
    if (!key) throw noSuchEntity(`Access Key with id ${AccessKeyId}`);
    key.status = Status as FakeKey['status'];
    return {};
  });
  iam.on(CreateAccessKeyCommand).callsFake(({ UserName }) => {
    const u = user(UserName);
    if (u.keys.length >= 2) {
      throw new LimitExceededException({ $metadata: { httpStatusCode: 409 }, message: 'Cannot exceed quota for AccessKeysPerUser: 2' });
    }
    created += 1;
    const id = `AKIANEWKEY${String(created).padStart(10, '0')}`;
    const secretKey = `wJalrXUtnFEMI/K7MDENG/bPxRfiCYNEWSECRET${created}`;
    issuedSecrets.push(secretKey);
    const at = now();
    u.keys.push({ id, status: 'Active', created: at });
    return { AccessKey: { UserName, AccessKeyId: id, Status: 'Active', SecretAccessKey: secretKey, CreateDate: at } };
  });
  iam.on(GetRoleCommand).callsFake(({ RoleName }) => {
    const r = role(RoleName);
    return {
      Role: {
        RoleName,
        RoleId: r.id,
        Arn: roleArn(RoleName as string, r.path),
        Path: r.path ?? '/',
        CreateDate: new Date('2020-01-01T00:00:00Z'),
      },
    };
  });
  iam.on(ListRoleTagsCommand).callsFake(({ RoleName, Marker }) => {
    const { items, ...rest } = page(role(RoleName).tags ?? [], Marker, pageSize);
    return { Tags: items, ...rest };
  });
  iam.on(GetRolePolicyCommand).callsFake(({ RoleName, PolicyName }) => {
    const doc = role(RoleName).policies?.[PolicyName as string];
    if (doc === undefined) throw noSuchEntity(`role policy with name ${PolicyName}`);
    return { RoleName, PolicyName, PolicyDocument: encodeURIComponent(doc) };
  });
  iam.on(PutRolePolicyCommand).callsFake(({ RoleName, PolicyName, PolicyDocument }) => {
    const r = role(RoleName);
    if (r.path?.startsWith('/aws-service-role/')) {
      throw new UnmodifiableEntityException({
        $metadata: { httpStatusCode: 400 },
        message: `Cannot perform the operation on the protected role '${RoleName}' - this role is only modifiable by AWS`,
      });
    }
    r.policies = { ...r.policies, [PolicyName as string]: PolicyDocument as string };
    return {};
  });

  sm.on(DescribeSecretCommand).callsFake(({ SecretId }) => {
    const s = secret(SecretId);
    return {
      ARN: secretArn(s.name),
      Name: s.name,
      Tags: s.tags ?? [],
      RotationEnabled: s.rotationEnabled ?? false,
      VersionIdsToStages: Object.fromEntries(versionsOf(s).map((v) => [v.id, v.stages])),
      ...(s.deleted ? { DeletedDate: new Date('2026-11-20T00:00:00Z') } : {}),
    };
  });
  sm.on(GetSecretValueCommand).callsFake(({ SecretId }) => {
    const s = secret(SecretId);
    if (s.value === undefined) {
      throw new ResourceNotFoundException({
        $metadata: { httpStatusCode: 400 },
        message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
      });
    }
    return { ARN: secretArn(s.name), Name: s.name, SecretString: s.value, VersionStages: ['AWSCURRENT'] };
  });
  const versionsOf = (s: FakeSecret) => {
    s.versions ??= s.value === undefined ? [] : [{ id: 'version-0', value: s.value, stages: ['AWSCURRENT'] }];
    return s.versions;
  };
  const moveStage = (s: FakeSecret, stage: string, to: string) => {
    const all = versionsOf(s);
    const from = all.find((v) => v.stages.includes(stage));
    for (const v of all) v.stages = v.stages.filter((x) => x !== stage);
    all.find((v) => v.id === to)?.stages.push(stage);
    if (stage === 'AWSCURRENT' && from && from.id !== to) moveStage(s, 'AWSPREVIOUS', from.id);
    if (stage === 'AWSCURRENT') s.value = all.find((v) => v.id === to)?.value;
  };
  sm.on(PutSecretValueCommand).callsFake(({ SecretId, SecretString }) => {
    const s = secret(SecretId);
    versions += 1;
    const id = `version-${versions}`;
    versionsOf(s).push({ id, ...(SecretString === undefined ? {} : { value: SecretString }), stages: [] });
    moveStage(s, 'AWSCURRENT', id);
    return { ARN: secretArn(s.name), Name: s.name, VersionId: id, VersionStages: ['AWSCURRENT'] };
  });
  sm.on(UpdateSecretVersionStageCommand).callsFake(({ SecretId, VersionStage, MoveToVersionId, RemoveFromVersionId }) => {
    const s = secret(SecretId);
    const holder = versionsOf(s).find((v) => v.stages.includes(VersionStage as string));
    if (holder && holder.id !== MoveToVersionId && holder.id !== RemoveFromVersionId) {
      throw new InvalidParameterException({
        $metadata: { httpStatusCode: 400 },
        message: `The parameter RemoveFromVersionId can't be empty. Staging label ${VersionStage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
      });
    }
    if (!versionsOf(s).some((v) => v.id === MoveToVersionId))
      throw new ResourceNotFoundException({ $metadata: { httpStatusCode: 400 }, message: `no version ${MoveToVersionId}` });
    moveStage(s, VersionStage as string, MoveToVersionId as string);
    return { ARN: secretArn(s.name), Name: s.name };
  });
  iam.on(DeleteUserPolicyCommand).callsFake(({ UserName, PolicyName }) => {
    const u = user(UserName);
    if (u.policies?.[PolicyName as string] === undefined) throw noSuchEntity(`user policy with name ${PolicyName}`);
    delete u.policies[PolicyName as string];
    return {};
  });
  iam.on(DeleteRolePolicyCommand).callsFake(({ RoleName, PolicyName }) => {
    const r = role(RoleName);
    if (r.policies?.[PolicyName as string] === undefined) throw noSuchEntity(`role policy with name ${PolicyName}`);
    delete r.policies[PolicyName as string];
    return {};
  });

  return { iam, sm, users, roles, secrets, issuedSecrets };
}

/** The IAM and Secrets Manager commands that change something; a dry-run must send none of them. */
export const WRITE_COMMANDS = [
  UpdateAccessKeyCommand,
  CreateAccessKeyCommand,
  PutUserPolicyCommand,
  PutRolePolicyCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  DeleteUserPolicyCommand,
  DeleteRolePolicyCommand,
];

/** The secret value ml-guard reads and writes: the key id and its secret access key, as JSON. */
export const keyInSecret = (accessKeyId: string, secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYOLDSECRET') =>
  JSON.stringify({ AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey });
