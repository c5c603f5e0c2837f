import { DescribeConfigRulesCommand, NoSuchConfigRuleException } from '@aws-sdk/client-config-service';
import { describe, expect, it } from 'vitest';
import { identifyRule, SOURCE_TTL_MS, UNREAD_TTL_MS } from '../../functions/core/aws/config-rules.js';
import { matchRule, type RuleIdentity, routedResourceTypes } from '../../functions/core/events/config-rules.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { answerRule, configRules, ruleEntry } from '../support/config-rules.js';
import { loadEvent } from '../support/events.js';

const T0 = Date.parse('2026-11-26T03:00:00Z');
const calls = () => configRules.commandCalls(DescribeConfigRulesCommand).length;

describe('identifyRule', () => {
  it('reads the owner, managed identifier and parameters of a rule from DescribeConfigRules', async () => {
    // Prepare
    answerRule('team-keys', 'ACCESS_KEYS_ROTATED', { maxAccessKeyAge: '45' });

    // Act
    const identity = await identifyRule('team-keys', T0);

    // Assess
    expect(identity).toEqual({
      name: 'team-keys',
      owner: 'AWS',
      identifier: 'ACCESS_KEYS_ROTATED',
      parameters: { maxAccessKeyAge: '45' },
      from: 'source',
    });
  });

  it(`keeps a rule's source for ${SOURCE_TTL_MS / 60_000} minutes, then reads it again`, async () => {
    // Prepare
    answerRule('team-keys', 'ACCESS_KEYS_ROTATED');

    // Act
    await identifyRule('team-keys', T0);
    await identifyRule('team-keys', T0 + SOURCE_TTL_MS - 1);
    const beforeExpiry = calls();
    await identifyRule('team-keys', T0 + SOURCE_TTL_MS);

    // Assess
    expect(beforeExpiry).toBe(1);
    expect(calls()).toBe(2);
  });

  it('asks once per rule name, not per event', async () => {
    // Act
    await Promise.all([identifyRule('a-rule', T0), identifyRule('a-rule', T0), identifyRule('access-keys-rotated', T0)]);

    // Assess
    expect(configRules.commandCalls(DescribeConfigRulesCommand).map((c) => c.args[0].input.ConfigRuleNames)).toEqual([
      ['a-rule'],
      ['access-keys-rotated'],
    ]);
  });

  it.each<[string, () => void, string]>([
    [
      'a rule that no longer exists',
      () => configRules.on(DescribeConfigRulesCommand).rejects(new NoSuchConfigRuleException({ message: 'invalid', $metadata: {} })),
      'no rule of that name exists now (NoSuchConfigRuleException)',
    ],
    [
      'an answer without the rule',
      () => configRules.on(DescribeConfigRulesCommand).resolves({ ConfigRules: [] }),
      'DescribeConfigRules returned no source for it',
    ],
    [
      'an answer for another rule',
      () => configRules.on(DescribeConfigRulesCommand).resolves({ ConfigRules: [ruleEntry('other', { Owner: 'AWS' })] }),
      'DescribeConfigRules returned no source for it',
    ],
  ])('falls back to the name for %s, saying why', async (_, answer, why) => {
    // Prepare
    answer();

    // Act
    const identity = await identifyRule('s3-bucket-public-write-prohibited', T0);

    // Assess
    expect(identity).toEqual({
      name: 's3-bucket-public-write-prohibited',
      identifier: 'S3_BUCKET_PUBLIC_WRITE_PROHIBITED',
      from: 'name',
      unread: why,
    });
  });

  it(`asks again ${UNREAD_TTL_MS / 1000} s after a failure, sooner than after a success`, async () => {
    // Prepare
    configRules.on(DescribeConfigRulesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const first = await identifyRule('team-keys', T0);
    await identifyRule('team-keys', T0 + UNREAD_TTL_MS - 1);
    const withinWindow = calls();
    await identifyRule('team-keys', T0 + UNREAD_TTL_MS);

    // Assess
    expect(first).toMatchObject({ from: 'name', unread: 'ThrottlingException: Rate exceeded' });
    expect(withinWindow).toBe(1);
    expect(calls()).toBe(2);
  });

  it.each<[string, string | undefined, Record<string, string> | undefined]>([
    ['a JSON object of strings', '{"maxAccessKeyAge":"90"}', { maxAccessKeyAge: '90' }],
    ['numbers, as strings', '{"maxCredentialUsageAge":45}', { maxCredentialUsageAge: '45' }],
    ['other values left out', '{"a":"1","b":{"c":1},"d":true}', { a: '1' }],
    ['not JSON', '{maxAccessKeyAge: 90', undefined],
    ['a JSON array', '["90"]', undefined],
  ])('reads InputParameters given as %s', async (_, text, parameters) => {
    // Prepare
    configRules.on(DescribeConfigRulesCommand).resolves({
      ConfigRules: [{ ...ruleEntry('r', { Owner: 'AWS', SourceIdentifier: 'ACCESS_KEYS_ROTATED' }), InputParameters: text }],
    });

    // Act
    const identity = await identifyRule('r', T0);

    // Assess
    expect(identity.parameters).toEqual(parameters);
  });
});

describe('matchRule', () => {
  const change = (edit: (detail: any) => void = () => {}) => {
    const event = loadEvent('config/s3-public-read-prohibited-custom-name-noncompliant.json');
    edit(event.detail);
    const parsed = parseEvent(event);
    if (parsed.kind !== 'config') throw new Error('not a compliance change');
    return parsed.compliance;
  };
  const scope = {
    managed: ['S3_BUCKET_PUBLIC_READ_PROHIBITED'] as const,
    custom: ['team-rule'],
    handledBy: 'f handles',
    noun: 'bucket',
  };
  const source = (owner: string, identifier?: string): RuleIdentity => ({
    name: 's3-public-read-prohibited',
    owner,
    ...(identifier ? { identifier } : {}),
    from: 'source',
  });

  it.each<[string, RuleIdentity | undefined, (d: any) => void, string]>([
    ['its managed rule, by source', source('AWS', 'S3_BUCKET_PUBLIC_READ_PROHIBITED'), () => {}, 'S3_BUCKET_PUBLIC_READ_PROHIBITED'],
    [
      'a listed custom rule, by source',
      { name: 'team-rule', owner: 'CUSTOM_LAMBDA', from: 'source' },
      (d) => (d.configRuleName = 'team-rule'),
      'custom',
    ],
    [
      'a listed custom rule of another resource type',
      { name: 'team-rule', owner: 'CUSTOM_POLICY', from: 'source' },
      (d) => {
        d.configRuleName = 'team-rule';
        d.resourceType = 'AWS::SageMaker::Model';
      },
      'custom',
    ],
    [
      'its managed rule under its own name, unread',
      { name: 's3-bucket-public-read-prohibited', identifier: 'S3_BUCKET_PUBLIC_READ_PROHIBITED', from: 'name', unread: 'denied' },
      (d) => (d.configRuleName = 's3-bucket-public-read-prohibited'),
      'S3_BUCKET_PUBLIC_READ_PROHIBITED',
    ],
    [
      'a listed custom rule, unread',
      { name: 'team-rule', from: 'name', unread: 'denied' },
      (d) => (d.configRuleName = 'team-rule'),
      'custom',
    ],
    [
      'its managed rule under its own name, not looked up',
      undefined,
      (d) => (d.configRuleName = 's3-bucket-public-read-prohibited'),
      'S3_BUCKET_PUBLIC_READ_PROHIBITED',
    ],
  ])('takes %s', (_, identity, edit, rule) => {
    // Act
    const match = matchRule(change(edit), identity, scope);

    // Assess
    expect(match).toMatchObject({ rule });
  });

  it.each<[string, RuleIdentity | undefined, (d: any) => void, string]>([
    [
      'another managed rule, by source',
      source('AWS', 'S3_BUCKET_LOGGING_ENABLED'),
      () => {},
      'Config rule s3-public-read-prohibited (AWS managed rule S3_BUCKET_LOGGING_ENABLED) is not one that f handles',
    ],
    [
      'an unlisted custom rule under the managed name',
      { name: 's3-bucket-public-read-prohibited', owner: 'CUSTOM_LAMBDA', from: 'source' },
      (d) => (d.configRuleName = 's3-bucket-public-read-prohibited'),
      'Config rule s3-bucket-public-read-prohibited (custom rule, CUSTOM_LAMBDA) is not one that f handles',
    ],
    [
      'a managed rule listed as custom (the list names custom rules)',
      { name: 'team-rule', owner: 'AWS', identifier: 'S3_BUCKET_LOGGING_ENABLED', from: 'source' },
      (d) => (d.configRuleName = 'team-rule'),
      'Config rule team-rule (AWS managed rule S3_BUCKET_LOGGING_ENABLED) is not one that f handles',
    ],
    [
      'an unknown name, unread',
      { name: 's3-public-read-prohibited', from: 'name', unread: 'denied' },
      () => {},
      'Config rule s3-public-read-prohibited (its source could not be read: denied; judged by its name) is not one that f handles',
    ],
    [
      'its managed rule about another resource type',
      source('AWS', 'S3_BUCKET_PUBLIC_READ_PROHIBITED'),
      (d) => (d.resourceType = 'AWS::S3::AccountPublicAccessBlock'),
      'resource type AWS::S3::AccountPublicAccessBlock is not AWS::S3::Bucket',
    ],
    [
      'a resource that is COMPLIANT again',
      source('AWS', 'S3_BUCKET_PUBLIC_READ_PROHIBITED'),
      (d) => (d.newEvaluationResult.complianceType = 'COMPLIANT'),
      'bucket ml-model-artifacts-123456789012 is COMPLIANT, not NON_COMPLIANT',
    ],
  ])('declines %s, saying why', (_, identity, edit, outside) => {
    // Act
    const match = matchRule(change(edit), identity, scope);

    // Assess
    expect(match).toEqual({ outside });
  });
});

describe('routedResourceTypes', () => {
  it('lists each resource type the rules evaluate once', () => {
    expect(routedResourceTypes(['S3_BUCKET_PUBLIC_READ_PROHIBITED', 'S3_BUCKET_LOGGING_ENABLED', 'CLOUD_TRAIL_ENABLED'])).toEqual([
      'AWS::S3::Bucket',
      'AWS::::Account',
    ]);
  });
});
