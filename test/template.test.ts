import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../functions/core/config.js';
import { routedResourceTypes } from '../functions/core/events/config-rules.js';
import { functionNames } from '../scripts/functions.mjs';
import { resolver } from '../scripts/template.mjs';
import { matchesPattern } from './support/event-pattern.js';
import { allEventPaths, loadEvent } from './support/events.js';
import { BASE_ACTIONS, FUNCTIONS, handlesEvent } from './support/functions.js';
import { actionsOf, conditionHolds, eventBridgeRules, expandForEach, loadTemplate, policyStatements } from './support/template.js';

const template = loadTemplate();
const SAM_SCHEMA = new URL('./schemas/sam.schema.json', import.meta.url);
const ALL_MONITORS: Record<string, string> = JSON.parse(
  readFileSync(new URL('./support/all-monitors.parameters.json', import.meta.url), 'utf8'),
);

describe('template.yaml', () => {
  // The SAM transform reads the template once AWS::LanguageExtensions has expanded its Fn::ForEach loops (the SAM
  // schema knows no loop): with every list parameter empty, as by default, and with items in each.
  it.each([
    ['its default parameters', {}],
    ['every monitor parameter set', ALL_MONITORS],
  ])("is a valid SAM template by AWS's SAM schema, with %s", (_case, parameters) => {
    const ajv = new AjvDraft04({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SAM_SCHEMA, 'utf8')));

    const valid = validate(expandForEach(template, parameters));

    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`) ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('expands its loops with AWS::LanguageExtensions before the SAM transform runs, as SAM requires', () => {
    expect(template.Transform).toEqual(['AWS::LanguageExtensions', 'AWS::Serverless-2016-10-31']);
  });

  it('declares every function folder as a function, with its own role', () => {
    expect(FUNCTIONS.map((f) => f.name).sort()).toEqual(functionNames());
    for (const f of FUNCTIONS) {
      const fn = template.Resources[f.functionLogicalId];
      expect(fn?.Type).toBe('AWS::Serverless::Function');
      expect(fn?.Properties?.Role).toEqual({ 'Fn::GetAtt': [f.roleLogicalId, 'Arn'] });
    }
    const roles = FUNCTIONS.map((f) => f.roleLogicalId);
    expect(new Set(roles).size).toBe(roles.length);
  });

  it("builds each function with the Makefile, which runs npm run build's script (test/scripts/build.test.ts)", () => {
    for (const f of FUNCTIONS) {
      expect(template.Resources[f.functionLogicalId]?.Metadata).toEqual({ BuildMethod: 'makefile' });
      expect(template.Resources[f.functionLogicalId]?.Properties.Handler).toBe('handler.handler');
    }
    expect(template.Globals.Function).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Tracing: 'Active' });
  });

  it('reads no source map at run time unless its owner turns them on for debugging', () => {
    expect(template.Parameters?.SourceMaps).toMatchObject({ Type: 'String', Default: 'false', AllowedValues: ['true', 'false'] });
    expect(template.Conditions?.SourceMapsAtRunTime).toEqual({ 'Fn::Equals': [{ Ref: 'SourceMaps' }, 'true'] });
    expect(template.Globals.Function.Environment.Variables.NODE_OPTIONS).toEqual({
      'Fn::If': ['SourceMapsAtRunTime', '--enable-source-maps', { Ref: 'AWS::NoValue' }],
    });
    for (const f of FUNCTIONS)
      expect(template.Resources[f.functionLogicalId]?.Properties.Environment?.Variables?.NODE_OPTIONS).toBeUndefined();
  });

  it('deploys in dry-run mode unless its owner chooses enforce', () => {
    expect(template.Parameters?.RemediationMode).toMatchObject({ Default: 'dry-run', AllowedValues: ['dry-run', 'enforce'] });
    expect(template.Globals.Function.Environment.Variables.REMEDIATION_MODE).toEqual({ Ref: 'RemediationMode' });
    expect(loadConfig({}).mode).toBe('dry-run');
  });

  it("protects every role of the stack, and the owner's list, in every function", () => {
    const roles = FUNCTIONS.map((f) => ({ 'Fn::GetAtt': [f.roleLogicalId, 'Arn'] }));
    const { PROTECTED_PRINCIPALS } = template.Globals.Function.Environment.Variables;

    expect(PROTECTED_PRINCIPALS['Fn::Join'][0]).toBe(',');
    expect(PROTECTED_PRINCIPALS['Fn::Join'][1]).toEqual(expect.arrayContaining([{ Ref: 'ProtectedPrincipals' }, ...roles]));
    expect(PROTECTED_PRINCIPALS['Fn::Join'][1]).toHaveLength(roles.length + 1);
    expect(template.Parameters?.ProtectedPrincipals).toMatchObject({ Type: 'String', Default: '' });
    for (const f of FUNCTIONS)
      expect(template.Resources[f.functionLogicalId]?.Properties.Environment?.Variables?.PROTECTED_PRINCIPALS).toBeUndefined();
  });

  it('passes organization mode, the managed accounts and the per-account modes to every function, empty by default', () => {
    const variables = template.Globals.Function.Environment.Variables;

    expect(variables).toMatchObject({
      MEMBER_ROLE_PREFIX: { Ref: 'MemberRolePrefix' },
      MANAGED_ACCOUNTS: { Ref: 'ManagedAccounts' },
      ACCOUNT_MODES: { Ref: 'AccountModes' },
    });
    for (const name of ['MemberRolePrefix', 'ManagedAccounts', 'AccountModes'])
      expect(template.Parameters?.[name]).toMatchObject({ Type: 'String', Default: '' });
    expect(conditionHolds(template, 'OrganizationMode')).toBe(false);
  });

  it('refuses a deployment naming member accounts (ManagedAccounts, AccountModes) without organization mode', () => {
    expect((template as { Rules?: unknown }).Rules).toEqual({
      AccountSettingsNeedOrganizationMode: {
        RuleCondition: { 'Fn::Equals': [{ Ref: 'MemberRolePrefix' }, ''] },
        Assertions: [
          {
            Assert: { 'Fn::And': [{ 'Fn::Equals': [{ Ref: 'ManagedAccounts' }, ''] }, { 'Fn::Equals': [{ Ref: 'AccountModes' }, ''] }] },
            AssertDescription: 'ManagedAccounts and AccountModes apply only in organization mode; set MemberRolePrefix too.',
          },
        ],
      },
    });
  });

  it.each([
    ['', 'dry-run', false],
    ['', 'enforce', true],
    ['111122223333=dry-run', 'dry-run', false],
    ['111122223333=dry-run,444455556666=enforce', 'dry-run', true],
  ])('lets the prior state be saved centrally when AccountModes is %j and RemediationMode %s: %s', (modes, mode, expected) => {
    const deployed = {
      ...template,
      Parameters: {
        ...template.Parameters,
        AccountModes: { ...template.Parameters?.AccountModes, Default: modes },
        RemediationMode: { ...template.Parameters?.RemediationMode, Default: mode },
      },
    };

    expect(conditionHolds(deployed, 'EnforceAnywhere')).toBe(expected);
  });

  // README: Deploying across an organization. scripts/template.mjs resolves AWS::Region to us-east-1, AWS::AccountId to 123456789012.
  it('accepts events on its default bus from principals of the organization alone, and only when OrganizationId is set', () => {
    // Prepare
    const resolveDefault = resolver(template) as (node: unknown) => unknown;
    const resolveOrganization = resolver(template, { OrganizationId: 'o-a1b2c3d4e5' }) as (node: unknown) => unknown;
    const policy = template.Resources.OrganizationEventBusPolicy;

    // Act
    const statement = resolveOrganization(policy?.Properties.Statement);

    // Assess: a single-account deployment (the default) creates nothing new.
    expect(template.Parameters?.OrganizationId).toMatchObject({ Type: 'String', Default: '' });
    expect(policy?.Condition).toBe('AcceptOrganizationEvents');
    expect(resolveDefault({ Condition: 'AcceptOrganizationEvents' })).toBe(false);
    expect(resolveOrganization({ Condition: 'AcceptOrganizationEvents' })).toBe(true);
    expect(policy?.Properties.EventBusName).toBe('default');
    expect(statement).toEqual({
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: 'arn:aws:events:us-east-1:123456789012:event-bus/default',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
  });

  it('outputs the ARN of each function role, which the member stacks trust (member-template.yaml)', () => {
    for (const f of FUNCTIONS) {
      expect(template.Outputs?.[f.roleLogicalId.replace(/Role$/, 'RoleArn')]?.Value).toEqual({ 'Fn::GetAtt': [f.roleLogicalId, 'Arn'] });
    }
  });

  it("keeps evidence private, versioned, encrypted, TLS-only and beyond the stack's life", () => {
    const bucket = template.Resources.ForensicsBucket;
    expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(bucket?.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(
      bucket?.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
    ).toBeTruthy();
    expect(template.Resources.ForensicsBucketPolicy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(template.Resources.NotificationTopic?.Properties.KmsMasterKeyId).toBeTruthy();
  });

  it('locks every evidence object for AuditRetentionDays, in governance mode unless its owner chooses compliance', () => {
    expect(template.Resources.ForensicsBucket?.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: { Ref: 'AuditRetentionMode' }, Days: { Ref: 'AuditRetentionDays' } } },
      },
    });
    expect(template.Parameters?.AuditRetentionMode).toMatchObject({ Default: 'GOVERNANCE', AllowedValues: ['GOVERNANCE', 'COMPLIANCE'] });
    expect(template.Parameters?.AuditRetentionDays).toMatchObject({ Type: 'Number', Default: 365, MinValue: 1 });
  });
});

describe('seeing that it works (template.yaml)', () => {
  const alarmMetrics = (alarm: string): any[] => template.Resources[alarm]?.Properties.Metrics ?? [];
  const metricsOf = (alarm: string) =>
    alarmMetrics(alarm)
      .filter((m) => m.MetricStat)
      .map((m) => m.MetricStat.Metric);
  const expressionOf = (alarm: string) => alarmMetrics(alarm).find((m) => m.Expression)?.Expression as string;
  const ofFunction = (name: string) => [
    { Name: 'service', Value: 'ml-guard' },
    { Name: 'function', Value: name },
  ];
  const auditSink = readFileSync(new URL('../functions/core/audit/sink.ts', import.meta.url), 'utf8');

  it.each([
    ['FailedOutcomesAlarm', ['failed', 'partial'], FUNCTIONS.filter((f) => f.remediation)],
    ['AuditRecordsAlarm', ['audit-failed'], FUNCTIONS],
  ])('%s sums %j of every function it watches and notifies the alarm topic', (alarm, names, functions) => {
    const metrics = metricsOf(alarm);
    const ids = alarmMetrics(alarm)
      .filter((m) => m.MetricStat)
      .map((m) => m.Id);

    expect(template.Resources[alarm]?.Properties).toMatchObject({
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(metrics).toHaveLength(names.length * functions.length);
    for (const f of functions)
      for (const name of names) expect(metrics).toContainEqual({ Namespace: 'MlGuard', MetricName: name, Dimensions: ofFunction(f.name) });
    expect(expressionOf(alarm)).toBe(`SUM(FILL([${ids.join(', ')}], 0))`);
  });

  it('counts audit-failed and publishes time-to-contain under the names the alarm and dashboard read', () => {
    expect(auditSink).toContain("countOutcome('audit-failed')");
    expect(auditSink).toContain("'time-to-contain', MetricUnit.Seconds");
  });

  it("has a dashboard of outcomes, errors, throttles, the dead-letter queue, time to contain, notify's repeats and the alarms", () => {
    const sub: string = template.Resources.Dashboard?.Properties.DashboardBody['Fn::Sub'];
    const references = [...sub.matchAll(/\$\{([^}]+)\}/g)].map((m) => (m[1] as string).split('.')[0] as string);
    const body = JSON.parse(sub.replace(/\$\{[^}]+\}/g, 'x'));
    const text = JSON.stringify(body);

    expect(references.every((r) => r.startsWith('AWS::') || template.Resources[r])).toBe(true);
    for (const f of FUNCTIONS) {
      expect(text).toContain(`Outcomes: ${f.name}`);
      expect(sub).toContain(`["AWS/Lambda","Errors","FunctionName","\${${f.functionLogicalId}}"`);
      expect(sub).toContain(`["AWS/Lambda","Throttles","FunctionName","\${${f.functionLogicalId}}"`);
    }
    expect(sub).toContain('["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","${DeadLetterQueue.QueueName}"');
    for (const f of FUNCTIONS.filter((g) => g.remediation))
      expect(text).toContain(`"time-to-contain","service","ml-guard","function","${f.name}"`);
    expect(text).toContain('"suppressed","service","ml-guard","function","notify"');
    expect(sub).toContain('${FailedOutcomesAlarm.Arn}');
    expect(sub).toContain('${AuditRecordsAlarm.Arn}');
  });
});

describe.each(FUNCTIONS)('$name in template.yaml', (f) => {
  const rules = eventBridgeRules(template, f.functionLogicalId);
  const statements = policyStatements(template, f.roleLogicalId);
  const handles = (raw: unknown) => handlesEvent(f, raw);

  it('has EventBridge rules', () => {
    expect(rules.length).toBeGreaterThan(0);
  });

  it.each(allEventPaths().filter((p) => !p.startsWith('invalid/')))(
    'routes %s to the function exactly when the function handles it',
    (path) => {
      const event = loadEvent(path);

      const matched = rules.filter((r) => matchesPattern(r.pattern, event)).map((r) => r.name);

      if (event.source === 'aws.config') {
        // Config rule names are anyone's choice: compliance changes are routed by what the function's rules evaluate,
        // and the function decides by the rule's source. A change it handles is always routed.
        expect(matched.length > 0).toBe(evaluatesWhatItTakes(event));
        if (handles(event)) expect(matched.length).toBeGreaterThan(0);
      } else {
        expect(matched.length > 0).toBe(handles(event) || (f.routedButDeclined?.(event) ?? false));
      }
    },
  );

  /** A NON_COMPLIANT change of a resource of a type one of the function's managed rules evaluates. */
  const evaluatesWhatItTakes = (event: any) =>
    event['detail-type'] === 'Config Rules Compliance Change' &&
    event.detail?.messageType === 'ComplianceChangeNotification' &&
    event.detail?.newEvaluationResult?.complianceType === 'NON_COMPLIANT' &&
    routedResourceTypes(f.configRules).includes(event.detail?.resourceType);

  it('routes Config compliance changes by the resource types its managed rules evaluate, whatever the rule is called', () => {
    // Prepare
    const configRules = rules.filter((r) => (r.pattern as any)['detail-type']?.includes('Config Rules Compliance Change'));
    const typesOf = (pattern: any): string[] => pattern.detail.resourceType ?? pattern.detail.$or?.[0]?.resourceType ?? [];

    // Act
    const routed = configRules.flatMap((r) => typesOf(r.pattern));

    // Assess
    expect(configRules.length).toBe(f.configRules.length > 0 ? 1 : 0);
    expect(routed.sort()).toEqual(routedResourceTypes(f.configRules).sort());
  });

  it.each(allEventPaths().filter((p) => p.startsWith('invalid/')))(
    'declines the malformed or foreign %s even if a rule routes it',
    (path) => {
      expect(handles(loadEvent(path))).toBe(false);
    },
  );

  it('grants, whatever the mode, only what the function reads and its base needs', () => {
    const unconditional = actionsOf(statements.filter((s) => !s.condition));
    expect([...unconditional].sort()).toEqual([...new Set([...BASE_ACTIONS, ...f.alwaysActions])].sort());
  });

  it('grants the actions its remediation steps call only when the stack is deployed in enforce mode', () => {
    const runnerActions = Object.values(f.remediation?.runners ?? {}).flatMap((r) => [...r.iamActions]);
    const conditional = statements.filter((s) => s.condition && s.condition !== 'OrganizationMode' && s.condition !== 'ApprovalsEnforced');
    // EnforceAnywhere: central resources an action in an enforced member account needs (AccountModes).
    expect(conditional.every((s) => s.condition === 'Enforce' || s.condition === 'EnforceAnywhere')).toBe(true);
    expect([...actionsOf(conditional)].sort()).toEqual([...new Set(runnerActions)].sort());
  });

  it('grants the approval path its schedule and the scheduler role only when steps wait for approval somewhere enforced', () => {
    const approval = statements.filter((s) => s.condition === 'ApprovalsEnforced');
    expect([...actionsOf(approval)].sort()).toEqual([...f.approvalActions].sort());
    if (f.approvalActions.length === 0) return;
    expect(approval.map((s) => [s.Action, s.Resource, s.Condition])).toEqual([
      [
        'scheduler:CreateSchedule',
        { 'Fn::Sub': 'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/default/ml-guard-approval-*' },
        undefined,
      ],
      [
        'iam:PassRole',
        { 'Fn::GetAtt': ['ApprovalSchedulerRole', 'Arn'] },
        { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      ],
    ]);
  });

  it('grants the assumption of its own member role, and only in organization mode (MemberRolePrefix set)', () => {
    const organization = statements.filter((s) => s.condition === 'OrganizationMode');
    expect([...actionsOf(organization)].sort()).toEqual([...f.organizationActions].sort());
    expect(organization.map((s) => s.Resource)).toEqual([
      { 'Fn::Sub': `arn:\${AWS::Partition}:iam::*:role/\${MemberRolePrefix}-${f.name}` },
    ]);
  });

  it('may write audit records, in both modes, under audit/ of the evidence bucket only', () => {
    const audit = statements.filter((s) => !s.condition && actionsOf([s]).has('s3:PutObject'));
    expect(audit.map((s) => s.Resource)).toEqual([{ 'Fn::Sub': '${ForensicsBucket.Arn}/audit/*' }]);
    expect(template.Globals.Function.Environment.Variables.AUDIT_BUCKET).toEqual({ Ref: 'ForensicsBucket' });
  });

  it('scopes every statement to resources, with a wildcard only where AWS allows nothing narrower', () => {
    for (const s of statements) {
      const resources = (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) as unknown[];
      const actions = [...actionsOf([s])];
      if (resources.includes('*')) expect(actions.every((a) => a.startsWith('xray:') || (f.wildcardActions ?? []).includes(a))).toBe(true);
    }
  });
});
