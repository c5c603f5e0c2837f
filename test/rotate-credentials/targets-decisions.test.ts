import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { type CredentialTarget, describeTarget, selectTargets } from '../../functions/rotate-credentials/targets.js';
import { loadEvent } from '../support/events.js';

const config = loadConfig({});
const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '999999999999';
const TOR = 'guardduty/unauthorizedaccess-iamuser-toripcaller.json';
const ROOT = 'guardduty/policy-iamuser-rootcredentialusage.json';
const ROLE = 'guardduty/unauthorizedaccess-iamuser-maliciousipcaller-custom-assumedrole.json';
const FEDERATED = 'guardduty/unauthorizedaccess-iamuser-toripcaller-federateduser.json';
const CONFIG = 'config/access-keys-rotated-noncompliant.json';
/** Why an event about a member account is not acted on here. */

/** A sample event with only what the case needs changed. */
const finding = (path: string, change: (detail: any) => void = () => {}) => {
  const event = loadEvent(path);
  change(event.detail);
  return parseEvent(event);
};

describe('selectTargets: which principal a GuardDuty finding makes ml-guard contain', () => {
  it.each<[string, ReturnType<typeof finding>, CredentialTarget]>([
    [
      // GuardDuty reports root use as Policy:IAMUser/RootCredentialUsage with userType Root; the finding type alone is enough.
      'the root user, for RootCredentialUsage even when the principal is not typed Root',
      finding(ROOT, (d) => (d.resource.accessKeyDetails.userType = 'IAMUser')),
      {
        kind: 'root',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:7de4f5a6b7c8d9e0f1a2b3c4d5e6f7a8',
        accessKeyId: 'ASIAQROOTSESSIONEXAM',
        activity: 'API ListBuckets from 198.51.100.0',
      },
    ],
    [
      // Any credential finding whose principal is the root user (userType Root) is about the most sensitive principal.
      'the root user, for a credential finding about a principal typed Root',
      finding(TOR, (d) => {
        d.resource.accessKeyDetails = { userType: 'Root', userName: 'Root', principalId: ACCOUNT, accessKeyId: 'AKIAROOTKEYEXAMPLE01' };
      }),
      {
        kind: 'root',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:4ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
        accessKeyId: 'AKIAROOTKEYEXAMPLE01',
        activity: 'API ListBuckets from 198.51.100.0',
      },
    ],
    [
      // service.action is optional: a finding about an API call may not carry it.
      'the root user, with no activity when the finding carries no action',
      finding(ROOT, (d) => {
        d.service.action = null;
        d.resource.accessKeyDetails.accessKeyId = null;
      }),
      { kind: 'root', account: ACCOUNT, region: 'us-east-1', trigger: 'guardduty:7de4f5a6b7c8d9e0f1a2b3c4d5e6f7a8' },
    ],
    [
      'the root user, with no activity when the API call names neither API nor address',
      finding(ROOT, (d) => (d.service.action.awsApiCallAction = { serviceName: 's3.amazonaws.com', remoteIpDetails: null })),
      {
        kind: 'root',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:7de4f5a6b7c8d9e0f1a2b3c4d5e6f7a8',
        accessKeyId: 'ASIAQROOTSESSIONEXAM',
      },
    ],
    [
      // remoteIpDetails has ipAddressV6 for calls made over IPv6.
      'the root user, with the IPv6 address when there is no IPv4 one and no API',
      finding(ROOT, (d) => (d.service.action.awsApiCallAction = { remoteIpDetails: { ipAddressV6: '2001:db8::1' } })),
      {
        kind: 'root',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:7de4f5a6b7c8d9e0f1a2b3c4d5e6f7a8',
        accessKeyId: 'ASIAQROOTSESSIONEXAM',
        activity: 'from 2001:db8::1',
      },
    ],
    [
      'the root user, with the API alone when the call names no address',
      finding(ROOT, (d) => (d.service.action.awsApiCallAction.remoteIpDetails = null)),
      {
        kind: 'root',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:7de4f5a6b7c8d9e0f1a2b3c4d5e6f7a8',
        accessKeyId: 'ASIAQROOTSESSIONEXAM',
        activity: 'API ListBuckets',
      },
    ],
    [
      // GuardDuty rates root credential usage LOW (2): it is handled whatever SEVERITY_THRESHOLD says.
      'the root user, below SEVERITY_THRESHOLD',
      finding(ROOT, (d) => (d.severity = 0)),
      {
        kind: 'root',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:7de4f5a6b7c8d9e0f1a2b3c4d5e6f7a8',
        accessKeyId: 'ASIAQROOTSESSIONEXAM',
        activity: 'API ListBuckets from 198.51.100.0',
      },
    ],
    [
      'the IAM user, at exactly SEVERITY_THRESHOLD (4 by default)',
      finding(TOR, (d) => (d.severity = 4)),
      {
        kind: 'user-key',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:4ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
        seenUntil: '2017-12-08T15:32:49Z',
        userName: 'ml-pipeline-bot',
        accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
        principalId: 'AIDAJQABLZS4A3QDU576Q',
      },
    ],
    [
      // eventLastSeen is optional; updatedAt is then the last time GuardDuty saw the activity.
      'the IAM user, seen until updatedAt when the finding has no eventLastSeen, and without a key it does not name',
      finding(TOR, (d) => {
        d.service.eventLastSeen = null;
        d.resource.accessKeyDetails.accessKeyId = '';
      }),
      {
        kind: 'user-key',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:4ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
        seenUntil: '2017-12-08T15:32:49.862Z',
        userName: 'ml-pipeline-bot',
        principalId: 'AIDAJQABLZS4A3QDU576Q',
      },
    ],
    [
      'the role of an assumed-role session, with the role id before the session name',
      finding(ROLE),
      {
        kind: 'role',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:8ef5a6b7c8d9e0f1a2b3c4d5e6f7a8b9',
        seenUntil: '2022-01-13T00:00:47.000Z',
        roleName: 'ml-batch-inference',
        principalId: 'AROAJBATCHINFERENCE1',
      },
    ],
    [
      // A federated user (GetFederationToken) is no IAM principal: nothing to change, a person is told.
      'another principal, for a federated user',
      finding(FEDERATED),
      {
        kind: 'other',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:5bc2d3e4f5a6b7c8d9e0f1a2b3c4d5e6',
        userType: 'FederatedUser',
        principal: 'ci-deployer',
      },
    ],
    [
      // accessKeyDetails may be null: nothing names the principal.
      'another principal, unknown and not named, when the finding has no access key details',
      finding(TOR, (d) => (d.resource.accessKeyDetails = null)),
      {
        kind: 'other',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:4ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
        userType: 'unknown',
        principal: '(not named)',
      },
    ],
    [
      'another principal, named by its principal id when it has no user name',
      finding(FEDERATED, (d) => (d.resource.accessKeyDetails.userName = null)),
      {
        kind: 'other',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:5bc2d3e4f5a6b7c8d9e0f1a2b3c4d5e6',
        userType: 'FederatedUser',
        principal: '123456789012:ci-deployer',
      },
    ],
  ])('contains %s', (_, event, expected) => {
    const selection = selectTargets(event, config);

    expect(selection).toEqual({ action: 'remediate', targets: [expected] });
  });

  // IAM unique ids: users AIDA..., roles AROA...; an assumed role's principalId is `<role id>:<session name>` (IAM user guide, "IAM identifiers").
  it.each([
    ['a user id with a session suffix, which IAM users never have', TOR, 'AIDAJQABLZS4A3QDU576Q:session'],
    ['a role id for a user', TOR, 'AROAJBATCHINFERENCE1'],
    ['a user id for a role session', ROLE, 'AIDAJQABLZS4A3QDU576Q:botocore-session-1'],
    ['no principal id for a role session', ROLE, null],
  ])('keeps no principal id for %s', (_, path, principalId) => {
    const selection = selectTargets(
      finding(path, (d) => (d.resource.accessKeyDetails.principalId = principalId)),
      config,
    );

    expect(selection.action).toBe('remediate');
    expect(selection.action === 'remediate' && selection.targets[0]).not.toHaveProperty('principalId');
  });

  it.each([
    [
      'a finding type it does not handle',
      finding(TOR, (d) => (d.type = 'Recon:IAMUser/MaliciousIPCaller')),
      'GuardDuty finding type Recon:IAMUser/MaliciousIPCaller is not one that rotate-credentials handles',
    ],
    [
      // Only AccessKey findings name an IAM principal's credentials.
      'a credential finding about another resource type',
      finding(TOR, (d) => (d.resource.resourceType = 'Instance')),
      'GuardDuty finding 4ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5 is about a Instance, not an access key',
    ],
    [
      'a root credential finding about another resource type',
      finding(ROOT, (d) => (d.resource.resourceType = 'S3Bucket')),
      'GuardDuty finding 7de4f5a6b7c8d9e0f1a2b3c4d5e6f7a8 is about a S3Bucket, not an access key',
    ],
    [
      'a credential finding just below SEVERITY_THRESHOLD',
      finding(TOR, (d) => (d.severity = 3.9)),
      'GuardDuty finding 4ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5 has severity 3.9, below SEVERITY_THRESHOLD 4',
    ],
  ])('ignores %s', (_, event, reason) => {
    expect(selectTargets(event, config)).toEqual({ action: 'ignore', reason });
  });

  it.each([
    ['an IAM user', TOR, 'IAMUser', null, 'user', 'null'],
    ['a role', ROLE, 'AssumedRole', 'not a/name', 'role', '"not a/name"'],
  ])('notifies, changing nothing, when a finding about %s names no valid principal', (_, path, userType, userName, noun, shown) => {
    const event = finding(path, (d) => {
      d.resource.accessKeyDetails.userType = userType;
      d.resource.accessKeyDetails.userName = userName;
    });

    const selection = selectTargets(event, config);

    expect(selection).toEqual({
      action: 'notify',
      reason: `GuardDuty finding ${event.kind === 'guardduty' && event.finding.id} names no valid ${noun} (accessKeyDetails.userName: ${shown}): nothing was changed; a person must find the principal in CloudTrail`,
      targets: [],
    });
  });

  // A GuardDuty administrator account receives its members' findings: the target is in the member account, and the flow
  // decides whether the function may act there (organization mode) or refuses it (single-account mode).
  it.each([
    ['an IAM user', TOR, (d: any) => d, { kind: 'user-key', userName: 'ml-pipeline-bot' }],
    ['a principal it does not name', TOR, (d: any) => (d.resource.accessKeyDetails = null), { kind: 'other', principal: '(not named)' }],
  ])('selects %s of a member account in that account and region', (_, path, change, target) => {
    const event = finding(path, (d) => {
      d.accountId = OTHER_ACCOUNT;
      change(d);
    });

    expect(selectTargets(event, config)).toMatchObject({
      action: 'remediate',
      targets: [{ ...target, account: OTHER_ACCOUNT, region: 'us-east-1' }],
    });
  });
});

describe('selectTargets: which user an AWS Config access-keys-rotated change names', () => {
  const change = (edit: (detail: any) => void = () => {}) => {
    const event = loadEvent(CONFIG);
    edit(event.detail);
    return parseEvent(event);
  };

  it('deactivates the stale keys of the user Config names by id', () => {
    expect(selectTargets(change(), config)).toEqual({
      action: 'remediate',
      targets: [
        {
          kind: 'stale-keys',
          account: ACCOUNT,
          region: 'us-east-2',
          trigger: 'config:access-keys-rotated',
          userId: 'AIDAJQABLZS4A3QDU576Q',
          rule: 'access-keys-rotated',
          check: 'age',
        },
      ],
    });
  });

  it('ignores the rule about another resource type than an IAM user', () => {
    expect(
      selectTargets(
        change((d) => (d.resourceType = 'AWS::IAM::Role')),
        config,
      ),
    ).toEqual({ action: 'ignore', reason: 'resource type AWS::IAM::Role is not AWS::IAM::User' });
  });

  it('selects a user of a member account in that account and region (a Config aggregator or administrator)', () => {
    const event = change((d) => (d.awsAccountId = OTHER_ACCOUNT));

    expect(selectTargets(event, config)).toMatchObject({
      action: 'remediate',
      targets: [{ kind: 'stale-keys', account: OTHER_ACCOUNT, region: 'us-east-2', userId: 'AIDAJQABLZS4A3QDU576Q' }],
    });
  });

  // Config names IAM users by their unique id, AIDA followed by upper-case letters and digits, and nothing else.
  it.each([
    ['a user name', 'ml-pipeline-bot'],
    ['an id with something before it', 'user/AIDAJQABLZS4A3QDU576Q'],
    ['an id with something after it', 'AIDAJQABLZS4A3QDU576Q/old'],
  ])('notifies without acting when Config names %s', (_, resourceId) => {
    expect(
      selectTargets(
        change((d) => (d.resourceId = resourceId)),
        config,
      ),
    ).toEqual({
      action: 'notify',
      reason: `Config names the user ${JSON.stringify(resourceId)}, which is not an IAM user id (AIDA...): nothing was changed`,
      targets: [{ type: 'AWS::IAM::User', id: resourceId }],
    });
  });
});

describe('selectTargets: the caller of an S3 exfiltration finding', () => {
  const S3_USER = 'guardduty/exfiltration-s3-anomalousbehavior-iamuser.json';
  const S3_USER_ID = '9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c1';
  const OBJECTS =
    'ml-training-data-123456789012/datasets/fraud/train/part-0000.parquet, ml-training-data-123456789012/datasets/fraud/train/part-0001.parquet';
  const cause = (type: string, severity: number) =>
    `S3 exfiltration (GuardDuty ${type}, severity ${severity}): GetObject on S3 bucket ml-training-data-123456789012 (objects: ${OBJECTS})`;
  const userKey = (type: string, severity: number): CredentialTarget => ({
    kind: 'user-key',
    account: ACCOUNT,
    region: 'eu-west-2',
    trigger: `guardduty:${S3_USER_ID}`,
    cause: cause(type, severity),
    seenUntil: '2022-03-01T14:20:49.000Z',
    userName: 'ml-pipeline-bot',
    accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
    principalId: 'AIDAJQABLZS4A3QDU576Q',
  });

  it.each<[string, ReturnType<typeof finding>, CredentialTarget]>([
    // S3 data-event findings have the resource type S3Bucket, management-event ones AccessKey: both name the caller.
    ['the IAM user of a data-event finding (S3Bucket)', finding(S3_USER), userKey('Exfiltration:S3/AnomalousBehavior', 8)],
    [
      'the IAM user of a management-event finding (AccessKey)',
      finding(S3_USER, (d) => (d.resource.resourceType = 'AccessKey')),
      userKey('Exfiltration:S3/AnomalousBehavior', 8),
    ],
    [
      'the IAM user at exactly S3_EXFILTRATION_SEVERITY_THRESHOLD (7 by default)',
      finding(S3_USER, (d) => Object.assign(d, { type: 'Impact:S3/MaliciousIPCaller', severity: 7 })),
      userKey('Impact:S3/MaliciousIPCaller', 7),
    ],
    [
      'the IAM user of an UnauthorizedAccess:S3 finding',
      finding(S3_USER, (d) => (d.type = 'UnauthorizedAccess:S3/MaliciousIPCaller.Custom')),
      userKey('UnauthorizedAccess:S3/MaliciousIPCaller.Custom', 8),
    ],
    [
      'the IAM user of a Discovery:S3 finding',
      finding(S3_USER, (d) => (d.type = 'Discovery:S3/TorIPCaller')),
      userKey('Discovery:S3/TorIPCaller', 8),
    ],
    [
      'the role of an assumed-role caller',
      finding('guardduty/exfiltration-s3-maliciousipcaller-assumedrole.json'),
      {
        kind: 'role',
        account: '883606788610',
        region: 'eu-west-2',
        trigger: 'guardduty:9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c2',
        cause:
          'S3 exfiltration (GuardDuty Exfiltration:S3/MaliciousIPCaller, severity 8): GetObject on S3 bucket ml-model-artifacts-883606788610 (objects: ml-model-artifacts-883606788610/fraud-detector/model.tar.gz)',
        seenUntil: '2022-03-01T14:20:49.000Z',
        roleName: 'SageMakerTrainingRole',
        principalId: 'AROAUN7WV6J2SAGEMAKER',
      },
    ],
    [
      // A call across accounts: CloudTrail types the caller AWSAccount; no IAM call here reaches it.
      'another account as the caller, to notify only',
      finding(S3_USER, (d) => (d.resource.accessKeyDetails = { userType: 'AWSAccount', principalId: '444455556666', accessKeyId: null })),
      {
        kind: 'other',
        account: ACCOUNT,
        region: 'eu-west-2',
        trigger: `guardduty:${S3_USER_ID}`,
        cause: cause('Exfiltration:S3/AnomalousBehavior', 8),
        userType: 'AWSAccount',
        principal: '444455556666',
      },
    ],
  ])('contains %s', (_, event, target) => {
    expect(selectTargets(event, config)).toEqual({ action: 'remediate', targets: [target] });
  });

  it.each([
    [
      'an AWS service caller',
      finding('guardduty/exfiltration-s3-anomalousbehavior-awsservice.json'),
      'AWSService principal',
      'datasync.amazonaws.com',
      'S3 exfiltration (GuardDuty Exfiltration:S3/AnomalousBehavior, severity 8): GetObject on S3 bucket ml-training-data-123456789012: the caller is an AWS service (userType AWSService, datasync.amazonaws.com): ml-guard never contains a service; find in CloudTrail which configuration or principal made it act (replication, a job, a shared bucket policy)',
    ],
    [
      'a service-linked role caller',
      finding('guardduty/impact-s3-anomalousbehavior-permission-servicelinkedrole.json'),
      'AssumedRole principal',
      'AWSServiceRoleForAmazonSageMakerNotebooks',
      'S3 exfiltration (GuardDuty Impact:S3/AnomalousBehavior.Permission, severity 7): GetObject on S3 bucket ml-training-data-123456789012: the caller is the service-linked role AWSServiceRoleForAmazonSageMakerNotebooks, which only its AWS service can assume and IAM lets no one change: ml-guard never contains it; find in CloudTrail what made the service act',
    ],
    [
      'an AWS service caller the finding does not name',
      finding(
        'guardduty/exfiltration-s3-anomalousbehavior-awsservice.json',
        (d) => (d.resource.accessKeyDetails = { userType: 'AWSService' }),
      ),
      'AWSService principal',
      '(not named)',
      'S3 exfiltration (GuardDuty Exfiltration:S3/AnomalousBehavior, severity 8): GetObject on S3 bucket ml-training-data-123456789012: the caller is an AWS service (userType AWSService, (not named)): ml-guard never contains a service; find in CloudTrail which configuration or principal made it act (replication, a job, a shared bucket policy)',
    ],
  ])('notifies, never contains, %s', (_, event, type, id, reason) => {
    expect(selectTargets(event, config)).toEqual({ action: 'notify', reason, targets: [{ type, id }] });
  });

  it.each([
    [
      'an S3 exfiltration finding just below S3_EXFILTRATION_SEVERITY_THRESHOLD',
      finding(S3_USER, (d) => (d.severity = 6.9)),
      {},
      `GuardDuty finding ${S3_USER_ID} has severity 6.9, below S3_EXFILTRATION_SEVERITY_THRESHOLD 7: it is only notified`,
    ],
    [
      'an S3 exfiltration finding below a raised S3_EXFILTRATION_SEVERITY_THRESHOLD',
      finding(S3_USER),
      { S3_EXFILTRATION_SEVERITY_THRESHOLD: '8.5' },
      `GuardDuty finding ${S3_USER_ID} has severity 8, below S3_EXFILTRATION_SEVERITY_THRESHOLD 8.5: it is only notified`,
    ],
    [
      'an S3 exfiltration finding when containment is turned off',
      finding(S3_USER),
      { CONTAIN_S3_EXFILTRATION: 'false' },
      `GuardDuty finding ${S3_USER_ID}: containment of S3 exfiltration is turned off (CONTAIN_S3_EXFILTRATION is false): it is only notified`,
    ],
    [
      'a PenTest:S3 finding, whatever its severity',
      finding('guardduty/pentest-s3-parrotlinux.json', (d) => (d.severity = 9)),
      {},
      'GuardDuty finding type PenTest:S3/ParrotLinux is not one that rotate-credentials handles',
    ],
    [
      'a Stealth:S3 finding',
      finding(S3_USER, (d) => (d.type = 'Stealth:S3/ServerAccessLoggingDisabled')),
      {},
      'GuardDuty finding type Stealth:S3/ServerAccessLoggingDisabled is not one that rotate-credentials handles',
    ],
  ])('ignores %s (notify reports it)', (_, event, env, reason) => {
    expect(selectTargets(event, loadConfig(env))).toEqual({ action: 'ignore', reason });
  });
});

describe('describeTarget: how a notification names the principal', () => {
  const base = { account: ACCOUNT, region: 'us-east-1', trigger: 'guardduty:f' };

  it.each<[CredentialTarget, { type: string; id: string }]>([
    [
      { kind: 'user-key', ...base, userName: 'bot' },
      { type: 'AWS::IAM::User', id: 'bot' },
    ],
    [
      { kind: 'role', ...base, roleName: 'ops' },
      { type: 'AWS::IAM::Role', id: 'ops' },
    ],
    [
      { kind: 'root', ...base },
      { type: 'AWS account root user', id: ACCOUNT },
    ],
    [
      { kind: 'other', ...base, userType: 'FederatedUser', principal: 'ci' },
      { type: 'FederatedUser principal', id: 'ci' },
    ],
    [
      { kind: 'stale-keys', ...base, userId: 'AIDAJQABLZS4A3QDU576Q', rule: 'access-keys-rotated', check: 'age' },
      { type: 'AWS::IAM::User', id: 'AIDAJQABLZS4A3QDU576Q' },
    ],
  ])('names %j as %j', (target, ref) => {
    expect(describeTarget(target)).toEqual(ref);
  });
});
