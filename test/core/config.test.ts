import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { ConfigError } from '../../functions/core/errors.js';

const TOPIC = 'arn:aws:sns:eu-west-2:123456789012:ml-guard';

describe('loadConfig', () => {
  it("defaults to dry-run, the ml-guard:exempt tag and GuardDuty's medium severity", () => {
    const config = loadConfig({});

    expect(config).toMatchObject({
      mode: 'dry-run',
      exemptTagKey: 'ml-guard:exempt',
      topicArn: undefined,
      protectedPrincipals: [],
      severityThreshold: 4,
    });
  });

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      TOPIC_ARN: TOPIC,
      REMEDIATION_MODE: 'enforce',
      EXEMPT_TAG_KEY: 'security:exempt',
      FORENSICS_BUCKET: 'evidence-bucket',
      AUDIT_BUCKET: 'evidence-bucket',
      PROTECTED_PRINCIPALS: ' arn:aws:iam::123456789012:role/Admin , break-glass ,',
      SEVERITY_THRESHOLD: '7.5',
    });

    expect(config).toMatchObject({
      mode: 'enforce',
      topicArn: TOPIC,
      exemptTagKey: 'security:exempt',
      forensicsBucket: 'evidence-bucket',
      auditBucket: 'evidence-bucket',
      protectedPrincipals: ['arn:aws:iam::123456789012:role/Admin', 'break-glass'],
      severityThreshold: 7.5,
    });
  });

  it('contains the callers of S3 exfiltration findings from severity 7 (GuardDuty high) unless turned off', () => {
    expect(loadConfig({})).toMatchObject({ s3ExfiltrationSeverityThreshold: 7, containS3Exfiltration: true });
    expect(loadConfig({ S3_EXFILTRATION_SEVERITY_THRESHOLD: '8.5', CONTAIN_S3_EXFILTRATION: 'false' })).toMatchObject({
      s3ExfiltrationSeverityThreshold: 8.5,
      containS3Exfiltration: false,
    });
  });

  it.each([
    [{ S3_EXFILTRATION_SEVERITY_THRESHOLD: '11' }, /S3_EXFILTRATION_SEVERITY_THRESHOLD: expected a number from 0 to 10/],
    [{ CONTAIN_S3_EXFILTRATION: 'no' }, /CONTAIN_S3_EXFILTRATION: expected "true" or "false"/],
    [{ CONTAIN_S3_EXFILTRATION: 'TRUE' }, /CONTAIN_S3_EXFILTRATION: expected "true" or "false"/],
    [{ REMEDIATION_MODE: 'yes' }, /REMEDIATION_MODE: expected one of "dry-run", "enforce"/],
    [{ TOPIC_ARN: 'my-topic' }, /TOPIC_ARN: expected an SNS topic ARN/],
    [{ FORENSICS_BUCKET: 'Not_A_Bucket' }, /FORENSICS_BUCKET: expected an S3 bucket name/],
    [{ AUDIT_BUCKET: 's3://evidence' }, /AUDIT_BUCKET: expected an S3 bucket name/],
    [{ SEVERITY_THRESHOLD: 'high' }, /SEVERITY_THRESHOLD: expected a number/],
    [{ REMEDIATION_MODE: 'enforce' }, /TOPIC_ARN must be set when REMEDIATION_MODE is enforce/],
  ])('stops at cold start with a clear error for %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('requires what a function needs to act only in enforce mode', () => {
    const needs = { requiredToEnforce: ['FORENSICS_BUCKET'] as const };

    expect(() => loadConfig({ TOPIC_ARN: TOPIC, REMEDIATION_MODE: 'enforce' }, needs)).toThrow(
      'FORENSICS_BUCKET must be set when REMEDIATION_MODE is enforce',
    );
    expect(loadConfig({}, needs).mode).toBe('dry-run');
  });

  it.each([
    ['a group ARN', 'arn:aws:iam::123456789012:group/admins'],
    ['a name with a space', 'break glass'],
    ['an assumed-role ARN without a session', 'arn:aws:sts::123456789012:assumed-role/ops'],
  ])('refuses, for every function, a PROTECTED_PRINCIPALS entry that would protect nothing: %s', (_, entry) => {
    const env = { PROTECTED_PRINCIPALS: `ml-guard-role,${entry}` };

    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(
      `invalid environment: PROTECTED_PRINCIPALS: ${JSON.stringify(entry)} is not an IAM user or role name, nor an IAM user, role or assumed-role ARN`,
    );
  });

  it('treats an empty variable as unset, as CloudFormation passes empty parameters', () => {
    expect(loadConfig({ TOPIC_ARN: '', SEVERITY_THRESHOLD: '' })).toMatchObject({ topicArn: undefined, severityThreshold: 4 });
  });
});
