import { ConfigServiceServiceException, DescribeConfigRulesCommand } from '@aws-sdk/client-config-service';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import * as s3 from '../../functions/core/aws/s3.js';
import { loadConfig } from '../../functions/core/config.js';
import { remediate } from '../../functions/core/remediation/remediate.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { handler, quarantinePublicBucket } from '../../functions/quarantine-public-bucket/handler.js';
import { answerRule, configRules } from '../support/config-rules.js';
import { loadEvent } from '../support/events.js';
import { fakeS3, publicBucket } from '../support/fake-bucket.js';
import { handlerHarness } from '../support/handler-harness.js';

/** quarantine-public-bucket decides by what a Config rule checks (its source), not by what it is called. */
const NOW = new Date('2026-11-26T03:00:00.000Z');
const BUCKET = 'ml-model-artifacts-123456789012';
const CUSTOM_NAME = 'config/s3-public-read-prohibited-custom-name-noncompliant.json';
const DEFAULT_NAME = 'config/s3-bucket-public-read-prohibited-noncompliant.json';
const LOGGING = 'config/s3-bucket-logging-enabled-noncompliant.json';

const { context, published } = handlerHarness({ functionName: 'quarantine-public-bucket', now: NOW, restore: [S3Client] });
const invoke = (event: unknown) => handler(event, context) as Promise<EventResult>;
const withRules = (customRules: string) => (event: unknown) =>
  remediate(event, quarantinePublicBucket, {
    functionName: 'quarantine-public-bucket',
    config: loadConfig({ ...process.env, CUSTOM_CONFIG_RULES: customRules }),
    aws: s3,
    now: () => NOW,
  });
const accessDenied = () =>
  new ConfigServiceServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'User is not authorized to perform: config:DescribeConfigRules',
  });

describe('quarantine-public-bucket on Config rules under any name', () => {
  it('quarantines the bucket of the managed rule S3_BUCKET_PUBLIC_READ_PROHIBITED created as s3-public-read-prohibited', async () => {
    // Prepare
    answerRule('s3-public-read-prohibited', 'S3_BUCKET_PUBLIC_READ_PROHIBITED');
    const { buckets } = fakeS3({ [BUCKET]: publicBucket() });

    // Act
    const result = await invoke(loadEvent(CUSTOM_NAME));

    // Assess
    expect(result.status).toBe('remediated');
    expect(buckets[BUCKET]?.publicAccessBlock).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(published()[0]?.text).toContain('s3-public-read-prohibited (AWS managed rule S3_BUCKET_PUBLIC_READ_PROHIBITED)');
  });

  it('reads a rule source once for many events in a warm container', async () => {
    // Prepare
    answerRule('s3-public-read-prohibited', 'S3_BUCKET_PUBLIC_READ_PROHIBITED');
    fakeS3({ [BUCKET]: publicBucket() });
    const second = loadEvent(CUSTOM_NAME);
    second.id = 'a1b2c3d4-0099-4a5b-8c9d-0e1f2a3b4c5d';

    // Act
    await invoke(loadEvent(CUSTOM_NAME));
    await invoke(second);

    // Assess
    expect(configRules.commandCalls(DescribeConfigRulesCommand)).toHaveLength(1);
  });

  it('ignores, changing nothing, a rule about buckets that checks something else (S3_BUCKET_LOGGING_ENABLED)', async () => {
    // Prepare
    const { mock } = fakeS3({ [BUCKET]: publicBucket() });

    // Act
    const result = await invoke(loadEvent(LOGGING));

    // Assess
    expect(result).toMatchObject({
      status: 'ignored',
      reason:
        'Config rule s3-bucket-logging-enabled (AWS managed rule S3_BUCKET_LOGGING_ENABLED) is not one that quarantine-public-bucket handles',
    });
    expect(mock.calls()).toHaveLength(0);
    expect(published()).toEqual([]);
  });

  it('ignores a custom rule named like the managed one, whose check it cannot know', async () => {
    // Prepare
    answerRule('s3-bucket-public-read-prohibited', { custom: 'CUSTOM_LAMBDA' });
    const { mock } = fakeS3({ [BUCKET]: publicBucket() });

    // Act
    const result = await invoke(loadEvent(DEFAULT_NAME));

    // Assess
    expect(result.status).toBe('ignored');
    expect(result.reason).toBe(
      'Config rule s3-bucket-public-read-prohibited (custom rule, CUSTOM_LAMBDA) is not one that quarantine-public-bucket handles',
    );
    expect(mock.calls()).toHaveLength(0);
  });

  it('takes a custom rule that CUSTOM_CONFIG_RULES lists as a public-bucket rule', async () => {
    // Prepare
    answerRule('team-no-public-buckets', { custom: 'CUSTOM_POLICY' });
    const { buckets } = fakeS3({ [BUCKET]: publicBucket() });
    const event = loadEvent(CUSTOM_NAME);
    event.detail.configRuleName = 'team-no-public-buckets';

    // Act
    const result = await withRules('team-no-public-buckets')(event);

    // Assess
    expect(result.status).toBe('remediated');
    expect(buckets[BUCKET]?.publicAccessBlock?.RestrictPublicBuckets).toBe(true);
  });
});

describe('quarantine-public-bucket when a rule source cannot be read', () => {
  it("falls back to the rule's name, and says so in the result and the notification", async () => {
    // Prepare
    configRules.on(DescribeConfigRulesCommand).rejects(accessDenied());
    fakeS3({ [BUCKET]: publicBucket() });

    // Act
    const result = await invoke(loadEvent(DEFAULT_NAME));

    // Assess
    expect(result.status).toBe('remediated');
    expect(published()[0]?.text).toContain(
      's3-bucket-public-read-prohibited (its source could not be read: AccessDeniedException: User is not authorized to perform: config:DescribeConfigRules; taken by its name for the managed rule S3_BUCKET_PUBLIC_READ_PROHIBITED)',
    );
  });

  it('ignores a custom-named rule it cannot identify, saying why, and changes nothing', async () => {
    // Prepare
    configRules.on(DescribeConfigRulesCommand).rejects(accessDenied());
    const { mock } = fakeS3({ [BUCKET]: publicBucket() });

    // Act
    const result = await invoke(loadEvent(CUSTOM_NAME));

    // Assess
    expect(result.status).toBe('ignored');
    expect(result.reason).toBe(
      'Config rule s3-public-read-prohibited (its source could not be read: AccessDeniedException: User is not authorized to perform: config:DescribeConfigRules; judged by its name) is not one that quarantine-public-bucket handles',
    );
    expect(mock.calls()).toHaveLength(0);
  });

  it('asks again after a short while, not at every event', async () => {
    // Prepare
    configRules.on(DescribeConfigRulesCommand).rejects(accessDenied());
    fakeS3({ [BUCKET]: publicBucket() });

    // Act
    await invoke(loadEvent(CUSTOM_NAME));
    const again = loadEvent(CUSTOM_NAME);
    again.id = 'a1b2c3d4-0098-4a5b-8c9d-0e1f2a3b4c5d';
    await invoke(again);

    // Assess
    expect(configRules.commandCalls(DescribeConfigRulesCommand)).toHaveLength(1);
  });
});
