import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { notify } from '../../functions/notify/flow.js';
import { loadNotifySettings } from '../../functions/notify/settings.js';
import { loadEvent } from '../support/events.js';

const sns = mockClient(SNSClient);
sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
const options = { config: loadConfig(process.env), settings: loadNotifySettings({}), now: () => new Date('2026-11-26T03:00:00.000Z') };

describe('notify at its input boundary', () => {
  it('answers any change to an alarm event with a result, ignored or notified, and never throws', async () => {
    // Prepare: any value in any field of the detail, its state or its first metric (reasonData included).
    const alarm = loadEvent('cloudwatch/alarm-state-change-sagemaker-model-latency.json');
    const metric = alarm.detail.configuration.metrics[0];
    const mutated = fc.oneof(
      fc
        .tuple(fc.constantFrom(...Object.keys(alarm.detail)), fc.anything())
        .map(([k, v]) => ({ ...alarm, detail: { ...alarm.detail, [k]: v } })),
      fc.tuple(fc.constantFrom(...Object.keys(alarm.detail.state)), fc.oneof(fc.anything(), fc.json())).map(([k, v]) => ({
        ...alarm,
        detail: { ...alarm.detail, state: { ...alarm.detail.state, [k]: v } },
      })),
      fc.tuple(fc.constantFrom(...Object.keys(metric)), fc.anything()).map(([k, v]) => ({
        ...alarm,
        detail: { ...alarm.detail, configuration: { metrics: [{ ...metric, [k]: v }] } },
      })),
    );

    // Act / Assess
    await fc.assert(
      fc.asyncProperty(mutated, async (raw) => {
        const result = await notify(raw, options);
        expect(['ignored', 'notified']).toContain(result.status);
      }),
      { numRuns: 300 },
    );
  });

  it("answers any change to a finding's resource or action with a result, ignored or notified, and never throws", async () => {
    // Prepare
    const finding = loadEvent('guardduty/exfiltration-s3-anomalousbehavior.json');
    const { resource, service } = finding.detail;
    const resourceKeys = [...Object.keys(resource), 'instanceDetails', 'eksClusterDetails', 'lambdaDetails'];
    const actionKeys = [...Object.keys(service.action), 'networkConnectionAction', 'portProbeAction'];
    const mutated = fc.oneof(
      fc
        .tuple(fc.constantFrom(...resourceKeys), fc.anything())
        .map(([k, v]) => ({ ...finding, detail: { ...finding.detail, resource: { ...resource, [k]: v } } })),
      fc.tuple(fc.constantFrom(...actionKeys), fc.anything()).map(([k, v]) => ({
        ...finding,
        detail: { ...finding.detail, service: { ...service, action: { ...service.action, [k]: v } } },
      })),
    );

    // Act / Assess
    await fc.assert(
      fc.asyncProperty(mutated, async (raw) => {
        const result = await notify(raw, options);
        expect(['ignored', 'notified']).toContain(result.status);
      }),
      { numRuns: 300 },
    );
  });
});
