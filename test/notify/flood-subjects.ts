import type { FloodSubject } from '../../functions/notify/select.js';

/** The flood-control tests' clock and subjects: an alarm, and a finding at a given severity. */
export const NOW = new Date('2026-11-26T03:00:00.000Z');
export const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);
export const alarm: FloodSubject = { key: 'cloudwatch#123456789012#us-east-1#fraud-detector-model-latency', state: 'ALARM' };
export const finding = (severity: number): FloodSubject => ({
  key: 'guardduty#123456789012#eu-west-2#f1e2',
  level: severity,
  state: `severity ${severity}`,
});
