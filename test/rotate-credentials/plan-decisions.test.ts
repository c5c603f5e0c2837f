import { describe, expect, it } from 'vitest';
import type { AccessKey } from '../../functions/core/aws/iam.js';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import type { PlanContext } from '../../functions/core/remediation/remediate.js';
import type { RoleState, SecretState, UserState } from '../../functions/rotate-credentials/observe.js';
import { planTarget } from '../../functions/rotate-credentials/plan.js';
import { revocationPolicy } from '../../functions/rotate-credentials/revocation.js';
import type {
  OtherPrincipalTarget,
  RoleTarget,
  RootTarget,
  StaleKeysTarget,
  UserKeyTarget,
} from '../../functions/rotate-credentials/targets.js';
import { loadEvent } from '../support/events.js';

const NOW = new Date('2026-11-26T03:00:00.000Z');
const ISSUED_BEFORE = '2026-11-26T03:00:00Z';
const DOCUMENT = revocationPolicy(ISSUED_BEFORE);
const ACCOUNT = '123456789012';
const KEY = 'AKIAI44QH8DHBEXAMPLE';
const OTHER_KEY = 'AKIAOTHERKEYEXAMPLE1';
const context: PlanContext = {
  event: parseEvent(loadEvent('guardduty/unauthorizedaccess-iamuser-toripcaller.json')),
  config: loadConfig({ REMEDIATION_MODE: 'enforce', TOPIC_ARN: `arn:aws:sns:us-east-1:${ACCOUNT}:t` }),
  now: NOW,
};
const days = (n: number) => new Date(NOW.getTime() - n * 24 * 60 * 60 * 1000);
const key = (accessKeyId: string, status: AccessKey['status'], createDate: Date | undefined = days(10)): AccessKey => ({
  accessKeyId,
  status,
  ...(createDate ? { createDate } : {}),
});

const compromised: UserKeyTarget = {
  kind: 'user-key',
  account: ACCOUNT,
  region: 'us-east-1',
  trigger: 'guardduty:f',
  userName: 'bot',
  accessKeyId: KEY,
};
const stale: StaleKeysTarget = {
  kind: 'stale-keys',
  account: ACCOUNT,
  region: 'us-east-1',
  trigger: 'config:access-keys-rotated',
  userId: 'AIDAJQABLZS4A3QDU576Q',
  rule: 'access-keys-rotated',
  check: 'age',
};
const user = { name: 'bot', id: 'AIDAJQABLZS4A3QDU576Q', arn: `arn:aws:iam::${ACCOUNT}:user/bot`, path: '/' };
const userState = (over: Partial<UserState> = {}): UserState => ({
  kind: 'user',
  gone: false,
  user,
  tags: [],
  keys: [key(KEY, 'Active')],
  revocation: null,
  unreadable: [],
  ...over,
});
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:bot-keys-AbCdEf`;
const secret = (over: Partial<SecretState> = {}): SecretState => ({
  ref: 'bot-keys-tag',
  metadata: { arn: SECRET_ARN, name: 'bot-keys', tags: [], rotationEnabled: false },
  holds: KEY,
  ...over,
});

const revokeUser = {
  kind: 'revokeUserSessions',
  userName: 'bot',
  policyName: 'AWSRevokeOlderSessions',
  document: DOCUMENT,
  previous: null,
  summary: `Deny every session of bot issued before ${ISSUED_BEFORE}: add the inline policy AWSRevokeOlderSessions`,
  undo: 'aws iam delete-user-policy --user-name bot --policy-name AWSRevokeOlderSessions',
};
const deactivation = (id: string, why?: string) => ({
  kind: 'deactivateAccessKey',
  userName: 'bot',
  accessKeyId: id,
  summary: `Deactivate access key ${id} of bot${why ? ` (${why})` : ''}; it is kept, not deleted`,
  undo: `aws iam update-access-key --user-name bot --access-key-id ${id} --status Active`,
});
const rotation = (id: string, full = '') => ({
  kind: 'rotateKeyIntoSecret',
  userName: 'bot',
  replaces: id,
  secretArn: SECRET_ARN,
  secretName: 'bot-keys',
  summary: `Create a new access key for bot and store it in the secret bot-keys, which holds ${id}${full}`,
  undo: `the replaced value stays in the secret as AWSPREVIOUS: make it current again (aws secretsmanager update-secret-version-stage --secret-id ${SECRET_ARN} --version-stage AWSCURRENT --move-to-version-id <AWSPREVIOUS version> --remove-from-version-id <new version>), then deactivate the new key (aws iam update-access-key --user-name bot --access-key-id <new key> --status Inactive)`,
});
const userRef = { type: 'AWS::IAM::User', id: 'bot', arn: user.arn };

describe('planTarget: the key a finding names', () => {
  it('revokes the sessions and deactivates the key, with no reason to give', () => {
    expect(planTarget(compromised, userState(), context)).toEqual({
      target: userRef,
      steps: [revokeUser, deactivation(KEY)],
      notes: [
        `bot has no tag ml-guard:access-key-secret: ${KEY} is deactivated without a replacement (tag the user with the secret that holds its key to have ml-guard rotate it)`,
      ],
    });
  });

  it.each([
    // A finding about a console session or an API call may carry no access key id.
    ['no key', undefined, ['the finding names no access key: no key was deactivated; find the key in CloudTrail']],
    ['something that is not an access key id', 'not-a-key', ['"not-a-key" is not an access key id: no key was deactivated']],
    [
      // ASIA ids are temporary credentials (STS): IAM cannot deactivate them, the revocation policy denies them.
      'a temporary credential',
      'ASIAQSESSIONEXAMPLE1',
      [
        'ASIAQSESSIONEXAMPLE1 is a temporary credential: the session revocation denies it; the long-term key that obtained it is not named by the finding, so no key was deactivated: look for it in CloudTrail (GetSessionToken or GetFederationToken by bot)',
      ],
    ],
    [
      'a key of no one the user has',
      OTHER_KEY,
      [`access key ${OTHER_KEY} is not a key of bot (deleted, or of another user): no key was deactivated`],
    ],
  ])('only revokes the sessions when the finding names %s', (_, accessKeyId, notes) => {
    const target: UserKeyTarget = { ...compromised, ...(accessKeyId ? { accessKeyId } : { accessKeyId: undefined }) };

    expect(planTarget(target, userState(), context)).toEqual({ target: userRef, steps: [revokeUser], notes });
  });

  // ListAccessKeys may be denied: the key is still deactivated (containment first), its status unknown.
  it.each([
    ['the user has no secret tag', { tags: [] }, []],
    [
      'the tags could not be read either',
      { tags: undefined },
      [`bot's access keys could not be listed, so whether a secret holds ${KEY} could not be checked: no replacement key is made`],
    ],
    [
      'the user has a secret',
      { secret: secret() },
      [`bot's access keys could not be listed, so whether a secret holds ${KEY} could not be checked: no replacement key is made`],
    ],
  ])('deactivates a key whose status could not be read when %s', (_, over, notes) => {
    const plan = planTarget(compromised, userState({ keys: undefined, ...over }), context);

    expect(plan.steps).toEqual([revokeUser, deactivation(KEY, 'its status could not be read')]);
    expect(plan.notes ?? []).toEqual(notes);
  });

  it('does not know whether a secret holds the key when the tags could not be read', () => {
    const plan = planTarget(compromised, userState({ tags: undefined }), context);

    expect(plan.notes).toEqual([`bot's tags could not be read: whether a secret holds ${KEY} is unknown, so no replacement is made`]);
    expect(plan.unverified).toEqual({
      reason: 'could not read its tags: nothing changed, to be safe (the account, protection and exemption could not be checked)',
      retryable: false,
    });
  });

  it('rotates the key into the secret that holds it, saying that IAM will refuse a third key', () => {
    const plan = planTarget(compromised, userState({ keys: [key(KEY, 'Active'), key(OTHER_KEY, 'Active')], secret: secret() }), context);

    expect(plan.steps).toEqual([
      revokeUser,
      rotation(
        KEY,
        ' (bot already has 2 access keys, the most IAM allows: IAM will refuse; no other key is deactivated or deleted to make room)',
      ),
      deactivation(KEY),
    ]);
    expect(plan.notes).toBeUndefined();
  });

  it('warns that Secrets Manager rotation may replace the key ml-guard stores', () => {
    const plan = planTarget(
      compromised,
      userState({ secret: secret({ metadata: { arn: SECRET_ARN, name: 'bot-keys', tags: [], rotationEnabled: true } }) }),
      context,
    );

    expect(plan.steps).toEqual([revokeUser, rotation(KEY), deactivation(KEY)]);
    expect(plan.notes).toEqual([
      'the secret bot-keys also has Secrets Manager rotation turned on: its rotation function may replace the key ml-guard stores',
    ]);
  });

  it.each([
    [
      'does not exist',
      secret({ metadata: undefined, missing: true, holds: undefined }),
      'the secret bot-keys-tag named by the tag ml-guard:access-key-secret does not exist',
    ],
    ['holds no key in the JSON format', secret({ holds: null }), 'the secret bot-keys holds no {"AccessKeyId", "SecretAccessKey"} value'],
    [
      'carries the exemption tag',
      secret({ exempt: 'ml-guard:exempt=yes' }),
      'the secret bot-keys carries the exemption tag ml-guard:exempt=yes, so ml-guard does not write to it',
    ],
  ])('deactivates the key without a replacement when the secret %s', (_, s, why) => {
    const plan = planTarget(compromised, userState({ secret: s }), context);

    expect(plan.steps).toEqual([revokeUser, deactivation(KEY)]);
    expect(plan.notes).toEqual([`no replacement key: ${why}`]);
  });

  it.each([
    [
      'another active key of the user: already rotated',
      [key(KEY, 'Active'), key(OTHER_KEY, 'Active')],
      `the secret bot-keys already holds another active key of bot, ${OTHER_KEY}: no rotation needed (already rotated)`,
    ],
    [
      'an inactive key of the user',
      [key(KEY, 'Active'), key(OTHER_KEY, 'Inactive')],
      `the secret bot-keys holds ${OTHER_KEY}, not ${KEY}: no rotation needed`,
    ],
    ["a key that is not the user's", [key(KEY, 'Active')], `the secret bot-keys holds ${OTHER_KEY}, not ${KEY}: no rotation needed`],
  ])('does not rotate when the secret holds %s', (_, keys, note) => {
    const plan = planTarget(compromised, userState({ keys, secret: secret({ holds: OTHER_KEY }) }), context);

    expect(plan.steps).toEqual([revokeUser, deactivation(KEY)]);
    expect(plan.notes).toEqual([note]);
  });
});

describe('planTarget: the session revocation (AWSRevokeOlderSessions, as the IAM console writes it)', () => {
  it('moves a policy that denies too little forward, and keeps the old document for the undo', () => {
    const old = revocationPolicy('2017-01-01T00:00:00Z');

    const plan = planTarget(compromised, userState({ revocation: old }), context);

    expect(plan.steps[0]).toEqual({
      ...revokeUser,
      previous: old,
      summary: `Move the inline policy AWSRevokeOlderSessions of bot forward to deny every session issued before ${ISSUED_BEFORE} (it denied those before 2017-01-01T00:00:00Z)`,
      undo: `put the previous document back: aws iam put-user-policy --user-name bot --policy-name AWSRevokeOlderSessions --policy-document '${old}'`,
    });
  });

  it('replaces a policy of that name that is no revocation', () => {
    const plan = planTarget(compromised, userState({ revocation: '{"Statement":[]}' }), context);

    expect(plan.steps[0]?.summary).toBe(
      `Move the inline policy AWSRevokeOlderSessions of bot forward to deny every session issued before ${ISSUED_BEFORE} (it was not a revocation policy: replaced)`,
    );
  });

  it('puts the policy when whether it exists could not be read, and says the undo applies only if it did not', () => {
    const plan = planTarget(compromised, userState({ revocation: undefined }), context);

    const { previous: _unknown, ...unread } = revokeUser;
    expect(plan.steps[0]).toEqual({
      ...unread,
      summary: `Deny every session of bot issued before ${ISSUED_BEFORE} with the inline policy AWSRevokeOlderSessions (whether it exists could not be read)`,
      undo: 'aws iam delete-user-policy --user-name bot --policy-name AWSRevokeOlderSessions (if it did not exist before)',
    });
  });

  it('revokes nothing when the existing policy already covers now and the finding says nothing of the last activity', () => {
    const plan = planTarget({ ...compromised, accessKeyId: undefined }, userState({ revocation: DOCUMENT }), context);

    expect(plan).toEqual({
      target: userRef,
      steps: [],
      reason: 'bot is already contained: nothing to change',
      notes: [
        `the inline policy AWSRevokeOlderSessions already denies the sessions of bot issued before ${ISSUED_BEFORE}`,
        'the finding names no access key: no key was deactivated; find the key in CloudTrail',
      ],
    });
  });
});

describe('planTarget: which principals are not touched', () => {
  it.each([
    ['gives no account', 'not-an-arn', undefined],
    [
      'belongs to another account',
      'arn:aws:iam::999999999999:user/bot',
      'the IAM user bot belongs to account 999999999999, not 123456789012 which the event is about',
    ],
  ])('judges the user by its ARN, which %s', (_, arn, reason) => {
    const plan = planTarget(compromised, userState({ user: { ...user, arn } }), context);

    expect(plan.reason).toBe(reason);
  });

  it('reads an exemption tag without a value as exempt', () => {
    const plan = planTarget(compromised, userState({ tags: [{ Key: 'ml-guard:exempt', Value: undefined }] }), context);

    expect(plan).toEqual({
      target: userRef,
      steps: [],
      hold: 'skipped',
      reason: 'the IAM user bot carries the exemption tag ml-guard:exempt=',
    });
  });
});

describe('planTarget: when the reads that decide failed', () => {
  const tagsUnread = (transient: boolean) => ({ part: 'tags', error: transient ? 'Throttling: slow down' : 'AccessDenied: no', transient });

  it.each([
    // Throttling, 5xx and timeouts pass; AccessDenied does not: only a hold of transient failures is worth Lambda's retry.
    [
      'only a transient failure of what decides',
      [tagsUnread(true), { part: 'revocation', error: 'AccessDenied: no', transient: false }],
      true,
    ],
    ['a lasting failure among what decides', [tagsUnread(true), { part: 'user', error: 'AccessDenied: no', transient: false }], false],
  ])('retries after %s', (_, unreadable, retryable) => {
    const plan = planTarget(compromised, userState({ user: undefined, tags: undefined, unreadable }), context);

    expect(plan.unverified).toEqual({
      reason: 'could not read the user, its tags: nothing changed, to be safe (the account, protection and exemption could not be checked)',
      retryable,
    });
  });

  it("does not ask for the access keys of a finding's user: the key it names is deactivated anyway", () => {
    const plan = planTarget(compromised, userState({ keys: undefined }), context);

    expect(plan.unverified).toBeUndefined();
  });
});

describe('planTarget: the old keys AWS Config access-keys-rotated finds (MAX_ACCESS_KEY_AGE_DAYS 90)', () => {
  const staleRef = userRef;

  it('deactivates only active keys older than 90 days', () => {
    const keys = [
      key(KEY, 'Active', days(91)),
      key(OTHER_KEY, 'Inactive', days(400)),
      key('AKIAEXACTLY90DAYSOLD', 'Active', days(90)),
      key('AKIANODATEEXAMPLE123', 'Active', undefined),
    ];

    const plan = planTarget(stale, userState({ keys }), context);

    expect(plan).toEqual({
      target: staleRef,
      steps: [deactivation(KEY, 'created 2026-08-27, 91 days ago')],
      notes: ['bot has no tag ml-guard:access-key-secret: the keys are deactivated without a replacement'],
    });
  });

  it('changes nothing, and says why Config may differ, when no active key is older', () => {
    expect(planTarget(stale, userState({ keys: [key(KEY, 'Active', days(90))] }), context)).toEqual({
      target: staleRef,
      steps: [],
      reason: 'no active access key of bot is older than 90 days (MAX_ACCESS_KEY_AGE_DAYS): nothing to change',
      notes: ['the Config rule may use another maximum age than MAX_ACCESS_KEY_AGE_DAYS, or the key was rotated since it evaluated'],
    });
  });

  it('plans one deactivation of the old keys when they could not be listed, and holds it back as unverified', () => {
    const plan = planTarget(
      stale,
      userState({ keys: undefined, unreadable: [{ part: 'access keys', error: 'AccessDenied: no' }] }),
      context,
    );

    expect(plan).toEqual({
      target: staleRef,
      steps: [
        {
          kind: 'deactivateAccessKey',
          userName: 'bot',
          summary: 'Deactivate the active access keys of bot older than 90 days (the keys could not be listed)',
        },
      ],
      notes: ['could not read the access keys: AccessDenied: no'],
      unverified: {
        reason: 'could not read its access keys: nothing changed, to be safe (the account, protection and exemption could not be checked)',
        retryable: false,
      },
    });
  });

  it('rotates the old key the secret holds first, and deactivates it only once its replacement is stored', () => {
    const plan = planTarget(stale, userState({ keys: [key(KEY, 'Active', days(100))], secret: secret() }), context);

    expect(plan.steps).toEqual([
      { ...rotation(KEY), critical: true },
      deactivation(KEY, 'created 2026-08-18, 100 days ago; only once its replacement is stored'),
    ]);
  });

  it.each([
    [
      'the tags could not be read',
      { tags: undefined },
      "bot's tags could not be read: whether a secret holds one of the keys is unknown, so no replacement is made",
    ],
    [
      'the secret does not exist',
      { secret: secret({ metadata: undefined, holds: undefined, missing: true }) },
      'no replacement key: the secret bot-keys-tag named by the tag ml-guard:access-key-secret does not exist',
    ],
    [
      'the secret is not used',
      { secret: secret({ holds: undefined, refused: 'it is scheduled for deletion' }) },
      'no replacement key: the secret bot-keys is not used because it is scheduled for deletion',
    ],
    [
      'the secret holds another key',
      { secret: secret({ holds: OTHER_KEY }) },
      `the secret bot-keys holds none of the old keys (${KEY}): no rotation needed`,
    ],
  ])('deactivates the old key without a replacement when %s', (_, over, note) => {
    const plan = planTarget(stale, userState({ keys: [key(KEY, 'Active', days(100))], ...over }), context);

    expect(plan.steps).toEqual([deactivation(KEY, 'created 2026-08-18, 100 days ago')]);
    expect(plan.notes?.at(-1)).toBe(note);
  });

  it.each([
    ['its name when it was described', secret({ exempt: 'ml-guard:exempt=yes' }), 'bot-keys'],
    ['the tag value when it could not be described', secret({ metadata: undefined }), 'bot-keys-tag'],
  ])('leaves the old key the secret holds active when it cannot be rotated, naming the secret by %s', (_, s, label) => {
    const plan = planTarget(stale, userState({ keys: [key(KEY, 'Active', days(100))], secret: s }), context);

    expect(plan.steps).toEqual([]);
    expect(plan.notes?.at(-1)).toBe(
      `${KEY} is left active: the secret ${label} holds it, and it is deactivated only once a replacement is stored there`,
    );
  });

  it('holds every old key, not retryable, when the secret holds some in a format ml-guard cannot rotate, even after a transient read failure', () => {
    const keys = [key(KEY, 'Active', days(100)), key(OTHER_KEY, 'Active', days(100))];
    const s = secret({ metadata: undefined, holds: null, otherFormat: { mentions: [KEY, OTHER_KEY] } });

    const plan = planTarget(
      stale,
      userState({ keys, secret: s, unreadable: [{ part: 'secret', error: 'Throttling: slow down', transient: true }] }),
      context,
    );

    expect(plan.hold).toBe('blocked');
    expect(plan.reason).toBe(
      `the secret bot-keys-tag holds ${KEY}, ${OTHER_KEY} in a format ml-guard cannot rotate: no key was deactivated (see notes)`,
    );
    expect(plan.retryable).toBeUndefined();
  });

  it('holds every old key, retryable, when the secret could not be read for a transient reason', () => {
    const plan = planTarget(
      stale,
      userState({
        keys: [key(KEY, 'Active', days(100))],
        secret: secret({ holds: undefined }),
        unreadable: [{ part: 'secret', error: 'Throttling: slow down', transient: true }],
      }),
      context,
    );

    expect(plan.hold).toBe('blocked');
    expect(plan.retryable).toBe(true);
  });
});

describe('planTarget: a role a finding names', () => {
  const roleTarget: RoleTarget = {
    kind: 'role',
    account: ACCOUNT,
    region: 'us-east-1',
    trigger: 'guardduty:f',
    roleName: 'ml-batch-inference',
  };
  const role = {
    name: 'ml-batch-inference',
    id: 'AROAJBATCHINFERENCE1',
    arn: `arn:aws:iam::${ACCOUNT}:role/ml-batch-inference`,
    path: '/',
  };
  const roleState = (over: Partial<RoleState> = {}): RoleState => ({
    kind: 'role',
    gone: false,
    role,
    tags: [],
    revocation: null,
    unreadable: [],
    ...over,
  });
  const revokeRole = (name: string) => ({
    kind: 'revokeRoleSessions',
    roleName: name,
    policyName: 'AWSRevokeOlderSessions',
    document: DOCUMENT,
    previous: null,
    summary: `Deny every session of ${name} issued before ${ISSUED_BEFORE}: add the inline policy AWSRevokeOlderSessions`,
    undo: `aws iam delete-role-policy --role-name ${name} --policy-name AWSRevokeOlderSessions`,
  });
  const everySession = (name: string) =>
    `every session of ${name} issued before now is denied, not only the attacker's: people must sign in again, and services that assume the role (EC2 instance profiles, Lambda, SageMaker) work again once they refresh their credentials`;

  it('revokes the sessions of the live role, under the name IAM gives it', () => {
    const plan = planTarget({ ...roleTarget, roleName: 'ML-Batch-Inference' }, roleState(), context);

    expect(plan).toEqual({
      target: { type: 'AWS::IAM::Role', id: 'ml-batch-inference', arn: role.arn },
      steps: [revokeRole('ml-batch-inference')],
      notes: [everySession('ml-batch-inference')],
    });
  });

  it("revokes under the finding's name, held back as unverified, when the role and its tags could not be read", () => {
    const plan = planTarget(
      roleTarget,
      roleState({
        role: undefined,
        tags: undefined,
        unreadable: [
          { part: 'role', error: 'AccessDenied: no' },
          { part: 'tags', error: 'AccessDenied: no' },
        ],
      }),
      context,
    );

    expect(plan).toEqual({
      target: { type: 'AWS::IAM::Role', id: 'ml-batch-inference' },
      steps: [revokeRole('ml-batch-inference')],
      notes: ['could not read the role, tags: AccessDenied: no', everySession('ml-batch-inference')],
      unverified: {
        reason:
          'could not read the role, its tags: nothing changed, to be safe (the account, protection and exemption could not be checked)',
        retryable: false,
      },
    });
  });

  it('skips a role that no longer exists', () => {
    expect(planTarget(roleTarget, roleState({ gone: true, role: undefined }), context)).toEqual({
      target: { type: 'AWS::IAM::Role', id: 'ml-batch-inference' },
      steps: [],
      hold: 'skipped',
      reason: 'the IAM role ml-batch-inference no longer exists',
    });
  });

  const serviceLinked = (name: string) =>
    `${name} is a service-linked role: IAM lets no one change its policies, so its sessions cannot be revoked; find out what used it (CloudTrail) and contain that instead`;
  const sso = (name: string) =>
    `${name} was made by IAM Identity Center from a permission set and cannot be edited in IAM: revoke the user's permission-set sessions in IAM Identity Center instead`;

  // Service-linked roles live under /aws-service-role/ and are named AWSServiceRoleFor...; IAM Identity Center's under
  // /aws-reserved/sso.amazonaws.com/ (with a region where it is not us-east-1), named AWSReservedSSO_<permission set>_<id>.
  it.each([
    ['a service-linked role by its path', 'AWSServiceRoleForAmazonSageMaker', '/aws-service-role/sagemaker.amazonaws.com/', serviceLinked],
    ['a service-linked role by its name when the role could not be read', 'AWSServiceRoleForAmazonSageMaker', undefined, serviceLinked],
    ['an Identity Center role by its path', 'AWSReservedSSO_Admin_0123456789abcdef', '/aws-reserved/sso.amazonaws.com/eu-west-2/', sso],
    ['an Identity Center role by its name when the role could not be read', 'AWSReservedSSO_Admin_0123456789abcdef', undefined, sso],
  ])('only notifies about %s', (_, name, path, reason) => {
    const state = path
      ? roleState({ role: { ...role, name, path, arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}` } })
      : roleState({ role: undefined });

    const plan = planTarget({ ...roleTarget, roleName: name }, state, context);

    expect(plan).toMatchObject({ steps: [], hold: 'notify-only', reason: reason(name) });
  });

  it("revokes the sessions of a role named like a service's whose path says it is an ordinary one", () => {
    const name = 'AWSReservedSSO_lookalike';
    const plan = planTarget(
      { ...roleTarget, roleName: name },
      roleState({ role: { ...role, name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` } }),
      context,
    );

    expect(plan.steps).toEqual([revokeRole(name)]);
  });
});

describe('planTarget: what only a person can do', () => {
  const root: RootTarget = { kind: 'root', account: ACCOUNT, region: 'us-east-1', trigger: 'guardduty:r' };
  const rootNotes = (third: string) => [
    'to do 1: confirm with the account owner whether this was them; if not, treat the whole account as compromised',
    'to do 2: sign in as the root user, change its password and make sure MFA is on (IAM console > Security credentials)',
    third,
    'to do 4: review CloudTrail for everything the root user did, and for new IAM users, roles, access keys and policies; undo what is not expected',
    'to do 5: if you cannot sign in, contact AWS Support at once',
  ];

  // No IAM API can restrict the root user; GuardDuty rates its use LOW, ml-guard raises it to CRITICAL.
  it.each([
    [
      'a long-term root access key',
      { accessKeyId: 'AKIAROOTKEYEXAMPLE01', activity: 'API ListBuckets from 198.51.100.0' },
      ' (API ListBuckets from 198.51.100.0)',
      'to do 3: the call used the root access key AKIAROOTKEYEXAMPLE01: deactivate and delete it (the root user should have no access keys)',
    ],
    [
      "a console session's temporary key",
      { accessKeyId: 'ASIAQROOTSESSIONEXAM' },
      '',
      'to do 3: delete any root access keys (the root user should have none)',
    ],
    ['no key', {}, '', 'to do 3: delete any root access keys (the root user should have none)'],
  ])('tells a person at once what to do about the root user, used with %s', (_, over, activity, third) => {
    expect(planTarget({ ...root, ...over }, { kind: 'none' }, context)).toEqual({
      target: { type: 'AWS account root user', id: ACCOUNT },
      steps: [],
      hold: 'notify-only',
      severity: 'CRITICAL',
      reason: `the root user of account ${ACCOUNT} was used${activity}: no API can disable or restrict it, so a person must act now`,
      notes: rootNotes(third),
    });
  });

  it.each<[string, OtherPrincipalTarget, string, string]>([
    [
      // GetFederationToken credentials are denied only through the IAM user that obtained them.
      'a federated user',
      { kind: 'other', account: ACCOUNT, region: 'us-east-1', trigger: 'guardduty:o', userType: 'FederatedUser', principal: 'ci-deployer' },
      'ci-deployer is a federated user (credentials from GetFederationToken): no IAM change reaches it directly; a person must contain the IAM user that obtained it',
      'find the IAM user that called GetFederationToken in CloudTrail; deactivate that key and deny its sessions issued before now (an inline policy on that user with aws:TokenIssueTime, as AWSRevokeOlderSessions does)',
    ],
    [
      'a principal of another type',
      {
        kind: 'other',
        account: ACCOUNT,
        region: 'us-east-1',
        trigger: 'guardduty:o',
        userType: 'AWSService',
        principal: 'sagemaker.amazonaws.com',
      },
      'the principal sagemaker.amazonaws.com is of type AWSService, which ml-guard does not change: a person must look',
      "find the principal in CloudTrail (the finding's principal id and access key) and contain it by hand",
    ],
  ])('only notifies about %s', (_, target, reason, note) => {
    expect(planTarget(target, { kind: 'none' }, context)).toEqual({
      target: { type: `${target.userType} principal`, id: target.principal },
      steps: [],
      hold: 'notify-only',
      reason,
      notes: [note],
    });
  });
});

describe('planTarget: the unused keys AWS Config iam-user-unused-credentials-check finds (maxCredentialUsageAge 45)', () => {
  const unused: StaleKeysTarget = { ...stale, rule: 'iam-user-unused-credentials-check', check: 'unused', ruleMaxDays: 45 };
  const used = (daysAgo: number | null | undefined, created: Date | undefined = days(400)): AccessKey => ({
    ...key(KEY, 'Active', created),
    lastUsed: daysAgo === null || daysAgo === undefined ? daysAgo : days(daysAgo),
  });
  const NOTHING =
    "no active access key of bot is unused for more than 45 days (the rule's maxCredentialUsageAge): nothing to change; if the rule found the user's console password unused, a person decides (ml-guard deletes no login profile)";

  it.each<[string, AccessKey, string]>([
    ['last used 46 days ago', used(46), 'last used 2026-10-11, 46 days ago'],
    // IAM_USER_UNUSED_CREDENTIALS_CHECK counts a key never used from its creation.
    ['never used, created 46 days ago', used(null, days(46)), 'never used; created 2026-10-11, 46 days ago'],
  ])('deactivates a key %s, without a replacement when no secret is named', (_, k, why) => {
    expect(planTarget(unused, userState({ keys: [k] }), context)).toEqual({
      target: userRef,
      steps: [deactivation(KEY, why)],
      notes: ['bot has no tag ml-guard:access-key-secret: the keys are deactivated without a replacement'],
    });
  });

  it.each<[string, AccessKey]>([
    ['last used exactly 45 days ago', used(45)],
    ['last used 10 days ago', used(10)],
    ['never used, created 10 days ago', used(null, days(10))],
    // What is not known is not stale: a key is deactivated only on what was read.
    ['never used, its creation date not given', { accessKeyId: KEY, status: 'Active', lastUsed: null }],
    ['whose last use could not be read', used(undefined)],
  ])('leaves a key %s active, and gives no reason about the key age', (_, k) => {
    expect(planTarget(unused, userState({ keys: [k] }), context)).toEqual({ target: userRef, steps: [], reason: NOTHING });
  });

  it("says which keys it would deactivate when they could not be listed, by the rule's limit", () => {
    const plan = planTarget(
      unused,
      userState({ keys: undefined, unreadable: [{ part: 'access keys', error: 'AccessDenied: no' }] }),
      context,
    );

    expect(plan.steps).toEqual([
      {
        kind: 'deactivateAccessKey',
        userName: 'bot',
        summary: 'Deactivate the active access keys of bot unused for more than 45 days (the keys could not be listed)',
      },
    ]);
  });

  it("says the rule's default is used when the rule gives no maxCredentialUsageAge (90 days)", () => {
    const plan = planTarget({ ...unused, ruleMaxDays: undefined }, userState({ keys: [used(46)] }), context);

    expect(plan.reason).toBe(
      "no active access key of bot is unused for more than 90 days (the rule's default maxCredentialUsageAge): nothing to change; if the rule found the user's console password unused, a person decides (ml-guard deletes no login profile)",
    );
  });
});

describe('planTarget: the maximum age of access-keys-rotated and MAX_ACCESS_KEY_AGE_DAYS', () => {
  it('leaves a key whose creation date IAM did not give active: its age is not known', () => {
    const plan = planTarget(stale, userState({ keys: [{ accessKeyId: KEY, status: 'Active' }] }), context);

    expect(plan.steps).toEqual([]);
  });

  it('says nothing of the rule when its maxAccessKeyAge is the same as MAX_ACCESS_KEY_AGE_DAYS', () => {
    const plan = planTarget({ ...stale, ruleMaxDays: 90 }, userState({ keys: [key(KEY, 'Active', days(91))] }), context);

    expect(plan.notes).toEqual(['bot has no tag ml-guard:access-key-secret: the keys are deactivated without a replacement']);
  });

  it('says the rule differs, and that MAX_ACCESS_KEY_AGE_DAYS decides, when it does', () => {
    const plan = planTarget({ ...stale, ruleMaxDays: 30 }, userState({ keys: [key(KEY, 'Active', days(91))] }), context);

    expect(plan.notes?.[0]).toBe(
      "the rule's maxAccessKeyAge is 30 days; keys are deactivated only when older than 90 days (MAX_ACCESS_KEY_AGE_DAYS)",
    );
  });
});

describe('planTarget: a secret in a format ml-guard cannot rotate', () => {
  const FORMAT = 'a format ml-guard cannot rotate (not a {"AccessKeyId", "SecretAccessKey"} JSON value)';

  it('tells a person to rotate an old key the secret holds by hand, and deactivates none', () => {
    const s = secret({ holds: null, otherFormat: { mentions: [KEY] } });

    const plan = planTarget(stale, userState({ keys: [key(KEY, 'Active', days(100))], secret: s }), context);

    expect(plan.notes).toEqual([
      `${KEY} is left active: the secret bot-keys holds it in ${FORMAT}; rotate it into the secret by hand, then deactivate it (aws iam update-access-key --user-name bot --access-key-id ${KEY} --status Inactive)`,
    ]);
  });

  it('deactivates a compromised key the secret holds all the same, and says its consumers break', () => {
    const s = secret({ holds: null, otherFormat: { mentions: [KEY] } });

    const plan = planTarget(compromised, userState({ secret: s }), context);

    expect(plan.steps).toEqual([revokeUser, deactivation(KEY)]);
    expect(plan.notes).toEqual([
      `no replacement key: the secret bot-keys holds ${KEY} in ${FORMAT}: its consumers break once ${KEY} is inactive (containment comes first: an attacker may hold the key); store a new key there by hand`,
    ]);
  });
});

describe('planTarget: the cause an S3 exfiltration finding gives', () => {
  it('is the only note of a plan that has none of its own', () => {
    const cause = 'the caller read 120 objects of s3://training-data from outside AWS';

    const plan = planTarget({ ...compromised, cause }, userState({ gone: true }), context);

    expect(plan).toEqual({
      target: { type: 'AWS::IAM::User', id: 'bot', arn: user.arn },
      steps: [],
      hold: 'skipped',
      reason: 'the IAM user bot no longer exists',
      notes: [cause],
    });
  });
});
