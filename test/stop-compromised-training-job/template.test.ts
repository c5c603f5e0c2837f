import { describe, expect, it } from 'vitest';
import { COMPROMISED_ROLE_FINDINGS } from '../../functions/core/events/finding-types.js';
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

  it('routes alarms by the AlarmNamePrefix parameter, and findings by exactly the types the function handles at or above SeverityThreshold', () => {
    // Prepare
    const events = fn?.Properties.Events;

    // Act
    const alarmName = events.TrainingJobAlarm.Properties.Pattern.detail.alarmName;
    const findings = eventBridgeRules(template, 'StopCompromisedTrainingJobFunction').find((r) => r.name === 'CompromisedRoleFinding')
      ?.pattern as any;

    // Assess
    expect(alarmName).toEqual([{ prefix: { Ref: 'AlarmNamePrefix' } }]);
    expect([...findings.detail.type].sort()).toEqual([...COMPROMISED_ROLE_FINDINGS.exact].sort());
    expect(COMPROMISED_ROLE_FINDINGS.wildcard).toEqual([]);
    expect(findings.detail.severity).toEqual([{ numeric: ['>=', template.Parameters?.SeverityThreshold.Default] }]);
  });

  it('writes the severity threshold into the rule as a number: a !Ref to a Number parameter would give a string, which numeric matching refuses', () => {
    // Act
    const pattern = fn?.Properties.Events.CompromisedRoleFinding.Properties.Pattern;

    // Assess
    expect(Object.keys(pattern)).toEqual(['Fn::Sub']);
    expect(pattern['Fn::Sub']).toContain('"severity": [{"numeric": [">=", ${SeverityThreshold}]}]');
  });
});
