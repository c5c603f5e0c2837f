import { describe, expect, it } from 'vitest';
import { loadConfig } from '../functions/core/config.js';
import { parseEvent } from '../functions/core/events/details.js';
import { S3_EXFILTRATION_FINDINGS } from '../functions/core/events/finding-types.js';
import { isContainedS3Finding } from '../functions/core/events/s3-exfiltration.js';
import { selectNotification } from '../functions/notify/select.js';
import { loadNotifySettings } from '../functions/notify/settings.js';
import { matchesPattern } from './support/event-pattern.js';
import { loadEvent } from './support/events.js';
import { FUNCTIONS } from './support/functions.js';
import { eventBridgeRules, loadTemplate, type Template } from './support/template.js';

/**
 * Which function each S3 finding reaches, for each setting: a function reaches it when one of its rules in
 * template.yaml routes it (with the parameters of the case) and the function, given the same settings, does not
 * decline it. The only function a rule may route an event to that then declines it is notify, for the S3 findings a
 * remediation contains (its rule cannot say "below S3ExfiltrationSeverityThreshold").
 */
const template = loadTemplate();

/** The template's parameters and the functions' environment, for one setting. */
interface Setting {
  SeverityThreshold?: number;
  S3ExfiltrationSeverityThreshold?: number;
  ContainS3Exfiltration?: 'true' | 'false';
}

function withParameters(setting: Setting): Template {
  const changed: Template = structuredClone(template);
  for (const [name, value] of Object.entries(setting)) (changed.Parameters as any)[name].Default = value;
  return changed;
}

function environment(setting: Setting): Record<string, string> {
  return {
    ...(setting.SeverityThreshold !== undefined ? { SEVERITY_THRESHOLD: String(setting.SeverityThreshold) } : {}),
    ...(setting.S3ExfiltrationSeverityThreshold !== undefined
      ? { S3_EXFILTRATION_SEVERITY_THRESHOLD: String(setting.S3ExfiltrationSeverityThreshold) }
      : {}),
    ...(setting.ContainS3Exfiltration !== undefined ? { CONTAIN_S3_EXFILTRATION: setting.ContainS3Exfiltration } : {}),
  };
}

function handles(name: string, raw: unknown, env: Record<string, string>): boolean {
  const event = parseEvent(raw);
  const config = loadConfig(env);
  if (name === 'notify') return selectNotification(event, config, loadNotifySettings(env)).action === 'notify';
  const f = FUNCTIONS.find((fn) => fn.name === name);
  return f?.remediation?.selectTargets(event, config).action !== 'ignore';
}

/** The functions that reach the event, and those routed to that decline it. */
function route(raw: unknown, setting: Setting = {}): { reaches: string[]; declines: string[] } {
  const changed = withParameters(setting);
  const env = environment(setting);
  const routed = FUNCTIONS.filter((f) => eventBridgeRules(changed, f.functionLogicalId).some((r) => matchesPattern(r.pattern, raw)));
  return {
    reaches: routed.filter((f) => handles(f.name, raw, env)).map((f) => f.name),
    declines: routed.filter((f) => !handles(f.name, raw, env)).map((f) => f.name),
  };
}

const USER = 'guardduty/exfiltration-s3-anomalousbehavior-iamuser.json';
const ROLE = 'guardduty/exfiltration-s3-maliciousipcaller-assumedrole.json';
const as = (path: string, change: (d: any) => void = () => {}) => {
  const event = loadEvent(path);
  change(event.detail);
  return event;
};
const ROTATE = 'rotate-credentials';
const STOP = 'stop-compromised-training-job';
const NOTIFY = 'notify';

/** GuardDuty's S3 Protection finding types (user guide, "GuardDuty S3 Protection finding types"). */
const CONTAINED_TYPES = [
  'Exfiltration:S3/AnomalousBehavior',
  'Exfiltration:S3/MaliciousIPCaller',
  'Impact:S3/AnomalousBehavior.Delete',
  'Impact:S3/AnomalousBehavior.Permission',
  'Impact:S3/AnomalousBehavior.Write',
  'Impact:S3/MaliciousIPCaller',
  'UnauthorizedAccess:S3/MaliciousIPCaller.Custom',
  'UnauthorizedAccess:S3/TorIPCaller',
  'Discovery:S3/AnomalousBehavior',
  'Discovery:S3/MaliciousIPCaller',
  'Discovery:S3/MaliciousIPCaller.Custom',
  'Discovery:S3/TorIPCaller',
];

describe('the S3 exfiltration settings in template.yaml', () => {
  it('gives every function the parameters, with the defaults the code has', () => {
    // Prepare
    const defaults = loadConfig({});

    // Act
    const variables = template.Globals.Function.Environment.Variables;

    // Assess
    expect(template.Parameters?.S3ExfiltrationSeverityThreshold).toMatchObject({
      Type: 'Number',
      Default: defaults.s3ExfiltrationSeverityThreshold,
      MinValue: 0,
      MaxValue: 10,
    });
    expect(template.Parameters?.ContainS3Exfiltration).toMatchObject({
      Type: 'String',
      Default: String(defaults.containS3Exfiltration),
      AllowedValues: ['true', 'false'],
    });
    expect(variables.S3_EXFILTRATION_SEVERITY_THRESHOLD).toEqual({ Ref: 'S3ExfiltrationSeverityThreshold' });
    expect(variables.CONTAIN_S3_EXFILTRATION).toEqual({ Ref: 'ContainS3Exfiltration' });
  });

  it("routes S3 exfiltration to rotate-credentials by exactly the code's finding types, with the threshold as a number", () => {
    // Act
    const rule = eventBridgeRules(template, 'RotateCredentialsFunction').find((r) => r.name === 'CompromisedCredentialFinding')
      ?.pattern as any;
    const s3 = rule.detail.$or[2];

    // Assess
    expect(s3).toEqual({
      type: S3_EXFILTRATION_FINDINGS.wildcard.map((wildcard) => ({ wildcard })),
      severity: [{ numeric: ['>=', 7] }],
    });
  });

  it('asks for a severity no finding has (11: GuardDuty severities go up to 10) when containment is off', () => {
    // Act
    const off = withParameters({ ContainS3Exfiltration: 'false' });
    const rotate = eventBridgeRules(off, 'RotateCredentialsFunction').find((r) => r.name === 'CompromisedCredentialFinding')
      ?.pattern as any;
    const stop = eventBridgeRules(off, 'StopCompromisedTrainingJobFunction').find((r) => r.name === 'CompromisedRoleFinding')
      ?.pattern as any;

    // Assess
    expect(rotate.detail.$or[2].severity).toEqual([{ numeric: ['>=', 11] }]);
    expect(stop.detail.$or[1].severity).toEqual([{ numeric: ['>=', 11] }]);
  });
});

describe('where each S3 finding type goes, with the default settings', () => {
  it.each(CONTAINED_TYPES)('%s by an IAM user at severity 8 reaches rotate-credentials alone', (type) => {
    expect(route(as(USER, (d) => (d.type = type)))).toEqual({ reaches: [ROTATE], declines: [NOTIFY] });
  });

  it.each(CONTAINED_TYPES)('%s by a role at severity 8 reaches rotate-credentials and stop-compromised-training-job', (type) => {
    expect(route(as(ROLE, (d) => (d.type = type)))).toEqual({ reaches: [STOP, ROTATE], declines: [NOTIFY] });
  });

  it.each(['PenTest:S3/KaliLinux', 'PenTest:S3/ParrotLinux', 'PenTest:S3/PentooLinux', 'Stealth:S3/ServerAccessLoggingDisabled'])(
    '%s at severity 8 reaches notify alone, by a user or a role',
    (type) => {
      expect(route(as(USER, (d) => (d.type = type)))).toEqual({ reaches: [NOTIFY], declines: [] });
      expect(route(as(ROLE, (d) => (d.type = type)))).toEqual({ reaches: [NOTIFY], declines: [] });
    },
  );

  it('PenTest:S3/ParrotLinux as GuardDuty gives it (resource type S3Bucket) reaches notify alone', () => {
    expect(route(loadEvent('guardduty/pentest-s3-parrotlinux.json'))).toEqual({ reaches: [NOTIFY], declines: [] });
  });

  it.each([
    ['Policy:S3/BucketPublicAccessGranted', ['quarantine-public-bucket']],
    ['Policy:S3/AccountBlockPublicAccessDisabled', [NOTIFY]],
  ])('%s (about the bucket, not its data) reaches %j', (type, reaches) => {
    expect(route(as(USER, (d) => (d.type = type))).reaches).toEqual(reaches);
  });

  it.each([
    ['an AWS service', 'guardduty/exfiltration-s3-anomalousbehavior-awsservice.json'],
    ['a service-linked role', 'guardduty/impact-s3-anomalousbehavior-permission-servicelinkedrole.json'],
  ])('a finding whose caller is %s reaches rotate-credentials alone, which only notifies', (_, path) => {
    expect(route(loadEvent(path))).toEqual({ reaches: [ROTATE], declines: [NOTIFY] });
  });

  it.each([
    ['below S3ExfiltrationSeverityThreshold (6.9) reaches notify alone', 6.9, [NOTIFY]],
    ['below SeverityThreshold (3.9) reaches nothing', 3.9, []],
  ])('an S3 exfiltration finding by a role %s', (_, severity, reaches) => {
    expect(route(as(ROLE, (d) => (d.severity = severity)))).toEqual({ reaches, declines: [] });
  });

  it('the recorded-shape finding below the threshold reaches notify alone', () => {
    expect(route(loadEvent('guardduty/unauthorizedaccess-s3-toripcaller-below-threshold.json'))).toEqual({
      reaches: [NOTIFY],
      declines: [],
    });
  });
});

describe('where S3 exfiltration findings go when the settings change', () => {
  it('reach notify alone, whatever their severity or caller, when ContainS3Exfiltration is false', () => {
    const off: Setting = { ContainS3Exfiltration: 'false' };

    expect(
      route(
        as(USER, (d) => (d.severity = 10)),
        off,
      ),
    ).toEqual({ reaches: [NOTIFY], declines: [] });
    expect(
      route(
        as(ROLE, (d) => (d.severity = 10)),
        off,
      ),
    ).toEqual({ reaches: [NOTIFY], declines: [] });
    expect(route(loadEvent('guardduty/exfiltration-s3-anomalousbehavior-awsservice.json'), off)).toEqual({
      reaches: [NOTIFY],
      declines: [],
    });
  });

  it('follow a raised S3ExfiltrationSeverityThreshold, in the rules and the functions alike', () => {
    const raised: Setting = { S3ExfiltrationSeverityThreshold: 8.5 };

    expect(
      route(
        as(ROLE, (d) => (d.severity = 8.4)),
        raised,
      ),
    ).toEqual({ reaches: [NOTIFY], declines: [] });
    expect(
      route(
        as(ROLE, (d) => (d.severity = 8.5)),
        raised,
      ),
    ).toEqual({ reaches: [STOP, ROTATE], declines: [NOTIFY] });
  });

  it('are contained at or above S3ExfiltrationSeverityThreshold even when it is below SeverityThreshold, and then reach notify not at all', () => {
    const lowered: Setting = { SeverityThreshold: 8, S3ExfiltrationSeverityThreshold: 5 };

    expect(
      route(
        as(USER, (d) => (d.severity = 6)),
        lowered,
      ),
    ).toEqual({ reaches: [ROTATE], declines: [] });
    expect(
      route(
        as(USER, (d) => (d.severity = 4.9)),
        lowered,
      ),
    ).toEqual({ reaches: [], declines: [] });
  });

  it('leave no S3 exfiltration finding routed to notify and declined unless a remediation contains it', () => {
    for (const setting of [{}, { ContainS3Exfiltration: 'false' as const }, { S3ExfiltrationSeverityThreshold: 9 }]) {
      for (const severity of [3, 5, 7, 9, 10]) {
        const event = as(USER, (d) => (d.severity = severity));
        const finding = parseEvent(event);
        const contained = finding.kind === 'guardduty' && isContainedS3Finding(finding.finding, loadConfig(environment(setting)));
        expect(route(event, setting).declines.includes(NOTIFY)).toBe(contained && severity >= 4);
      }
    }
  });
});
