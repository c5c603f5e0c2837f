import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesPattern } from './event-pattern.js';
import type { Template } from './template.js';
import { actionsOf, conditionHolds, eventBridgeRules, expandForEach, loadTemplate, policyStatements } from './template.js';

const guardDutyFinding = {
  version: '0',
  id: 'c8c4daa7-a20c-2f03-0070-b7393dd542ad',
  'detail-type': 'GuardDuty Finding',
  source: 'aws.guardduty',
  account: '123456789012',
  region: 'eu-west-1',
  resources: [],
  detail: {
    type: 'Policy:S3/BucketBlockPublicAccessDisabled',
    severity: 5.5,
    resource: {
      resourceType: 'S3Bucket',
      s3BucketDetails: [
        { name: 'training-data', type: 'Destination' },
        { name: 'logs', type: 'Source' },
      ],
    },
    service: { action: { networkConnectionAction: { remoteIpDetails: { ipAddressV4: '10.0.0.33' } } } },
    tags: ['ml', 'Production'],
    archived: false,
    comment: null,
  },
};

describe('matchesPattern', () => {
  it('matches an exact string and rejects a different one', () => {
    // Prepare
    const pattern = { source: ['aws.guardduty'] };
    const other = { source: ['aws.config'] };

    // Act
    const matched = matchesPattern(pattern, guardDutyFinding);
    const rejected = matchesPattern(other, guardDutyFinding);

    // Assess
    expect(matched).toBe(true);
    expect(rejected).toBe(false);
  });

  it('matches numbers, booleans and null exactly, and does not take null for an empty string', () => {
    // Prepare
    const exact = { detail: { severity: [5.5], archived: [false], comment: [null] } };
    const emptyString = { detail: { comment: [''] } };
    const wrongNumber = { detail: { severity: [5] } };

    // Act / Assess
    expect(matchesPattern(exact, guardDutyFinding)).toBe(true);
    expect(matchesPattern(emptyString, guardDutyFinding)).toBe(false);
    expect(matchesPattern(wrongNumber, guardDutyFinding)).toBe(false);
  });

  it('does not take a string for the number or boolean it spells', () => {
    // Prepare
    const severityAsText = { detail: { severity: ['5.5'] } };
    const archivedAsText = { detail: { archived: ['false'] } };
    const archivedAsZero = { detail: { archived: [0] } };

    // Act / Assess
    expect(matchesPattern(severityAsText, guardDutyFinding)).toBe(false);
    expect(matchesPattern(archivedAsText, guardDutyFinding)).toBe(false);
    expect(matchesPattern(archivedAsZero, guardDutyFinding)).toBe(false);
  });

  it('requires every key of the pattern to match', () => {
    // Prepare
    const oneKeyWrong = { source: ['aws.guardduty'], 'detail-type': ['Config Rules Compliance Change'] };

    // Act
    const matched = matchesPattern(oneKeyWrong, guardDutyFinding);

    // Assess
    expect(matched).toBe(false);
  });

  it('matches when any alternative of a leaf matches', () => {
    // Prepare
    const pattern = { source: ['aws.config', { prefix: 'aws.guard' }] };
    const noAlternative = { source: ['aws.config', { prefix: 'aws.s3' }] };

    // Act / Assess
    expect(matchesPattern(pattern, guardDutyFinding)).toBe(true);
    expect(matchesPattern(noAlternative, guardDutyFinding)).toBe(false);
  });

  it('matches an event array when one of its elements matches', () => {
    // Prepare
    const pattern = { detail: { tags: ['Production'] } };
    const absentTag = { detail: { tags: ['staging'] } };

    // Act / Assess
    expect(matchesPattern(pattern, guardDutyFinding)).toBe(true);
    expect(matchesPattern(absentTag, guardDutyFinding)).toBe(false);
  });

  it('matches all the keys of a nested pattern inside one element of an array of objects', () => {
    // Prepare
    const sameElement = { detail: { resource: { s3BucketDetails: { name: ['logs'], type: ['Source'] } } } };
    const acrossElements = { detail: { resource: { s3BucketDetails: { name: ['logs'], type: ['Destination'] } } } };

    // Act / Assess
    expect(matchesPattern(sameElement, guardDutyFinding)).toBe(true);
    expect(matchesPattern(acrossElements, guardDutyFinding)).toBe(false);
  });

  it('matches a prefix inside a nested object', () => {
    // Prepare
    const pattern = { detail: { type: [{ prefix: 'Policy:S3/' }] } };
    const otherPrefix = { detail: { type: [{ prefix: 'UnauthorizedAccess:' }] } };
    const notAtTheStart = { detail: { type: [{ prefix: 'S3/' }] } };

    // Act / Assess
    expect(matchesPattern(pattern, guardDutyFinding)).toBe(true);
    expect(matchesPattern(otherPrefix, guardDutyFinding)).toBe(false);
    expect(matchesPattern(notAtTheStart, guardDutyFinding)).toBe(false);
  });

  it('does not apply a prefix to a number', () => {
    // Prepare
    const pattern = { detail: { severity: [{ prefix: '5' }] } };

    // Act
    const matched = matchesPattern(pattern, guardDutyFinding);

    // Assess
    expect(matched).toBe(false);
  });

  it('matches a prefix regardless of case only with equals-ignore-case', () => {
    // Prepare
    const ignoringCase = { detail: { type: [{ prefix: { 'equals-ignore-case': 'policy:s3/' } }] } };
    const caseSensitive = { detail: { type: [{ prefix: 'policy:s3/' }] } };

    // Act / Assess
    expect(matchesPattern(ignoringCase, guardDutyFinding)).toBe(true);
    expect(matchesPattern(caseSensitive, guardDutyFinding)).toBe(false);
  });

  it('matches a suffix, with or without case', () => {
    // Prepare
    const suffix = { detail: { type: [{ suffix: 'Disabled' }] } };
    const suffixIgnoringCase = { detail: { type: [{ suffix: { 'equals-ignore-case': 'DISABLED' } }] } };
    const wrongCase = { detail: { type: [{ suffix: 'DISABLED' }] } };
    const wrongSuffix = { detail: { type: [{ suffix: 'Enabled' }] } };
    const notAtTheEnd = { detail: { type: [{ suffix: 'Public' }] } };

    // Act / Assess
    expect(matchesPattern(suffix, guardDutyFinding)).toBe(true);
    expect(matchesPattern(suffixIgnoringCase, guardDutyFinding)).toBe(true);
    expect(matchesPattern(wrongCase, guardDutyFinding)).toBe(false);
    expect(matchesPattern(wrongSuffix, guardDutyFinding)).toBe(false);
    expect(matchesPattern(notAtTheEnd, guardDutyFinding)).toBe(false);
  });

  it('matches a whole string regardless of case with equals-ignore-case', () => {
    // Prepare
    const pattern = { 'detail-type': [{ 'equals-ignore-case': 'guardduty finding' }] };
    const onlyAPart = { 'detail-type': [{ 'equals-ignore-case': 'guardduty' }] };

    // Act / Assess
    expect(matchesPattern(pattern, guardDutyFinding)).toBe(true);
    expect(matchesPattern(onlyAPart, guardDutyFinding)).toBe(false);
  });

  it('matches a wildcard where each star stands for any run of characters', () => {
    // Prepare
    const pattern = { detail: { type: [{ wildcard: 'Policy:*/*Public*' }] } };
    const noMatch = { detail: { type: [{ wildcard: 'Policy:*/*Private*' }] } };
    const mustMatchWhole = { detail: { type: [{ wildcard: 'Policy:S3' }] } };

    // Act / Assess
    expect(matchesPattern(pattern, guardDutyFinding)).toBe(true);
    expect(matchesPattern(noMatch, guardDutyFinding)).toBe(false);
    expect(matchesPattern(mustMatchWhole, guardDutyFinding)).toBe(false);
  });

  it('reads an escaped star in a wildcard as a literal star', () => {
    // Prepare
    const pattern = { detail: { action: [{ wildcard: 's3:\\*' }] } };
    const literalStar = { detail: { action: 's3:*' } };
    const anyAction = { detail: { action: 's3:GetObject' } };

    // Act / Assess
    expect(matchesPattern(pattern, literalStar)).toBe(true);
    expect(matchesPattern(pattern, anyAction)).toBe(false);
  });

  it('refuses consecutive wildcard characters', () => {
    // Prepare
    const pattern = { source: [{ wildcard: 'aws.**' }] };

    // Act / Assess
    expect(() => matchesPattern(pattern, guardDutyFinding)).toThrow(/Consecutive/);
  });

  it('matches anything but a string, a number or a list of them', () => {
    // Prepare / Act / Assess
    expect(matchesPattern({ source: [{ 'anything-but': 'aws.config' }] }, guardDutyFinding)).toBe(true);
    expect(matchesPattern({ source: [{ 'anything-but': 'aws.guardduty' }] }, guardDutyFinding)).toBe(false);
    expect(matchesPattern({ detail: { severity: [{ 'anything-but': 8 }] } }, guardDutyFinding)).toBe(true);
    expect(matchesPattern({ detail: { severity: [{ 'anything-but': [2, 5.5] }] } }, guardDutyFinding)).toBe(false);
    expect(matchesPattern({ source: [{ 'anything-but': ['aws.s3', 'aws.guardduty'] }] }, guardDutyFinding)).toBe(false);
  });

  it('matches anything but a prefix, a suffix, a wildcard or a case-insensitive value', () => {
    // Prepare
    const excluded = (operand: unknown) => ({ detail: { type: [{ 'anything-but': operand }] } });

    // Act / Assess
    expect(matchesPattern(excluded({ prefix: 'Policy:' }), guardDutyFinding)).toBe(false);
    expect(matchesPattern(excluded({ prefix: 'Recon:' }), guardDutyFinding)).toBe(true);
    expect(matchesPattern(excluded({ suffix: 'Disabled' }), guardDutyFinding)).toBe(false);
    expect(matchesPattern(excluded({ suffix: 'Enabled' }), guardDutyFinding)).toBe(true);
    expect(matchesPattern(excluded({ wildcard: '*/Bucket*' }), guardDutyFinding)).toBe(false);
    expect(matchesPattern(excluded({ wildcard: '*/Instance*' }), guardDutyFinding)).toBe(true);
    expect(matchesPattern(excluded({ 'equals-ignore-case': 'POLICY:S3/BUCKETBLOCKPUBLICACCESSDISABLED' }), guardDutyFinding)).toBe(false);
    expect(matchesPattern(excluded({ 'equals-ignore-case': 'policy:s3/other' }), guardDutyFinding)).toBe(true);
  });

  it('does not match a missing field with anything-but', () => {
    // Prepare
    const pattern = { detail: { missing: [{ 'anything-but': 'x' }] } };

    // Act
    const matched = matchesPattern(pattern, guardDutyFinding);

    // Assess
    expect(matched).toBe(false);
  });

  it('matches a present field with exists true and an absent one with exists false', () => {
    // Prepare
    const present = { detail: { severity: [{ exists: true }] } };
    const presentButExcluded = { detail: { severity: [{ exists: false }] } };
    const absent = { detail: { missing: [{ exists: false }] } };
    const absentButRequired = { detail: { missing: [{ exists: true }] } };

    // Act / Assess
    expect(matchesPattern(present, guardDutyFinding)).toBe(true);
    expect(matchesPattern(presentButExcluded, guardDutyFinding)).toBe(false);
    expect(matchesPattern(absent, guardDutyFinding)).toBe(true);
    expect(matchesPattern(absentButRequired, guardDutyFinding)).toBe(false);
  });

  it('counts a null value as present for exists', () => {
    // Prepare
    const pattern = { detail: { comment: [{ exists: true }] } };

    // Act
    const matched = matchesPattern(pattern, guardDutyFinding);

    // Assess
    expect(matched).toBe(true);
  });

  it('applies exists only to leaf nodes, so an object counts as absent', () => {
    // Prepare
    const objectExists = { detail: { resource: [{ exists: true }] } };
    const objectAbsent = { detail: { resource: [{ exists: false }] } };

    // Act / Assess
    expect(matchesPattern(objectExists, guardDutyFinding)).toBe(false);
    expect(matchesPattern(objectAbsent, guardDutyFinding)).toBe(true);
  });

  it('matches exists false under a parent object that is missing', () => {
    // Prepare
    const pattern = { detail: { nowhere: { field: [{ exists: false }] } } };
    const required = { detail: { nowhere: { field: [{ exists: true }] } } };

    // Act / Assess
    expect(matchesPattern(pattern, guardDutyFinding)).toBe(true);
    expect(matchesPattern(required, guardDutyFinding)).toBe(false);
  });

  it('matches exists false below an empty array, which holds no field at all', () => {
    // Prepare
    const pattern = { resources: { arn: [{ exists: false }] } };
    const required = { resources: { arn: [{ exists: true }] } };

    // Act / Assess
    expect(matchesPattern(pattern, guardDutyFinding)).toBe(true);
    expect(matchesPattern(required, guardDutyFinding)).toBe(false);
  });

  it.each([
    ['an exact string', 'x'],
    ['null', null],
    ['a prefix', { prefix: '' }],
    ['a suffix', { suffix: '' }],
    ['equals-ignore-case', { 'equals-ignore-case': 'x' }],
    ['a wildcard', { wildcard: '*' }],
    ['anything-but', { 'anything-but': 'x' }],
    ['numeric', { numeric: ['>=', -1e9] }],
    ['cidr', { cidr: '0.0.0.0/0' }],
    ['exists true', { exists: true }],
  ])('fails %s when the field is missing', (_, matcher) => {
    // Prepare
    const pattern = { detail: { missing: [matcher] } };

    // Act
    const matched = matchesPattern(pattern, guardDutyFinding);

    // Assess
    expect(matched).toBe(false);
  });

  it('matches a numeric range and rejects values outside it or that are not numbers', () => {
    // Prepare
    const range = { detail: { severity: [{ numeric: ['>', 4, '<=', 5.5] }] } };
    const above = { detail: { severity: [{ numeric: ['>', 5.5] }] } };
    const equal = { detail: { severity: [{ numeric: ['=', 5.5] }] } };
    const numericText = { detail: { severity: '5.5' } };

    // Act / Assess
    expect(matchesPattern(range, guardDutyFinding)).toBe(true);
    expect(matchesPattern(above, guardDutyFinding)).toBe(false);
    expect(matchesPattern(equal, guardDutyFinding)).toBe(true);
    expect(matchesPattern(range, numericText)).toBe(false);
  });

  it('matches an IPv4 address inside a CIDR block and rejects one outside it', () => {
    // Prepare
    const ip = (cidr: string) => ({
      detail: { service: { action: { networkConnectionAction: { remoteIpDetails: { ipAddressV4: [{ cidr }] } } } } },
    });

    // Act / Assess
    expect(matchesPattern(ip('10.0.0.0/24'), guardDutyFinding)).toBe(true);
    expect(matchesPattern(ip('10.0.1.0/24'), guardDutyFinding)).toBe(false);
    expect(matchesPattern(ip('10.0.0.32/31'), guardDutyFinding)).toBe(true);
    expect(matchesPattern(ip('10.0.0.34/31'), guardDutyFinding)).toBe(false);
    expect(matchesPattern({ detail: { type: [{ cidr: '0.0.0.0/0' }] } }, guardDutyFinding)).toBe(false);
  });

  it('matches $or when one of its patterns matches, together with the other keys', () => {
    // Prepare
    const pattern = {
      source: ['aws.guardduty'],
      $or: [{ detail: { severity: [{ numeric: ['>=', 7] }] } }, { detail: { tags: ['Production'] } }],
    };
    const noBranch = {
      source: ['aws.guardduty'],
      $or: [{ detail: { severity: [{ numeric: ['>=', 7] }] } }, { detail: { tags: ['staging'] } }],
    };
    const otherKeyFails = { ...pattern, source: ['aws.config'] };

    // Act / Assess
    expect(matchesPattern(pattern, guardDutyFinding)).toBe(true);
    expect(matchesPattern(noBranch, guardDutyFinding)).toBe(false);
    expect(matchesPattern(otherKeyFails, guardDutyFinding)).toBe(false);
  });

  it('matches $or inside a nested object', () => {
    // Prepare
    const pattern = { detail: { $or: [{ archived: [true] }, { type: [{ prefix: 'Policy:' }] }] } };
    const noBranch = { detail: { $or: [{ archived: [true] }, { type: [{ prefix: 'Recon:' }] }] } };

    // Act / Assess
    expect(matchesPattern(pattern, guardDutyFinding)).toBe(true);
    expect(matchesPattern(noBranch, guardDutyFinding)).toBe(false);
  });

  it('rejects a pattern whose leaf is not an array', () => {
    // Prepare
    const pattern = { source: 'aws.guardduty' };

    // Act / Assess
    expect(() => matchesPattern(pattern, guardDutyFinding)).toThrow(/must be an array/);
  });
});

const TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  CanQuarantine: !Not [!Condition IsProd]
Resources:
  QuarantineFunction:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt QuarantineRole.Arn
      Environment:
        Variables:
          TABLE: !Sub '\${AWS::StackName}-audit'
          TOPIC: !Join [':', [!Ref 'AWS::Region', !Select [0, !GetAZs '']]]
      Events:
        PublicBucket:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [aws.guardduty]
              detail:
                type: [{ prefix: 'Policy:S3/' }]
        LegacyRule:
          Type: CloudWatchEvent
          Properties:
            Pattern:
              source: [aws.config]
        Nightly:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
  QuarantineRole:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns:
        - !Ref ProdOnlyPolicy
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
      Policies:
        - PolicyName: quarantine
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:PutBucketPublicAccessBlock, s3:GetBucketPolicy]
                Resource: '*'
              - !If
                - CanQuarantine
                - Effect: Allow
                  Action: s3:PutBucketPolicy
                  Resource: !Sub 'arn:\${AWS::Partition}:s3:::*'
                - !Ref AWS::NoValue
              - Effect: Deny
                Action: s3:DeleteBucket
                Resource: '*'
  ProdOnlyPolicy:
    Type: AWS::IAM::ManagedPolicy
    Condition: IsProd
    Properties:
      PolicyDocument:
        Statement:
          Effect: Allow
          Action: sns:Publish
          Resource: !Ref AlertTopic
  AlertTopic:
    Type: AWS::SNS::Topic
`;

describe('template helpers', () => {
  let directory: string;
  let templatePath: string;
  let template: Template;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'ml-guard-template-'));
    templatePath = join(directory, 'template.yaml');
    writeFileSync(templatePath, TEMPLATE);
    template = loadTemplate(templatePath);
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('turns CloudFormation short forms into their long JSON form', () => {
    // Prepare
    const properties = template.Resources.QuarantineFunction?.Properties;

    // Act
    const role = properties.Role;
    const variables = properties.Environment.Variables;

    // Assess
    expect(role).toEqual({ 'Fn::GetAtt': ['QuarantineRole', 'Arn'] });
    expect(variables.TABLE).toEqual({ 'Fn::Sub': '${AWS::StackName}-audit' });
    expect(variables.TOPIC).toEqual({
      'Fn::Join': [':', [{ Ref: 'AWS::Region' }, { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }]],
    });
    expect(template.Conditions).toEqual({
      IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
      CanQuarantine: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    });
  });

  it('refuses a template with a tag it does not know', () => {
    // Prepare
    const path = join(directory, 'unknown-tag.yaml');
    writeFileSync(path, 'Resources:\n  A:\n    Type: X\n    Properties:\n      B: !Unknown x\n');

    // Act / Assess
    expect(() => loadTemplate(path)).toThrow(/Unknown/);
  });

  it('lists the EventBridge rules of a function, and only those', () => {
    // Prepare
    const functionId = 'QuarantineFunction';

    // Act
    const rules = eventBridgeRules(template, functionId);

    // Assess
    expect(rules).toEqual([
      { name: 'PublicBucket', pattern: { source: ['aws.guardduty'], detail: { type: [{ prefix: 'Policy:S3/' }] } } },
      { name: 'LegacyRule', pattern: { source: ['aws.config'] } },
    ]);
  });

  it('gives a rule pattern from the template that matches a sample event', () => {
    // Prepare
    const [rule] = eventBridgeRules(template, 'QuarantineFunction');

    // Act
    const matchesFinding = matchesPattern(rule?.pattern, guardDutyFinding);
    const matchesOtherSource = matchesPattern(rule?.pattern, { ...guardDutyFinding, source: 'aws.config' });

    // Assess
    expect(matchesFinding).toBe(true);
    expect(matchesOtherSource).toBe(false);
  });

  it('resolves the variables of a !Sub with a variable map: a Ref, and an !If on a condition, with the default parameters', () => {
    // Prepare
    const changed = structuredClone(template);
    changed.Parameters = { ...changed.Parameters, Threshold: { Type: 'Number', Default: 7 }, On: { Type: 'String', Default: 'true' } };
    changed.Conditions = {
      ...changed.Conditions,
      IsOn: { 'Fn::Equals': [{ Ref: 'On' }, 'true'] },
      IsOff: { 'Fn::Not': [{ Condition: 'IsOn' }] },
    };
    (changed.Resources.QuarantineFunction as any).Properties.Events = {
      Gated: {
        Type: 'EventBridgeRule',
        Properties: {
          Pattern: {
            'Fn::Sub': [
              '{"detail": {"severity": [{"numeric": [">=", ${From}]}], "count": [${Count}]}}',
              { From: { 'Fn::If': ['IsOn', { Ref: 'Threshold' }, 11] }, Count: { 'Fn::If': ['IsOff', 1, 2] } },
            ],
          },
        },
      },
    };
    const off = structuredClone(changed);
    (off.Parameters as any).On.Default = 'false';

    // Act
    const [whenOn] = eventBridgeRules(changed, 'QuarantineFunction');
    const [whenOff] = eventBridgeRules(off, 'QuarantineFunction');

    // Assess
    expect(whenOn?.pattern).toEqual({ detail: { severity: [{ numeric: ['>=', 7] }], count: [2] } });
    expect(whenOff?.pattern).toEqual({ detail: { severity: [{ numeric: ['>=', 11] }], count: [1] } });
    expect(conditionHolds(changed, 'IsOn')).toBe(true);
    expect(conditionHolds(off, 'IsOn')).toBe(false);
  });

  it('evaluates And and Or conditions, and refuses a condition it does not know', () => {
    // Prepare
    const changed = structuredClone(template);
    changed.Parameters = { ...changed.Parameters, A: { Type: 'String', Default: 'x' } };
    changed.Conditions = {
      IsX: { 'Fn::Equals': [{ Ref: 'A' }, 'x'] },
      IsY: { 'Fn::Equals': ['y', { Ref: 'A' }] },
      Both: { 'Fn::And': [{ Condition: 'IsX' }, { Condition: 'IsY' }] },
      Either: { 'Fn::Or': [{ Condition: 'IsX' }, { Condition: 'IsY' }] },
      Odd: { 'Fn::Contains': [['x'], { Ref: 'A' }] },
    };

    // Act / Assess
    expect(conditionHolds(changed, 'Both')).toBe(false);
    expect(conditionHolds(changed, 'Either')).toBe(true);
    expect(() => conditionHolds(changed, 'Odd')).toThrow(/Unsupported condition/);
    expect(() => conditionHolds(changed, 'Missing')).toThrow(/No condition Missing/);
  });

  it('fails clearly when the function is not in the template', () => {
    // Act / Assess
    expect(() => eventBridgeRules(template, 'MissingFunction')).toThrow(/MissingFunction/);
  });

  it('returns the statements of a role, marking those that exist only under a condition', () => {
    // Prepare
    const roleId = 'QuarantineRole';

    // Act
    const statements = policyStatements(template, roleId);

    // Assess
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['s3:PutBucketPublicAccessBlock', 's3:GetBucketPolicy'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: 's3:PutBucketPolicy',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::*' },
        condition: 'CanQuarantine',
      },
      { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
      { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'AlertTopic' }, condition: 'IsProd' },
    ]);
  });

  it('returns the statements of a managed policy on its own', () => {
    // Act
    const statements = policyStatements(template, 'ProdOnlyPolicy');

    // Assess
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'AlertTopic' } }]);
  });

  it('refuses a resource that is not an IAM role or policy', () => {
    // Act / Assess
    expect(() => policyStatements(template, 'AlertTopic')).toThrow(/not an IAM role or policy/);
  });

  it('collects the allowed actions and leaves out denied ones', () => {
    // Prepare
    const statements = policyStatements(template, 'QuarantineRole');

    // Act
    const actions = actionsOf(statements);

    // Assess
    expect([...actions].sort()).toEqual(['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:PutBucketPublicAccessBlock', 'sns:Publish']);
    expect(actions.has('s3:DeleteBucket')).toBe(false);
  });
});

describe('expandForEach', () => {
  const looping = (collection: unknown): Template => ({
    Parameters: { Names: { Type: 'CommaDelimitedList', Default: '' } },
    Resources: {
      Kept: { Type: 'AWS::SNS::Topic' },
      'Fn::ForEach::Topics': [
        'Name',
        collection,
        {
          'Topic&{Name}': {
            Type: 'AWS::SNS::Topic',
            Properties: {
              TopicName: { 'Fn::Sub': '${AWS::StackName}-${Name}' },
              DisplayName: { 'Fn::Sub': 'topic ${Name}' },
              Tags: [
                { Key: 'name', Value: { Ref: 'Name' } },
                { Key: 'kept', Value: '${Name}' },
              ],
              Labels: { 'Fn::Sub': ['${Prefix}${Name}', { Prefix: { Ref: 'Name' } }] },
            },
          },
        },
      ] as never,
    },
  });

  it('copies the fragment once per item, naming each copy with the letters and digits of its item', () => {
    // Act
    const expanded = expandForEach(looping(['model-a', 'b:blue']));

    // Assess
    expect(Object.keys(expanded.Resources)).toEqual(['Kept', 'Topicmodela', 'Topicbblue']);
    expect(expanded.Resources.Topicbblue?.Properties).toEqual({
      TopicName: { 'Fn::Sub': '${AWS::StackName}-b:blue' },
      DisplayName: 'topic b:blue',
      Tags: [
        { Key: 'name', Value: 'b:blue' },
        { Key: 'kept', Value: '${Name}' },
      ],
      Labels: { 'Fn::Sub': ['${Prefix}b:blue', { Prefix: 'b:blue' }] },
    });
  });

  it("takes a CommaDelimitedList parameter's items from the values given, else from its Default, an empty one being one empty item", () => {
    // Prepare
    const template = looping({ Ref: 'Names' });

    // Act
    const given = Object.keys(expandForEach(template, { Names: 'x,y' }).Resources);
    const byDefault = Object.keys(expandForEach(template).Resources);

    // Assess
    expect(given).toEqual(['Kept', 'Topicx', 'Topicy']);
    expect(byDefault).toEqual(['Kept', 'Topic']);
  });

  it('refuses two items that give the same logical id', () => {
    // Act / Assess
    expect(() => expandForEach(looping(['a-b', 'ab']))).toThrow('duplicate logical id Topicab');
  });
});
