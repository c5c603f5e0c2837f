import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { selectNotification } from '../../functions/notify/select.js';
import { loadNotifySettings } from '../../functions/notify/settings.js';
import { loadEvent } from '../support/events.js';

/**
 * What notify says, and how flood control keys it, for the auditing events and the Config rules it reports, one row
 * per case: the reason a person reads and the key that makes repeats of the same call, finding or resource one.
 */
const select = (event: unknown, env: Record<string, string> = {}) =>
  selectNotification(parseEvent(event), loadConfig(env), loadNotifySettings(env));
const changed = (path: string, change: (detail: any) => void) => {
  const event = loadEvent(path);
  change(event.detail);
  return event;
};

const STOP_LOGGING = 'cloudtrail/cloudtrail-stoplogging.json';
const TRAIL = 'arn:aws:cloudtrail:us-east-1:101010101111:trail/management-events';
const TAMPERING = 'Audit tampering: cloudtrail.amazonaws.com StopLogging turns a monitor off; a person must confirm it was intended';
/** DeleteModel by the IAM user intern, on the model fraud-detector-v3 (us-west-2). */
const DELETE_MODEL = 'cloudtrail/sagemaker-deletemodel.json';
const INTERN = 'arn:aws:iam::123456789012:user/intern';
const OWN_ROLE = 'arn:aws:iam::123456789012:role/ml-guard-stop';
const DELETED =
  'An ML asset was stopped or deleted (sagemaker.amazonaws.com DeleteModel) by someone other than ml-guard: a person should confirm it was intended';

describe('selectNotification of a CloudTrail call', () => {
  it.each<[string, unknown, Record<string, string>, unknown]>([
    [
      'a trail turned off, done',
      loadEvent(STOP_LOGGING),
      {},
      {
        reason: TAMPERING,
        targets: [{ type: 'cloudtrail.amazonaws.com', id: TRAIL }],
        flood: {
          key: `cloudtrail#101010101111#us-east-1#StopLogging#${TRAIL}#arn:aws:iam::101010101111:role/Sandbox_Dev`,
          state: 'done',
        },
      },
    ],
    [
      // A refused call is a separate state: the attempt and a later success are each worth a notification.
      'a trail turned off, refused',
      changed(STOP_LOGGING, (d) => {
        d.errorCode = 'AccessDenied';
      }),
      {},
      { reason: TAMPERING, flood: expect.objectContaining({ state: 'failed: AccessDenied' }) },
    ],
    [
      // ml-guard's own roles and the asset prefixes decide only about ML assets: a monitor turned off is always told.
      'a trail turned off by a role listed as ml-guard own, under asset prefixes it does not match',
      loadEvent(STOP_LOGGING),
      { NOTIFY_OWN_ROLE_ARNS: 'arn:aws:iam::101010101111:role/Sandbox_Dev', NOTIFY_ML_ASSET_PREFIXES: 'ml-' },
      { reason: TAMPERING },
    ],
    [
      'a model deleted',
      loadEvent(DELETE_MODEL),
      {},
      {
        reason: DELETED,
        targets: [{ type: 'sagemaker.amazonaws.com', id: 'fraud-detector-v3' }],
        flood: { key: `cloudtrail#123456789012#us-west-2#DeleteModel#fraud-detector-v3#${INTERN}`, state: 'done' },
      },
    ],
    [
      'a model deleted whose name starts with an asset prefix',
      loadEvent(DELETE_MODEL),
      { NOTIFY_ML_ASSET_PREFIXES: 'churn-,fraud-' },
      { reason: DELETED },
    ],
    [
      // The call names no model: the target is the call itself, and the key has an empty resource.
      'a model deleted, the request naming none',
      changed(DELETE_MODEL, (d) => {
        d.requestParameters = {};
      }),
      {},
      {
        reason: DELETED,
        targets: [{ type: 'sagemaker.amazonaws.com', id: 'DeleteModel' }],
        flood: { key: `cloudtrail#123456789012#us-west-2#DeleteModel##${INTERN}`, state: 'done' },
      },
    ],
  ])('notifies %s', (_, event, env, expected) => {
    expect(select(event, env)).toEqual({
      action: 'notify',
      targets: expect.any(Array),
      flood: expect.any(Object),
      ...(expected as object),
    });
  });

  it.each<[string, unknown, Record<string, string>, string]>([
    [
      // A session of ml-guard's own role: the function that acted notifies its response itself.
      'a model deleted by ml-guard own role',
      changed(DELETE_MODEL, (d) => {
        d.userIdentity = {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/ml-guard-stop/session',
          sessionContext: { sessionIssuer: { type: 'Role', arn: OWN_ROLE } },
        };
      }),
      { NOTIFY_OWN_ROLE_ARNS: OWN_ROLE },
      `sagemaker.amazonaws.com DeleteModel was made by ml-guard's own role ${OWN_ROLE}: its response is notified by the function that made it`,
    ],
    [
      'a model deleted whose name starts with none of the asset prefixes',
      loadEvent(DELETE_MODEL),
      { NOTIFY_ML_ASSET_PREFIXES: 'churn-,vision-' },
      'sagemaker.amazonaws.com DeleteModel on fraud-detector-v3: the name starts with none of NOTIFY_ML_ASSET_PREFIXES (churn-, vision-)',
    ],
    [
      // Without a name, no prefix can match: with prefixes set, an unnamed asset is not an ML asset of theirs.
      'a model deleted, the request naming none, under asset prefixes',
      changed(DELETE_MODEL, (d) => {
        d.requestParameters = {};
      }),
      { NOTIFY_ML_ASSET_PREFIXES: 'fraud-' },
      'sagemaker.amazonaws.com DeleteModel on (unnamed): the name starts with none of NOTIFY_ML_ASSET_PREFIXES (fraud-)',
    ],
  ])('ignores %s', (_, event, env, reason) => {
    expect(select(event, env)).toEqual({ action: 'ignore', reason });
  });
});

describe('selectNotification of a GuardDuty audit-tampering finding', () => {
  it('keys a Stealth finding by its account, Region and id, at its severity', () => {
    // Prepare
    const event = changed('guardduty/exfiltration-s3-anomalousbehavior.json', (d) => {
      d.type = 'Stealth:S3/ServerAccessLoggingDisabled';
      d.severity = 2;
    });

    // Act
    const selection = select(event);

    // Assess
    expect(selection).toMatchObject({
      action: 'notify',
      flood: { key: 'guardduty#987654321098#eu-west-2#f1e2d3c4b5a697887766554433221100', level: 2, state: 'severity 2' },
    });
  });
});

describe('selectNotification of a Config rule no function remediates', () => {
  const S3_EVENT = 'config/s3-bucket-public-read-prohibited-noncompliant.json';
  const BUCKET = 'ml-model-artifacts-123456789012';
  it.each<[string, string, Record<string, string>, string]>([
    [
      'a custom rule listed in CUSTOM_CONFIG_RULES',
      'team-bucket-tags',
      { CUSTOM_CONFIG_RULES: 'team-bucket-tags' },
      'A resource broke a custom Config rule listed in CUSTOM_CONFIG_RULES: a person should look',
    ],
    [
      // S3_BUCKET_SSL_REQUESTS_ONLY: the bucket takes plain HTTP; quarantine-public-bucket acts on public access only.
      'S3_BUCKET_SSL_REQUESTS_ONLY',
      's3-bucket-ssl-requests-only',
      {},
      'A bucket broke a Config rule that no ml-guard function remediates: a person should look',
    ],
    [
      'S3_BUCKET_LOGGING_ENABLED, which keeps the audit trail',
      's3-bucket-logging-enabled',
      {},
      'A Config rule that keeps the audit trail alive is broken: activity may go unrecorded or unprotected; a person should look',
    ],
  ])('names %s', (_, rule, env, reason) => {
    // Prepare
    const event = changed(S3_EVENT, (d) => {
      d.configRuleName = rule;
    });

    // Act / Assess
    expect(select(event, env)).toEqual({
      action: 'notify',
      reason,
      targets: [{ type: 'AWS::S3::Bucket', id: BUCKET }],
      flood: { key: `config#123456789012#us-east-2#${rule}#AWS::S3::Bucket#${BUCKET}`, state: 'NON_COMPLIANT' },
    });
  });
});
