import { describe, expect, it } from 'vitest';
import { COMPROMISED_ROLE_FINDINGS, S3_EXFILTRATION_FINDINGS } from '../../functions/core/events/finding-types.js';
import { loadSettings } from '../../functions/stop-compromised-training-job/settings.js';
import { eventBridgeRules, loadTemplate } from '../support/template.js';

const template = loadTemplate();
const fn = template.Resources.StopCompromisedTrainingJobFunction;

describe('stop-compromised-training-job in template.yaml', () => {
  it("passes the AlarmNamePrefix and MaxJobsPerEvent parameters to the function, with the function's own defaults", () => {
    // Act
    const defaults = loadSettings({});

    // Assess
    expect(fn?.Properties.Environment.Variables).toMatchObject({
      ALARM_NAME_PREFIX: { Ref: 'AlarmNamePrefix' },
      MAX_JOBS_PER_EVENT: { Ref: 'MaxJobsPerEvent' },
    });
    expect(template.Parameters?.AlarmNamePrefix).toMatchObject({ Type: 'String', Default: defaults.alarmNamePrefix });
    expect(template.Parameters?.MaxJobsPerEvent).toMatchObject({ Type: 'Number', Default: defaults.maxJobsPerEvent });
  });

  it('routes alarms by the AlarmNamePrefix parameter, and findings by exactly the types the function handles at or above their thresholds', () => {
    // Prepare
    const events = fn?.Properties.Events;

    // Act
    const alarmName = events.TrainingJobAlarm.Properties.Pattern.detail.alarmName;
    const findings = eventBridgeRules(template, 'StopCompromisedTrainingJobFunction').find((r) => r.name === 'CompromisedRoleFinding')
      ?.pattern as any;
    const [credentials, s3] = findings.detail.$or;

    // Assess
    expect(alarmName).toEqual([{ prefix: { Ref: 'AlarmNamePrefix' } }]);
    expect([...credentials.type].sort()).toEqual([...COMPROMISED_ROLE_FINDINGS.exact].sort());
    expect(COMPROMISED_ROLE_FINDINGS.wildcard).toEqual([]);
    expect(credentials.severity).toEqual([{ numeric: ['>=', template.Parameters?.SeverityThreshold.Default] }]);
    expect(s3.type).toEqual(S3_EXFILTRATION_FINDINGS.wildcard.map((wildcard) => ({ wildcard })));
    expect(S3_EXFILTRATION_FINDINGS.exact).toEqual([]);
    expect(s3.severity).toEqual([{ numeric: ['>=', template.Parameters?.S3ExfiltrationSeverityThreshold.Default] }]);
    expect(s3.resource.accessKeyDetails).toEqual({
      userType: ['AssumedRole'],
      userName: [{ 'anything-but': { prefix: 'AWSServiceRoleFor' } }],
    });
  });

  it('writes the severity thresholds into the rule as numbers: a !Ref to a Number parameter would give a string, which numeric matching refuses', () => {
    // Act
    const pattern = fn?.Properties.Events.CompromisedRoleFinding.Properties.Pattern;

    // Assess
    expect(Object.keys(pattern)).toEqual(['Fn::Sub']);
    expect(pattern['Fn::Sub'][0]).toContain('"severity": [{"numeric": [">=", ${SeverityThreshold}]}]');
    expect(pattern['Fn::Sub'][0]).toContain('"severity": [{"numeric": [">=", ${S3ContainmentSeverity}]}]');
    expect(pattern['Fn::Sub'][1]).toEqual({
      S3ContainmentSeverity: { 'Fn::If': ['S3ExfiltrationContained', { Ref: 'S3ExfiltrationSeverityThreshold' }, '11'] },
    });
  });
});
