import { describe, expect, it } from 'vitest';
import { resolver } from '../scripts/template.mjs';
import { checkTemplate } from './support/check-template.js';
import { matchesPattern } from './support/event-pattern.js';
import { allEventPaths, loadEvent } from './support/events.js';
import { FUNCTIONS } from './support/functions.js';
import { allows, MEMBER_FUNCTIONS } from './support/member.js';
import {
  actionsOf,
  eventBridgeRules,
  eventRuleResources,
  loadTemplate,
  type PolicyStatement,
  policyStatements,
} from './support/template.js';

const member = loadTemplate('member-template.yaml');
const central = loadTemplate('template.yaml');

// scripts/template.mjs resolves AWS::AccountId to 123456789012 and AWS::Region to us-east-1.
const MEMBER_ACCOUNT = '123456789012';
const CENTRAL_ACCOUNT = '111111111111';
const CENTRAL_ROLE_ARNS = Object.fromEntries(
  MEMBER_FUNCTIONS.map((m) => [m.centralRoleParameter, `arn:aws:iam::${CENTRAL_ACCOUNT}:role/ml-guard-${m.f.roleLogicalId}-1A2B3C4D5E6F`]),
);
/** A member account in the home Region, in dry-run: the required parameters, the others at their Default. */
const REQUIRED: Record<string, string> = {
  OrganizationId: 'o-a1b2c3d4e5',
  CentralAccountId: CENTRAL_ACCOUNT,
  HomeRegion: 'us-east-1',
  ...CENTRAL_ROLE_ARNS,
};
const ENFORCE = { ...REQUIRED, RemediationMode: 'enforce' };

const conditionOf = (parameters: Record<string, string>) => {
  const resolve = resolver(member, parameters) as (node: unknown) => unknown;
  return (name: string) => resolve({ Condition: name });
};

/** The statements of a member role as deployed with `parameters` (those of a policy whose condition is false left out). */
function deployedStatements(roleLogicalId: string, parameters: Record<string, string>): Record<string, unknown>[] {
  const resolve = resolver(member, parameters) as (node: unknown) => Record<string, unknown>;
  const condition = conditionOf(parameters);
  return policyStatements(member, roleLogicalId)
    .filter((s) => !s.condition || condition(s.condition))
    .map(({ condition: _, ...s }) => resolve(s));
}

describe('member-template.yaml checked by cfn-lint and the AWS SAM translator', () => {
  it('lints clean and translates', () => {
    // Act
    const result = checkTemplate('', 'member-template.yaml');

    // Assess
    expect(result.lint).toEqual([]);
    expect(result.status).toBe(0);
    expect(Object.keys(result.resources).sort()).toEqual(Object.keys(member.Resources).sort());
  }, 120_000);

  it('is plain CloudFormation, which StackSets deploys without a transform', () => {
    expect(member.Transform).toBeUndefined();
    expect(Object.values(member.Resources).every((r) => !r.Type.startsWith('AWS::Serverless::'))).toBe(true);
  });
});

describe('member-template.yaml, by account and Region', () => {
  const cases = [
    {
      where: 'a member account, in the home Region',
      CentralAccountId: CENTRAL_ACCOUNT,
      HomeRegion: 'us-east-1',
      roles: true,
      forward: true,
    },
    {
      where: 'a member account, in another Region',
      CentralAccountId: CENTRAL_ACCOUNT,
      HomeRegion: 'eu-west-1',
      roles: false,
      forward: true,
    },
    {
      where: 'the central account, in the home Region',
      CentralAccountId: MEMBER_ACCOUNT,
      HomeRegion: 'us-east-1',
      roles: false,
      forward: false,
    },
    {
      where: 'the central account, in another Region',
      CentralAccountId: MEMBER_ACCOUNT,
      HomeRegion: 'eu-west-1',
      roles: false,
      forward: true,
    },
  ];

  it.each(cases)('creates the roles and forwards events as it must in $where', ({ CentralAccountId, HomeRegion, roles, forward }) => {
    // Prepare
    const central = CentralAccountId === MEMBER_ACCOUNT;
    const at = (more: Record<string, string>) => conditionOf({ ...REQUIRED, CentralAccountId, HomeRegion, ...more });

    // Act
    const dryRun = at({});
    const enforce = at({ RemediationMode: 'enforce' });
    const withFindings = at({ ForwardGuardDutyFindings: 'true' });

    // Assess: IAM is global, so the roles exist once per account; none in the central account, whose functions use their own.
    expect(dryRun('CreateRoles')).toBe(roles);
    expect(dryRun('CreateEnforcePolicies')).toBe(false);
    expect(enforce('CreateEnforcePolicies')).toBe(roles);
    expect(dryRun('Forward')).toBe(forward);
    // GuardDuty findings: the central account forwards those its other Regions receive as administrator; a member only
    // when it has no GuardDuty administrator (ForwardGuardDutyFindings).
    expect(dryRun('ForwardFindings')).toBe(forward && central);
    expect(withFindings('ForwardFindings')).toBe(forward);
  });

  it('puts every resource under the condition of its kind', () => {
    // Act
    const byCondition = Object.entries(member.Resources).map(([id, r]) => [id, r.Type, r.Condition]);

    // Assess
    for (const [id, type, condition] of byCondition) {
      if (type === 'AWS::IAM::RolePolicy') expect(condition, id).toBe('CreateEnforcePolicies');
      else if (id === 'ForwardGuardDutyFindingRule') expect(condition, id).toBe('ForwardFindings');
      else if (type === 'AWS::Events::Rule' || id === 'ForwarderRole') expect(condition, id).toBe('Forward');
      else expect([type, condition], id).toEqual(['AWS::IAM::Role', 'CreateRoles']);
    }
    expect(MEMBER_FUNCTIONS.map((m) => member.Resources[m.roleLogicalId]?.Condition)).toEqual(MEMBER_FUNCTIONS.map(() => 'CreateRoles'));
  });

  it('deploys in dry-run mode unless its owner chooses enforce', () => {
    expect(member.Parameters?.RemediationMode).toMatchObject({ Default: 'dry-run', AllowedValues: ['dry-run', 'enforce'] });
    expect(member.Conditions?.Enforce).toEqual({ 'Fn::Equals': [{ Ref: 'RemediationMode' }, 'enforce'] });
  });
});

describe.each(MEMBER_FUNCTIONS)('the member role of $f.name', (m) => {
  const role = member.Resources[m.roleLogicalId];
  const statements = policyStatements(member, m.roleLogicalId);

  it('is named <MemberRolePrefix>-<function name>, within IAM’s 64 characters for any prefix the parameter accepts', () => {
    // Prepare
    const prefix = member.Parameters?.MemberRolePrefix;

    // Act
    const name = role?.Properties.RoleName;

    // Assess
    expect(name).toEqual({ 'Fn::Sub': `\${MemberRolePrefix}-${m.f.name}` });
    expect(prefix).toMatchObject({ Type: 'String', Default: 'ml-guard-member' });
    expect(prefix.MaxLength + `-${m.f.name}`.length).toBeLessThanOrEqual(64);
  });

  it('trusts exactly its central function role, within the organization, for AssumeRole alone', () => {
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Sid: 'CentralFunctionOnly',
        Effect: 'Allow',
        Principal: { AWS: { Ref: m.centralRoleParameter } },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
      },
    ]);
    expect(central.Outputs?.[m.centralRoleOutput]?.Value).toEqual({ 'Fn::GetAtt': [m.f.roleLogicalId, 'Arn'] });
  });

  it('grants, whatever the mode, exactly what the function reads in a member account', () => {
    const unconditional = actionsOf(statements.filter((s) => !s.condition));
    expect([...unconditional].sort()).toEqual([...m.alwaysActions].sort());
  });

  it('grants the actions its remediation steps call in a member account only when the member stack is in enforce mode', () => {
    const conditional = statements.filter((s) => s.condition);
    expect(conditional.every((s) => s.condition === 'CreateEnforcePolicies')).toBe(true);
    expect([...actionsOf(conditional)].sort()).toEqual([...m.enforceActions].sort());
  });

  it('grants what its central role grants for those actions, on the same resources of the member account, in any Region', () => {
    // Prepare: the central role's statements of member-side actions, with the Region a wildcard (the member role is global).
    const memberSide = new Set([...m.alwaysActions, ...m.enforceActions]);
    const anyRegion = (s: PolicyStatement) => JSON.parse(JSON.stringify(s).replaceAll('${AWS::Region}', '*'));
    const shape = ({ Sid, Effect, Action, Resource, Condition, condition }: PolicyStatement) =>
      JSON.stringify({ Sid, Effect, Action, Resource, Condition, enforce: condition !== undefined });

    // Act
    const fromCentral = policyStatements(central, m.f.roleLogicalId)
      .filter((s) => s.Effect === 'Allow' && [...actionsOf([s])].every((a) => memberSide.has(a)))
      .map(anyRegion);
    const ownAllows = statements.filter((s) => s.Effect === 'Allow');

    // Assess
    expect(ownAllows.map(shape).sort()).toEqual(fromCentral.map(shape).sort());
  });

  it('scopes every statement to the member account, with "*" only where AWS allows nothing narrower', () => {
    for (const s of statements.filter((st) => st.Effect === 'Allow')) {
      const resources = (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) as unknown[];
      for (const resource of resources) {
        if (resource === '*') {
          expect(
            [...actionsOf([s])].every((a) => (m.f.wildcardActions ?? []).includes(a)),
            s.Sid,
          ).toBe(true);
          continue;
        }
        const arn = (resource as { 'Fn::Sub': string })['Fn::Sub'];
        if (arn === 'arn:${AWS::Partition}:s3:::*')
          expect(s.Condition, s.Sid).toEqual({ StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } } });
        else expect(arn, s.Sid).toMatch(/^arn:\$\{AWS::Partition\}:[a-z]+:(\*)?:\$\{AWS::AccountId\}:/);
      }
    }
  });

  it('may change none of ml-guard’s roles, forwarding rules or StackSet stacks', () => {
    // Act
    const denies = statements.filter((s) => s.Effect === 'Deny');

    // Assess
    expect(denies.map((s) => s.Sid)).toEqual(['NeverMlGuardRoles', 'NeverMlGuardRules', 'NeverStackSetStacks']);
    expect(denies.every((s) => !s.condition && !s.Condition)).toBe(true);
    expect(denies.find((s) => s.Sid === 'NeverMlGuardRoles')?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${MemberRolePrefix}-*' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/stacksets-exec-*' },
      ...MEMBER_FUNCTIONS.map((other) => ({ Ref: other.centralRoleParameter })),
    ]);
  });
});

describe('rotate-credentials in a member account, by its role’s policies', () => {
  const rotate = MEMBER_FUNCTIONS.find((m) => m.f.name === 'rotate-credentials');
  if (!rotate) throw new Error('rotate-credentials is not in FUNCTIONS');
  const enforce = deployedStatements(rotate.roleLogicalId, ENFORCE);
  const dryRun = deployedStatements(rotate.roleLogicalId, REQUIRED);
  const role = (name: string) => `arn:aws:iam::${MEMBER_ACCOUNT}:role/${name}`;

  it.each([
    ['its own role', 'iam:PutRolePolicy', role('ml-guard-member-rotate-credentials')],
    ['another member role', 'iam:PutRolePolicy', role('ml-guard-member-quarantine-public-bucket')],
    ['the forwarding role', 'iam:PutRolePolicy', role('ml-guard-member-forwarder-eu-west-1')],
    ['the StackSets execution role', 'iam:PutRolePolicy', role('stacksets-exec-0123456789abcdef0123456789abcdef')],
    ['a central function role', 'iam:PutRolePolicy', CENTRAL_ROLE_ARNS.RotateCredentialsCentralRoleArn as string],
    ['its own role, by a managed policy', 'iam:AttachRolePolicy', role('ml-guard-member-notify')],
    ['its own role’s trust', 'iam:UpdateAssumeRolePolicy', role('ml-guard-member-rotate-credentials')],
    ['a role of another account', 'iam:PutRolePolicy', 'arn:aws:iam::999999999999:role/training'],
    ['a key, by deleting it', 'iam:DeleteAccessKey', `arn:aws:iam::${MEMBER_ACCOUNT}:user/alice`],
    ['a forwarding rule', 'events:RemoveTargets', `arn:aws:events:eu-west-1:${MEMBER_ACCOUNT}:rule/ml-guard-member-forward-config`],
  ])('cannot change %s, even in enforce mode (%s)', (_what, action, resource) => {
    expect(allows(enforce, action, resource)).toBe(false);
  });

  it.each([
    ['revoke the sessions of a role of the account', 'iam:PutRolePolicy', role('sagemaker-training')],
    ['revoke the sessions of a user', 'iam:PutUserPolicy', `arn:aws:iam::${MEMBER_ACCOUNT}:user/alice`],
    ['deactivate a key', 'iam:UpdateAccessKey', `arn:aws:iam::${MEMBER_ACCOUNT}:user/alice`],
  ])('may %s in enforce mode only (%s)', (_what, action, resource) => {
    expect(allows(enforce, action, resource)).toBe(true);
    expect(allows(dryRun, action, resource)).toBe(false);
  });

  it('may read ml-guard’s own roles (to tell they are protected) in either mode', () => {
    expect(allows(dryRun, 'iam:GetRole', role('ml-guard-member-rotate-credentials'))).toBe(true);
    expect(allows(enforce, 'iam:GetRole', role('ml-guard-member-rotate-credentials'))).toBe(true);
  });
});

// ---------------------------------------------------------------- forwarding

/** The central stack's settings the forwarding rules mirror, at their defaults and changed. */
const SETTINGS = [
  { case: 'the default settings', values: {} as Record<string, string> },
  {
    case: 'other settings',
    values: {
      SeverityThreshold: '7',
      AlarmNamePrefix: 'guard-',
      NotifyAlarmNamePrefix: 'serving-',
      NotifyCustomConfigRules: 'team-rule,other-rule',
    },
  },
];

/** Whether some rule of the central stack (template.yaml) takes the event, with these settings. */
const consumedBy = (values: Record<string, string>) => {
  const rules = FUNCTIONS.flatMap((f) => eventBridgeRules(central, f.functionLogicalId, values));
  return (event: unknown) => rules.some((r) => matchesPattern(r.pattern, event));
};

/** The member forwarding rules that exist where GuardDuty findings are forwarded (ForwardGuardDutyFindings), and match the event. */
const forwardedBy = (values: Record<string, string>, forwardFindings = true) => {
  const parameters = { ...REQUIRED, ...values, ForwardGuardDutyFindings: String(forwardFindings) };
  const condition = conditionOf(parameters);
  const rules = eventRuleResources(member, parameters).filter((r) => !r.condition || condition(r.condition));
  return (event: unknown) => rules.filter((r) => matchesPattern(r.pattern, event)).map((r) => r.name);
};

function set(event: any, path: string[], value: unknown): any {
  const copy = structuredClone(event);
  let node = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key];
  }
  node[path.at(-1) as string] = value;
  return copy;
}

const vary = (events: any[], path: string[], values: unknown[]) => events.flatMap((e) => values.map((v) => set(e, path, v)));

/**
 * The sample event, and copies with the fields the rules look at changed to values on either side of each rule's
 * bounds (threshold, prefixes, states, types, resource types, rule names), for both sets of SETTINGS.
 */
function variantsOf(event: any): any[] {
  if (typeof event?.detail !== 'object' || event.detail === null) return [event];
  let all = [event];
  if (event.source === 'aws.guardduty') {
    all = vary(all, ['detail', 'severity'], [0, 3.9, 4, 6.9, 7, 8.9]);
    all = vary(all, ['detail', 'resource', 'resourceType'], ['AccessKey', 'S3Bucket', event.detail.resource?.resourceType]);
    all = vary(
      all,
      ['detail', 'type'],
      [
        event.detail.type,
        'Policy:S3/BucketPublicAccessGranted',
        'Policy:IAMUser/RootCredentialUsage',
        'UnauthorizedAccess:IAMUser/TorIPCaller',
        'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
        'Discovery:IAMUser/AnomalousBehavior',
        'PenTest:IAMUser/KaliLinux',
        'Recon:IAMUser/MaliciousIPCaller',
        'Exfiltration:S3/AnomalousBehavior',
        'Backdoor:EC2/C&CActivity.B!DNS',
      ],
    );
  }
  if (event.source === 'aws.config') {
    all = vary(all, ['detail', 'newEvaluationResult', 'complianceType'], ['NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE']);
    all = vary(
      all,
      ['detail', 'resourceType'],
      [
        event.detail.resourceType,
        'AWS::S3::Bucket',
        'AWS::IAM::User',
        'AWS::SageMaker::NotebookInstance',
        'AWS::::Account',
        'AWS::Logs::LogGroup',
        'AWS::EC2::Instance',
      ],
    );
    all = vary(all, ['detail', 'configRuleName'], [event.detail.configRuleName, 'team-rule', 'other-rule', 'unlisted-rule']);
    all = vary(all, ['detail', 'messageType'], ['ComplianceChangeNotification', 'OversizedConfigurationItemChangeNotification']);
  }
  if (event['detail-type'] === 'AWS API Call via CloudTrail') {
    all = vary(
      all,
      ['detail', 'eventName'],
      [event.detail.eventName, 'StopLogging', 'CreateTrail', 'DeleteModel', 'CreateModel', 'UpdateDetector'],
    );
    all = vary(all, ['detail', 'requestParameters', 'enable'], [true, false]);
  }
  if (event.source === 'aws.cloudwatch') {
    all = vary(all, ['detail', 'alarmName'], [event.detail.alarmName, 'ml-guard-x', 'guard-x', 'ml-serving-x', 'serving-x', 'other-x']);
    all = vary(all, ['detail', 'state', 'value'], ['ALARM', 'OK', 'INSUFFICIENT_DATA']);
    all = vary(all, ['detail', 'previousState', 'value'], ['ALARM', 'OK', 'INSUFFICIENT_DATA']);
  }
  return all;
}

describe.each(SETTINGS)('member-template.yaml forwarding, with $case', ({ values }) => {
  const consumed = consumedBy(values);
  const forwarded = forwardedBy(values);
  const forwardedWithoutFindings = forwardedBy(values, false);

  it.each(allEventPaths())('forwards %s (and its variants) exactly when a central rule takes it, once', (path) => {
    // Prepare
    const events = variantsOf(loadEvent(path));

    // Act
    const results = events.map((event) => ({ event, consumed: consumed(event), forwardedBy: forwarded(event) }));

    // Assess
    const wrong = results.filter((r) => r.consumed !== r.forwardedBy.length > 0 || r.forwardedBy.length > 1);
    expect(wrong.slice(0, 3).map((r) => ({ ...r, event: r.event.detail }))).toEqual([]);
    // Each valid sample, or one of its variants, is taken: the check covers both sides of the rules.
    if (!path.startsWith('invalid/')) expect(results.some((r) => r.consumed)).toBe(true);
  });

  it.each(allEventPaths().filter((p) => p.startsWith('guardduty/')))(
    'forwards no GuardDuty finding (%s) from an account that has a GuardDuty administrator',
    (path) => {
      for (const event of variantsOf(loadEvent(path))) expect(forwardedWithoutFindings(event)).toEqual([]);
    },
  );
});

describe('member-template.yaml forwarding rules', () => {
  const rules = eventRuleResources(member, REQUIRED);

  it('forward every source and detail type the central rules take (a new kind of event needs a forwarding rule)', () => {
    // Prepare
    const kinds = (patterns: unknown[]) =>
      new Set(patterns.flatMap((p: any) => (p.source as string[]).flatMap((s) => (p['detail-type'] as string[]).map((d) => `${s} ${d}`))));

    // Act
    const taken = kinds(FUNCTIONS.flatMap((f) => eventBridgeRules(central, f.functionLogicalId).map((r) => r.pattern)));
    const sent = kinds(rules.map((r) => r.pattern));

    // Assess
    expect([...sent].sort()).toEqual([...taken].sort());
  });

  it('put events on the central default event bus in the home Region, with the forwarding role', () => {
    for (const rule of rules) {
      expect(rule.targets, rule.name).toEqual([
        {
          Id: 'central-bus',
          Arn: { 'Fn::Sub': 'arn:${AWS::Partition}:events:${HomeRegion}:${CentralAccountId}:event-bus/default' },
          RoleArn: { 'Fn::GetAtt': ['ForwarderRole', 'Arn'] },
        },
      ]);
      // Named with the prefix, which the roles' Deny and the forwarding role's trust name; within EventBridge's 64 characters.
      const name = member.Resources[rule.name]?.Properties.Name['Fn::Sub'] as string;
      expect(name).toMatch(/^\$\{MemberRolePrefix\}-forward-[a-z]+$/);
      expect(member.Parameters?.MemberRolePrefix.MaxLength + name.length - '${MemberRolePrefix}'.length, name).toBeLessThanOrEqual(64);
    }
  });

  it('stay within EventBridge’s 2048 characters per event pattern', () => {
    for (const { values } of SETTINGS)
      for (const rule of eventRuleResources(member, { ...REQUIRED, ...values }))
        expect(JSON.stringify(rule.pattern).length, rule.name).toBeLessThanOrEqual(2048);
  });

  it('use a role that EventBridge alone may assume, for this account’s forwarding rules, to put events on the central bus alone', () => {
    // Act
    const role = member.Resources.ForwarderRole?.Properties;

    // Assess
    expect(role.RoleName).toEqual({ 'Fn::Sub': '${MemberRolePrefix}-forwarder-${AWS::Region}' });
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${MemberRolePrefix}-forward-*',
            },
          },
        },
      },
    ]);
    expect(policyStatements(member, 'ForwarderRole')).toEqual([
      {
        Sid: 'PutOnTheCentralBus',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:events:${HomeRegion}:${CentralAccountId}:event-bus/default' },
      },
    ]);
    // The longest Region names have 14 characters (ap-southeast-5, cn-northwest-1): 19 leave room.
    expect(member.Parameters?.MemberRolePrefix.MaxLength + '-forwarder-'.length + 19).toBeLessThanOrEqual(64);
  });
});

describe('template.yaml and member-template.yaml together', () => {
  it('outputs the ARN of each function role that acts in member accounts, which the member roles trust', () => {
    for (const m of MEMBER_FUNCTIONS) {
      expect(central.Outputs?.[m.centralRoleOutput]?.Value).toEqual({ 'Fn::GetAtt': [m.f.roleLogicalId, 'Arn'] });
      expect(member.Parameters?.[m.centralRoleParameter]).toMatchObject({ Type: 'String' });
    }
  });
});
