import { describe, expect, it } from 'vitest';
import { loadConfig, MEMBER_ROLE_FUNCTIONS, modeIn } from '../../functions/core/config.js';
import { ConfigError } from '../../functions/core/errors.js';
import { functionNames } from '../../scripts/functions.mjs';

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

describe('loadConfig: acting in member accounts', () => {
  it('reads organization mode, the managed accounts and the mode of each account', () => {
    const config = loadConfig({
      TOPIC_ARN: TOPIC,
      MEMBER_ROLE_PREFIX: 'ml-guard-member',
      MANAGED_ACCOUNTS: ' 111122223333 ,444455556666,',
      ACCOUNT_MODES: '111122223333=enforce, 444455556666 = dry-run',
    });

    expect(config).toMatchObject({
      mode: 'dry-run',
      memberRolePrefix: 'ml-guard-member',
      managedAccounts: ['111122223333', '444455556666'],
      accountModes: { '111122223333': 'enforce', '444455556666': 'dry-run' },
    });
    expect(modeIn(config, '111122223333', '123456789012')).toBe('enforce');
    expect(modeIn(config, '999999999999', '123456789012')).toBe('dry-run');
  });

  it("keeps the function's own account in REMEDIATION_MODE, which its role's write permissions follow", () => {
    const config = loadConfig({ TOPIC_ARN: TOPIC, MEMBER_ROLE_PREFIX: 'mg', ACCOUNT_MODES: '111122223333=enforce' });

    expect(modeIn(config, '111122223333', '111122223333')).toBe('dry-run');
  });

  it("protects ml-guard's member roles, by name in every account, in organization mode", () => {
    expect(loadConfig({ MEMBER_ROLE_PREFIX: 'mg', PROTECTED_PRINCIPALS: 'break-glass' }).protectedPrincipals).toEqual([
      'break-glass',
      'mg-quarantine-public-bucket',
      'mg-stop-compromised-training-job',
      'mg-rotate-credentials',
      'mg-notify',
    ]);
  });

  it('knows the member role of every function', () => {
    expect([...MEMBER_ROLE_FUNCTIONS].sort()).toEqual(functionNames());
  });

  it('is single-account mode, with no per-account mode, by default', () => {
    expect(loadConfig({})).toMatchObject({ memberRolePrefix: undefined, managedAccounts: [], accountModes: {} });
  });

  it.each([
    [{ MEMBER_ROLE_PREFIX: 'has space' }, /MEMBER_ROLE_PREFIX: expected the start of an IAM role name/],
    [{ MEMBER_ROLE_PREFIX: 'x'.repeat(35) }, /MEMBER_ROLE_PREFIX: expected the start of an IAM role name/],
    [{ MANAGED_ACCOUNTS: '11112222333' }, /MANAGED_ACCOUNTS: expected 12-digit account ids/],
    [{ ACCOUNT_MODES: '111122223333=on' }, /ACCOUNT_MODES: expected <12-digit account id>=<dry-run\|enforce>/],
    [{ ACCOUNT_MODES: '111122223333=enforce,111122223333=dry-run' }, /ACCOUNT_MODES: .*each account once/],
    [
      { MEMBER_ROLE_PREFIX: 'mg', MANAGED_ACCOUNTS: '444455556666', ACCOUNT_MODES: '111122223333=dry-run' },
      /ACCOUNT_MODES names 111122223333, which MANAGED_ACCOUNTS does not list/,
    ],
    [
      { MANAGED_ACCOUNTS: '444455556666', ACCOUNT_MODES: '444455556666=dry-run' },
      /MANAGED_ACCOUNTS, ACCOUNT_MODES applies only in organization mode: set MEMBER_ROLE_PREFIX/,
    ],
  ])('stops at cold start on %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('needs what enforce mode needs when one account is enforced, though the default is dry-run', () => {
    expect(() =>
      loadConfig({ MEMBER_ROLE_PREFIX: 'mg', ACCOUNT_MODES: '111122223333=enforce' }, { requiredToEnforce: ['FORENSICS_BUCKET'] }),
    ).toThrow('invalid environment: TOPIC_ARN, FORENSICS_BUCKET must be set when ACCOUNT_MODES enforces in 111122223333');
  });
});
