import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { selectTargets } from '../../functions/rotate-credentials/targets.js';
import { matchesPattern } from '../support/event-pattern.js';
import { loadEvent } from '../support/events.js';
import { eventBridgeRules, loadTemplate, policyStatements } from '../support/template.js';

const template = loadTemplate();
const rules = Object.fromEntries(eventBridgeRules(template, 'RotateCredentialsFunction').map((r) => [r.name, r.pattern]));
const findingRule = rules.CompromisedCredentialFinding;
const configRule = rules.AccessKeysRotatedConfigRule;
const handles = (event: unknown) => selectTargets(parseEvent(event), loadConfig({})).action !== 'ignore';

describe('rotate-credentials EventBridge rules', () => {
  it.each([
    'guardduty/unauthorizedaccess-iamuser-toripcaller.json',
    'guardduty/unauthorizedaccess-iamuser-toripcaller-federateduser.json',
    'guardduty/unauthorizedaccess-iamuser-maliciousipcaller-custom-assumedrole.json',
    'guardduty/credentialaccess-iamuser-anomalousbehavior.json',
    'guardduty/policy-iamuser-rootcredentialusage.json',
    'guardduty/unauthorizedaccess-iamuser-toripcaller-sample.json',
  ])('routes the credential finding %s', (path) => {
    expect(matchesPattern(findingRule, loadEvent(path))).toBe(true);
    expect(matchesPattern(configRule, loadEvent(path))).toBe(false);
  });

  it.each([
    'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
    'PenTest:IAMUser/KaliLinux',
    'Persistence:IAMUser/AnomalousBehavior',
  ])('routes a %s finding, and the function takes it', (type) => {
    const event = loadEvent('guardduty/unauthorizedaccess-iamuser-toripcaller.json');
    event.detail.type = type;

    expect(matchesPattern(findingRule, event)).toBe(true);
    expect(handles(event)).toBe(true);
  });

  it.each([
    'guardduty/policy-s3-bucketblockpublicaccessdisabled.json',
    'guardduty/policy-s3-bucketpublicaccessgranted.json',
    'guardduty/backdoor-ec2-ccactivity-dns-sample.json',
  ])("does not route %s, although an S3 finding names the caller's access key too", (path) => {
    expect(matchesPattern(findingRule, loadEvent(path))).toBe(false);
  });

  it.each(['Recon:IAMUser/MaliciousIPCaller.Custom', 'Policy:IAMUser/RootCredentialUsage.Extra', 'UnauthorizedAccess:EC2/TorClient'])(
    'does not route a %s finding',
    (type) => {
      const event = loadEvent('guardduty/unauthorizedaccess-iamuser-toripcaller.json');
      event.detail.type = type;

      expect(matchesPattern(findingRule, event)).toBe(false);
      expect(handles(event)).toBe(false);
    },
  );

  it('leaves a finding below the severity threshold alone, in the rule and in the function', () => {
    const event = loadEvent('guardduty/unauthorizedaccess-iamuser-toripcaller.json');
    event.detail.severity = 3.9;

    expect(matchesPattern(findingRule, event)).toBe(false);
    expect(handles(event)).toBe(false);
  });

  it('routes root credential usage whatever its severity', () => {
    const event = loadEvent('guardduty/policy-iamuser-rootcredentialusage.json');
    event.detail.severity = 1;

    expect(matchesPattern(findingRule, event)).toBe(true);
    expect(handles(event)).toBe(true);
  });

  it.each([
    ['config/access-keys-rotated-noncompliant.json', true],
    ['config/securityhub-access-keys-rotated-noncompliant.json', true],
    ['config/access-keys-rotated-conformance-pack-noncompliant.json', true],
    ['config/access-keys-rotated-compliant.json', false],
    ['config/s3-bucket-public-read-prohibited-noncompliant.json', false],
  ])('routes the Config event %s: %s', (path, routed) => {
    expect(matchesPattern(configRule, loadEvent(path))).toBe(routed);
    expect(matchesPattern(findingRule, loadEvent(path))).toBe(false);
  });

  it('does not route access-keys-rotated for another resource type', () => {
    const event = loadEvent('config/access-keys-rotated-noncompliant.json');
    event.detail.resourceType = 'AWS::IAM::Role';

    expect(matchesPattern(configRule, event)).toBe(false);
  });
});

describe('rotate-credentials role and settings in template.yaml', () => {
  const statements = policyStatements(template, 'RotateCredentialsRole');
  const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

  it('holds no permission to delete an access key, a user, a role or a policy', () => {
    expect(actions.filter((a) => /^iam:Delete|^iam:Detach|^secretsmanager:Delete/.test(String(a)))).toEqual([]);
  });

  it('writes to users and roles of its own account only, and to secrets only when they name their user', () => {
    const write = (action: string) => statements.find((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action));

    expect(write('iam:UpdateAccessKey')?.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*' });
    expect(write('iam:PutRolePolicy')?.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*' });
    expect(write('secretsmanager:PutSecretValue')).toMatchObject({
      condition: 'Enforce',
      Condition: { Null: { 'aws:ResourceTag/ml-guard:access-key-user': 'false' } },
    });
    expect(write('secretsmanager:GetSecretValue')?.Condition).toEqual({ Null: { 'aws:ResourceTag/ml-guard:access-key-user': 'false' } });
  });

  it("denies itself any change to the stack's own roles", () => {
    const roles = ['RotateCredentialsRole', 'QuarantinePublicBucketRole', 'StopCompromisedTrainingJobRole', 'NotifyRole'];
    const deny = statements.find((s) => s.Effect === 'Deny');

    expect(deny).toMatchObject({
      Action: 'iam:PutRolePolicy',
      condition: 'Enforce',
      Resource: roles.map((r) => ({ 'Fn::GetAtt': [r, 'Arn'] })),
    });
  });

  it('passes its settings, with the defaults the function uses', () => {
    const variables = template.Resources.RotateCredentialsFunction?.Properties.Environment.Variables;

    expect(variables).toMatchObject({
      ACCESS_KEY_SECRET_TAG_KEY: { Ref: 'AccessKeySecretTagKey' },
      MAX_ACCESS_KEY_AGE_DAYS: { Ref: 'MaxAccessKeyAgeDays' },
    });
    expect(template.Parameters?.AccessKeySecretTagKey?.Default).toBe('ml-guard:access-key-secret');
    expect(template.Parameters?.MaxAccessKeyAgeDays?.Default).toBe(90);
  });
});
