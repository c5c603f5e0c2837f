import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** `npm run invoke -- notify <event>` as a user runs it, with no AWS credentials, topic or state table. */
function invoke(event: string) {
  const env = { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'home-')), POWERTOOLS_METRICS_DISABLED: 'true' };
  const r = spawnSync(TSX, ['scripts/invoke.ts', 'notify', event], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, result: r.status === 0 ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

describe('npm run invoke -- notify', () => {
  it('prints the notification it would send, line by line, and its chat payload', () => {
    // Act
    const { code, result } = invoke('events/cloudwatch/alarm-state-change-sagemaker-model-latency.json');

    // Assess
    expect(code).toBe(0);
    expect(result.notification).toMatchObject({
      subject: 'ml-guard HIGH: CloudWatch alarm fraud-detector-model-latency is ALARM (fraud-detector-prod)',
      published: false,
      note: 'TOPIC_ARN is not set: not sent',
      chat: { version: '1.0', source: 'custom' },
    });
    expect(result.notification.text).toContain('What happened: CloudWatch alarm fraud-detector-model-latency is ALARM');
    expect(result.notification.text).toContain(
      '  recent datapoints: 650000, 790111, 812345 microseconds (oldest first, from 2019-10-02T17:01:00.000Z to 2019-10-02T17:04:40.985Z)',
    );
  });

  it('says, for a Config event, that CloudTrail could not be read without credentials', () => {
    // Act
    const { code, result } = invoke('events/config/sagemaker-notebook-no-direct-internet-access-noncompliant.json');

    // Assess
    expect(code).toBe(0);
    expect(result.status).toBe('notified');
    expect(result.notification.text).toContainEqual(
      expect.stringMatching(
        /^ {2}last change: unknown: the CloudTrail lookup of fraud-research-notebook failed \(CredentialsProviderError: /,
      ),
    );
  });
});
