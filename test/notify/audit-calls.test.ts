import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { auditCallKind, calledResource, callerOf } from '../../functions/core/events/audit-calls.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { notify } from '../../functions/notify/flow.js';
import { AUDIT_TAMPERING_FINDINGS, selectNotification } from '../../functions/notify/select.js';
import { loadNotifySettings } from '../../functions/notify/settings.js';
import { matchesPattern } from '../support/event-pattern.js';
import { loadEvent } from '../support/events.js';
import { readNotification } from '../support/notifications.js';
import { eventBridgeRules, loadTemplate } from '../support/template.js';

/** notify on the auditing events: someone blinds the auditors, or an ML asset disappears (issue 9, section 4). */
const STOP_LOGGING = 'cloudtrail/cloudtrail-stoplogging.json';
const DELETE_MODEL = 'cloudtrail/sagemaker-deletemodel.json';
const OWN_ROLE = 'arn:aws:iam::123456789012:role/ml-guard-StopCompromisedTrainingJobRole-1A2B3C';

const select = (event: unknown, env: Record<string, string> = {}) =>
  selectNotification(parseEvent(event), loadConfig({}), loadNotifySettings(env));
const changed = (path: string, change: (d: any) => void) => {
  const event = loadEvent(path);
  change(event.detail);
  return event;
};

describe('selectNotification on CloudTrail API calls', () => {
  it.each<[string, unknown]>([
    ['CloudTrail StopLogging', loadEvent(STOP_LOGGING)],
    ['CloudTrail DeleteTrail', changed(STOP_LOGGING, (d) => (d.eventName = 'DeleteTrail'))],
    ['GuardDuty UpdateDetector disabling it', loadEvent('cloudtrail/guardduty-updatedetector-disable.json')],
    [
      'Config StopConfigurationRecorder',
      changed(STOP_LOGGING, (d) => {
        d.eventSource = 'config.amazonaws.com';
        d.eventName = 'StopConfigurationRecorder';
        d.requestParameters = { configurationRecorderName: 'default' };
      }),
    ],
    ['a StopLogging that failed (someone tried)', changed(STOP_LOGGING, (d) => (d.errorCode = 'AccessDenied'))],
  ])('reports %s as audit tampering', (_, event) => {
    // Act
    const selection = select(event);

    // Assess
    expect(selection).toMatchObject({ action: 'notify', reason: expect.stringMatching(/^Audit tampering: /) });
  });

  it('reports an ML asset deleted by someone other than ml-guard, naming the asset', () => {
    // Act
    const selection = select(loadEvent(DELETE_MODEL), { NOTIFY_OWN_ROLE_ARNS: OWN_ROLE });

    // Assess
    expect(selection).toMatchObject({
      action: 'notify',
      targets: [{ type: 'sagemaker.amazonaws.com', id: 'fraud-detector-v3' }],
      flood: { key: 'cloudtrail#123456789012#us-west-2#DeleteModel#fraud-detector-v3#arn:aws:iam::123456789012:user/intern' },
    });
  });

  it.each<[string, unknown, Record<string, string>, string]>([
    [
      "ml-guard's own StopTrainingJob",
      changed(DELETE_MODEL, (d) => {
        d.eventName = 'StopTrainingJob';
        d.requestParameters = { trainingJobName: 'fraud-train-42' };
        d.userIdentity = {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/ml-guard-StopCompromisedTrainingJobRole-1A2B3C/stop',
          sessionContext: { sessionIssuer: { type: 'Role', arn: OWN_ROLE } },
        };
      }),
      { NOTIFY_OWN_ROLE_ARNS: `arn:aws:iam::123456789012:role/other,${OWN_ROLE}` },
      `sagemaker.amazonaws.com StopTrainingJob was made by ml-guard's own role ${OWN_ROLE}: its response is notified by the function that made it`,
    ],
    [
      'an asset outside NOTIFY_ML_ASSET_PREFIXES',
      loadEvent(DELETE_MODEL),
      { NOTIFY_ML_ASSET_PREFIXES: 'prod-, churn-' },
      'sagemaker.amazonaws.com DeleteModel on fraud-detector-v3: the name starts with none of NOTIFY_ML_ASSET_PREFIXES (prod-, churn-)',
    ],
    [
      'GuardDuty UpdateDetector enabling it',
      loadEvent('cloudtrail/guardduty-updatedetector-enable.json'),
      {},
      'the CloudTrail call guardduty.amazonaws.com UpdateDetector is not one that notify reports',
    ],
    [
      'a call of no interest (CreateModel)',
      changed(DELETE_MODEL, (d) => (d.eventName = 'CreateModel')),
      {},
      'the CloudTrail call sagemaker.amazonaws.com CreateModel is not one that notify reports',
    ],
  ])('declines %s, saying why', (_, event, env, reason) => {
    expect(select(event, env)).toEqual({ action: 'ignore', reason });
  });

  it('takes an asset whose name starts with one of NOTIFY_ML_ASSET_PREFIXES', () => {
    expect(select(loadEvent(DELETE_MODEL), { NOTIFY_ML_ASSET_PREFIXES: 'churn-,fraud-' }).action).toBe('notify');
  });
});

describe('auditCallKind and calledResource', () => {
  it.each<[string, Record<string, unknown>, string | undefined, string | undefined]>([
    ['StopLogging', { eventSource: 'cloudtrail.amazonaws.com', requestParameters: { name: 'trail-1' } }, 'audit-tampering', 'trail-1'],
    ['UpdateTrail', { eventSource: 'cloudtrail.amazonaws.com', requestParameters: { trailName: 't' } }, 'audit-tampering', 't'],
    [
      'DeleteDeliveryChannel',
      { eventSource: 'config.amazonaws.com', requestParameters: { deliveryChannelName: 'd' } },
      'audit-tampering',
      'd',
    ],
    [
      'UpdateDetector',
      { eventSource: 'guardduty.amazonaws.com', requestParameters: { detectorId: 'x', enable: false } },
      'audit-tampering',
      'x',
    ],
    ['UpdateDetector', { eventSource: 'guardduty.amazonaws.com', requestParameters: { detectorId: 'x' } }, undefined, 'x'],
    ['DeleteEndpoint', { eventSource: 'sagemaker.amazonaws.com', requestParameters: { endpointName: 'e' } }, 'ml-asset-deleted', 'e'],
    ['DeleteModel', { eventSource: 'sagemaker.amazonaws.com', requestParameters: null }, 'ml-asset-deleted', undefined],
    ['StopLogging', { eventSource: 'sagemaker.amazonaws.com' }, undefined, undefined],
    // A SageMaker call name from another service is not an ML asset; an unknown service names no resource.
    ['DeleteModel', { eventSource: 'bedrock.amazonaws.com', requestParameters: { modelName: 'm' } }, undefined, 'm'],
    ['DeleteThing', { eventSource: 'example.amazonaws.com', requestParameters: { 'Stryker was here': 'x' } }, undefined, undefined],
    // UpdateDetector without request parameters does not disable anything.
    ['UpdateDetector', { eventSource: 'guardduty.amazonaws.com', requestParameters: null }, undefined, undefined],
    // A resource named by something other than a non-empty string is no name.
    ['DeleteEndpoint', { eventSource: 'sagemaker.amazonaws.com', requestParameters: { endpointName: 42 } }, 'ml-asset-deleted', undefined],
    ['DeleteEndpoint', { eventSource: 'sagemaker.amazonaws.com', requestParameters: { endpointName: '' } }, 'ml-asset-deleted', undefined],
  ])('%s of %j is %s, on %s', (eventName, fields, kind, resource) => {
    // Prepare
    const call = { eventName, eventTime: 't', awsRegion: 'us-east-1', userIdentity: {}, ...fields } as any;

    // Act / Assess
    expect(auditCallKind(call)).toBe(kind);
    expect(calledResource(call)).toBe(resource);
  });
});

describe('callerOf', () => {
  it.each<[string, Record<string, unknown>, ReturnType<typeof callerOf>]>([
    ['an IAM user', { type: 'IAMUser', arn: 'arn:aws:iam::1:user/u' }, { type: 'IAMUser', arn: 'arn:aws:iam::1:user/u' }],
    [
      'a role session',
      { type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/r/s', sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::1:role/r' } } },
      { type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/r/s', issuer: 'arn:aws:iam::1:role/r' },
    ],
    ['a session without issuer', { type: 'AssumedRole', sessionContext: { sessionIssuer: null } }, { type: 'AssumedRole' }],
    ['an identity without type', {}, { type: 'unknown' }],
  ])('names %s', (_, userIdentity, caller) => {
    expect(callerOf({ eventSource: 's', eventName: 'n', eventTime: 't', awsRegion: 'r', userIdentity } as any)).toEqual(caller);
  });
});

describe('notify on CloudTrail API calls', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  });
  const run = (event: unknown) =>
    notify(event, {
      config: loadConfig({ ...process.env }),
      settings: loadNotifySettings({}),
      now: () => new Date('2026-11-26T03:00:00Z'),
    });
  const text = () => readNotification(sns.commandCalls(PublishCommand)[0]!.args[0].input).text;

  it('names the principal, the session issuer, the source IP and the time of a StopLogging', async () => {
    // Act
    const result = await run(loadEvent(STOP_LOGGING));

    // Assess
    expect(result.status).toBe('notified');
    expect(text()).toContain('arn:aws:sts::101010101111:assumed-role/Sandbox_Dev/user');
    expect(text()).toContain('arn:aws:iam::101010101111:role/Sandbox_Dev');
    expect(text()).toContain('101.244.214.105');
    expect(text()).toContain('2026-11-26T02:41:07Z');
    expect(text()).toContain('StopLogging on arn:aws:cloudtrail:us-east-1:101010101111:trail/management-events');
  });

  it('names the principal, the source IP, the time and the model of a DeleteModel', async () => {
    // Act
    const result = await run(loadEvent(DELETE_MODEL));

    // Assess
    expect(result.status).toBe('notified');
    expect(text()).toContain('IAMUser arn:aws:iam::123456789012:user/intern');
    expect(text()).toContain('198.51.100.23');
    expect(text()).toContain('2026-11-26T02:41:07Z');
    expect(text()).toContain('DeleteModel on fraud-detector-v3');
  });
});

describe('notify on GuardDuty findings that someone blinds the auditors', () => {
  const rules = eventBridgeRules(loadTemplate(), 'NotifyFunction');
  const stealth = (type: string, severity: number) =>
    changed('guardduty/exfiltration-s3-anomalousbehavior.json', (d) => {
      d.type = type;
      d.severity = severity;
    });

  it.each(AUDIT_TAMPERING_FINDINGS.map((type) => [type]))('routes and reports %s at severity 2, below every threshold', (type) => {
    // Prepare
    const event = stealth(type, 2);

    // Act
    const selection = select(event);

    // Assess
    expect(selection).toMatchObject({ action: 'notify', reason: expect.stringMatching(/^Audit tampering: GuardDuty /) });
    expect(rules.filter((r) => matchesPattern(r.pattern, event)).map((r) => r.name)).toEqual(['NotifyGuardDutyFinding']);
  });

  it('leaves another Stealth finding below the threshold alone', () => {
    // Prepare
    const event = stealth('Stealth:IAMUser/AnomalousBehavior', 2);

    // Act / Assess
    expect(select(event).action).toBe('ignore');
    expect(rules.filter((r) => matchesPattern(r.pattern, event))).toEqual([]);
  });
});
