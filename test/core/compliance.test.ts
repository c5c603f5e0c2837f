import { describe, expect, it } from 'vitest';
import { FRAMEWORK_ORDER, FRAMEWORKS, type Framework } from '../../functions/core/compliance/controls.js';
import {
  ALARM_NAMESPACE_KINDS,
  type AlarmKind,
  type ControlMapping,
  citationsOf,
  configKindOf,
  controlsLine,
  EVENT_MAPPINGS,
  mappingForEvent,
  mappingForStep,
  STEP_MAPPINGS,
} from '../../functions/core/compliance/mapping.js';
import { MANAGED_RULES, type ManagedRuleId, managedRuleNamed } from '../../functions/core/events/config-rules.js';
import { parseEvent } from '../../functions/core/events/details.js';
import {
  COMPROMISED_CREDENTIAL_FINDINGS,
  COMPROMISED_ROLE_FINDINGS,
  PUBLIC_BUCKET_FINDINGS,
  ROOT_CREDENTIAL_USAGE,
  S3_EXFILTRATION_FINDINGS,
} from '../../functions/core/events/finding-types.js';
import { MODEL_MONITOR_NAMESPACES, SAGEMAKER_ENDPOINT_NAMESPACE } from '../../functions/core/notify/describe-alarm.js';
import { NOTIFY_CONFIG_RULES } from '../../functions/notify/select.js';
import { runners as quarantineRunners } from '../../functions/quarantine-public-bucket/runners.js';
import { PUBLIC_BUCKET_RULES } from '../../functions/quarantine-public-bucket/targets.js';
import { runners as rotateRunners } from '../../functions/rotate-credentials/runners.js';
import { ACCESS_KEY_RULES } from '../../functions/rotate-credentials/targets.js';
import { runners as stopRunners } from '../../functions/stop-compromised-training-job/runners.js';
import { TRAINING_JOBS_NAMESPACE } from '../../functions/stop-compromised-training-job/targets.js';
import { allEventPaths, loadEvent } from '../support/events.js';

const FINDING_TYPE_SETS = { PUBLIC_BUCKET_FINDINGS, COMPROMISED_ROLE_FINDINGS, COMPROMISED_CREDENTIAL_FINDINGS, S3_EXFILTRATION_FINDINGS };
const handledFindingTypes = [...Object.values(FINDING_TYPE_SETS).flatMap((set) => [...set.exact, ...set.wildcard]), ROOT_CREDENTIAL_USAGE];
const selectedRuleIds: readonly ManagedRuleId[] = [...PUBLIC_BUCKET_RULES, ...NOTIFY_CONFIG_RULES, ...ACCESS_KEY_RULES];
const selectedConfigRules = selectedRuleIds.map((id) => MANAGED_RULES[id].name);
const isSelectedConfigRule = (name: string) => {
  const id = managedRuleNamed(name);
  return id !== undefined && selectedRuleIds.includes(id);
};
const stepKinds = [...Object.keys(quarantineRunners), ...Object.keys(rotateRunners), ...Object.keys(stopRunners)];

/** Every alarm kind, as a record so that the compiler reports a kind added to AlarmKind and missing here. */
const ALARM_KINDS: Record<AlarmKind, true> = { 'training-job': true, 'sagemaker-endpoint': true, 'model-monitor': true, named: true };

/** Section 4 of issue 9 (not routed yet): someone blinds the auditors, or an ML asset disappears. */
const SECTION_4_EVENTS = [
  'cloudtrail:cloudtrail.amazonaws.com:StopLogging',
  'cloudtrail:cloudtrail.amazonaws.com:DeleteTrail',
  'cloudtrail:cloudtrail.amazonaws.com:UpdateTrail',
  'cloudtrail:cloudtrail.amazonaws.com:PutEventSelectors',
  'cloudtrail:config.amazonaws.com:StopConfigurationRecorder',
  'cloudtrail:config.amazonaws.com:DeleteConfigurationRecorder',
  'cloudtrail:config.amazonaws.com:DeleteDeliveryChannel',
  'cloudtrail:guardduty.amazonaws.com:DeleteDetector',
  'cloudtrail:guardduty.amazonaws.com:UpdateDetector',
  'cloudtrail:guardduty.amazonaws.com:DisassociateFromAdministratorAccount',
  'guardduty:Stealth:IAMUser/CloudTrailLoggingDisabled',
  'guardduty:Stealth:IAMUser/LoggingConfigurationModified',
  'guardduty:Stealth:S3/ServerAccessLoggingDisabled',
  'guardduty:Stealth:IAMUser/PasswordPolicyChange',
  'cloudtrail:sagemaker.amazonaws.com:StopTrainingJob',
  'cloudtrail:sagemaker.amazonaws.com:DeleteModel',
  'cloudtrail:sagemaker.amazonaws.com:DeleteEndpoint',
  'cloudtrail:sagemaker.amazonaws.com:DeleteEndpointConfig',
  'cloudtrail:sagemaker.amazonaws.com:DeleteModelPackage',
  'cloudtrail:sagemaker.amazonaws.com:DeleteModelPackageGroup',
  'cloudtrail:sagemaker.amazonaws.com:DeleteMonitoringSchedule',
  'cloudtrail:sagemaker.amazonaws.com:DeleteNotebookInstance',
];

/** The form of each framework's official identifiers. */
const ID_FORMAT: Record<Framework, RegExp> = {
  hipaa: /^164\.3(08|10|12|14|16)\([a-z]\)(\(\d{1,2}\))?(\((i|ii|iii|iv|v|vi|vii|viii)\))?(\([A-H]\))?$/,
  pciDss: /^\d{1,2}(\.\d{1,2}){0,3}$/,
  iso27001: /^A\.[5-8]\.\d{1,2}$/,
  nist80053: /^[A-Z]{2}-\d{1,2}( \(\d+\))?$/,
};

const allMappings: [string, ControlMapping][] = [
  ...Object.entries(EVENT_MAPPINGS).map(([k, m]): [string, ControlMapping] => [`event ${k}`, m]),
  ...Object.entries(STEP_MAPPINGS).map(([k, m]): [string, ControlMapping] => [`step ${k}`, m]),
];

describe('every handled kind has a mapping', () => {
  it.each(handledFindingTypes)('maps the GuardDuty finding type %s', (type) => {
    // Act
    const m = mappingForEvent(`guardduty:${type}`);

    // Assess
    expect(m).toBeDefined();
  });

  it.each(S3_EXFILTRATION_FINDINGS.wildcard)(
    'maps the S3 exfiltration findings %s by their own entry, not their threat purpose family',
    (type) => {
      // Act
      const m = mappingForEvent(`guardduty:${type.replace('*', 'AnomalousBehavior')}`);

      // Assess
      expect(m).toBe(EVENT_MAPPINGS[`guardduty:${type}`]);
    },
  );

  it.each(allEventPaths().filter((p) => p.startsWith('guardduty/')))(
    'maps the finding of events/%s, which notify or a remediation takes',
    (path) => {
      // Prepare
      const event = parseEvent(loadEvent(path));
      if (event.kind !== 'guardduty') throw new Error(`${path} is not a GuardDuty finding`);

      // Act
      const m = mappingForEvent(`guardduty:${event.finding.type}`);

      // Assess
      expect(m).toBeDefined();
    },
  );

  it.each(selectedConfigRules.flatMap((rule) => [rule, `${rule}-conformance-pack-a1b2c3`, `securityhub-${rule}-a1b2c3`]))(
    'maps the Config rule %s, which a function selects',
    (name) => {
      // Act
      const kind = configKindOf(name);

      // Assess
      expect(isSelectedConfigRule(name)).toBe(true);
      expect(kind).toMatch(/^config:[A-Z0-9_]+$/);
      expect(mappingForEvent(kind!)).toBeDefined();
      expect(mappingForEvent(`config:${name}`)).toBe(mappingForEvent(kind!));
    },
  );

  it.each(allEventPaths().filter((p) => p.startsWith('config/')))('maps the rule of events/%s when a function selects it', (path) => {
    // Prepare
    const event = parseEvent(loadEvent(path));
    if (event.kind !== 'config') throw new Error(`${path} is not a Config compliance change`);
    const name = event.compliance.configRuleName;

    // Act
    const kind = configKindOf(name);

    // Assess
    expect(kind !== undefined).toBe(isSelectedConfigRule(name));
  });

  it('knows only managed rules that a function selects', () => {
    // Act
    const stale = Object.keys(MANAGED_RULES).filter((id) => !selectedRuleIds.includes(id as ManagedRuleId));

    // Assess
    expect(stale).toEqual([]);
  });

  it('maps a rule by the identifier its source names, whatever its name', () => {
    // Act
    const kind = configKindOf({
      name: 's3-public-read-prohibited',
      owner: 'AWS',
      identifier: 'S3_BUCKET_PUBLIC_READ_PROHIBITED',
      from: 'source',
    });
    const custom = configKindOf({ name: 's3-bucket-public-read-prohibited', owner: 'CUSTOM_LAMBDA', from: 'source' });

    // Assess
    expect(kind).toBe('config:S3_BUCKET_PUBLIC_READ_PROHIBITED');
    expect(custom).toBeUndefined();
  });

  it('gives each namespace the functions read its alarm kind', () => {
    // Prepare
    const expected = {
      [TRAINING_JOBS_NAMESPACE]: 'training-job',
      [SAGEMAKER_ENDPOINT_NAMESPACE]: 'sagemaker-endpoint',
      ...Object.fromEntries(MODEL_MONITOR_NAMESPACES.map((n) => [n, 'model-monitor'])),
    };

    // Assess
    expect(ALARM_NAMESPACE_KINDS).toEqual(expected);
  });

  it.each(Object.keys(ALARM_KINDS))('maps the alarm kind %s', (kind) => {
    expect(mappingForEvent(`alarm:${kind}`)).toBeDefined();
  });

  it.each(SECTION_4_EVENTS)('maps %s, ready for section 4', (kind) => {
    expect(EVENT_MAPPINGS).toHaveProperty([kind]);
  });

  it.each(stepKinds)('maps the step kind %s', (kind) => {
    expect(mappingForStep(kind)).toBeDefined();
  });

  it('maps no step kind that no function has', () => {
    expect(Object.keys(STEP_MAPPINGS).filter((k) => !stepKinds.includes(k))).toEqual([]);
  });
});

describe('citations', () => {
  it.each(FRAMEWORK_ORDER)('writes every %s identifier of the catalogue in its official form, with a title', (framework) => {
    // Act
    const entries = Object.entries(FRAMEWORKS[framework].controls);

    // Assess
    for (const [id, title] of entries) {
      expect(id).toMatch(ID_FORMAT[framework]);
      expect(title.trim()).not.toBe('');
    }
  });

  it.each(allMappings)('cites, for %s, only controls of the catalogue, each once', (_, m) => {
    for (const f of FRAMEWORK_ORDER) {
      expect(m[f].filter((id) => !Object.hasOwn(FRAMEWORKS[f].controls, id))).toEqual([]);
      expect(new Set(m[f]).size).toBe(m[f].length);
    }
  });

  it.each(allMappings)('gives %s a property at stake, a control and a one-line reason', (_, m) => {
    expect(m.cia.length).toBeGreaterThan(0);
    expect(new Set(m.cia).size).toBe(m.cia.length);
    expect(FRAMEWORK_ORDER.some((f) => m[f].length > 0)).toBe(true);
    expect(m.reason).toMatch(/^[A-Z][^\n]{10,160}$/);
  });

  it('uses every control of the catalogue, so each one listed was checked for a reason', () => {
    // Prepare
    const used = new Set(allMappings.flatMap(([, m]) => FRAMEWORK_ORDER.flatMap((f) => m[f].map((id) => `${f} ${id}`))));

    // Act
    const unused = FRAMEWORK_ORDER.flatMap((f) => Object.keys(FRAMEWORKS[f].controls).map((id) => `${f} ${id}`)).filter(
      (c) => !used.has(c),
    );

    // Assess
    expect(unused).toEqual([]);
  });

  it('lists, for an audit record, each control with its framework and official title', () => {
    // Act
    const citations = citationsOf(mappingForEvent('config:ACCESS_KEYS_ROTATED')!);

    // Assess
    expect(citations).toEqual([
      { framework: 'HIPAA Security Rule, 45 CFR 164.308 and 164.312', id: '164.312(d)', title: 'Person or entity authentication' },
      {
        framework: 'PCI DSS v4.0',
        id: '8.6.3',
        title: 'Passwords/passphrases for application and system accounts are protected against misuse',
      },
      { framework: 'ISO/IEC 27001:2022 Annex A', id: 'A.5.17', title: 'Authentication information' },
      { framework: 'NIST SP 800-53 Rev. 5', id: 'IA-5', title: 'Authenticator Management' },
    ]);
  });
});

describe('resolving a kind', () => {
  it('prefers an exact finding type to its threat purpose family', () => {
    // Act
    const m = mappingForEvent('guardduty:Stealth:IAMUser/CloudTrailLoggingDisabled');

    // Assess
    expect(m).not.toBe(mappingForEvent('guardduty:Stealth:IAMUser/SomethingElse'));
    expect(m?.pciDss).toContain('10.2.1.6');
  });

  it('maps a credential finding type by the wildcard its function selects it with', () => {
    expect(mappingForEvent('guardduty:UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B')).toBe(
      mappingForEvent('guardduty:UnauthorizedAccess:IAMUser/*'),
    );
  });

  it.each([
    'guardduty:NotAPurpose:EC2/Something',
    'guardduty:',
    'config:my-own-custom-rule',
    'config:access-keys-rotated-custom',
    'config:securityhub-access-keys-rotated-',
    'alarm:ec2-cpu',
    'cloudtrail:s3.amazonaws.com:GetObject',
    'constructor',
    '',
  ])('gives no mapping for the unknown event kind %j', (kind) => {
    expect(mappingForEvent(kind)).toBeUndefined();
  });

  it.each(['deleteBucket', 'toString', '__proto__', ''])('gives no mapping for the unknown step kind %j', (kind) => {
    expect(mappingForStep(kind)).toBeUndefined();
  });

  it.each([
    ['access-keys-rotated', 'ACCESS_KEYS_ROTATED'],
    ['access-keys-rotated-conformance-pack-x7k2', 'ACCESS_KEYS_ROTATED'],
    ['securityhub-access-keys-rotated-9f8e7d', 'ACCESS_KEYS_ROTATED'],
    ['s3-bucket-public-read-prohibited-conformance-pack-abc', 'S3_BUCKET_PUBLIC_READ_PROHIBITED'],
  ])('resolves the Config rule name %s to the managed rule identifier %s', (name, identifier) => {
    expect(configKindOf(name)).toBe(`config:${identifier}`);
  });
});

describe('controlsLine', () => {
  const bucket = [
    mappingForEvent('guardduty:Policy:S3/BucketPublicAccessGranted'),
    mappingForStep('blockPublicAccess'),
    mappingForStep('savePriorState'),
  ];

  it('writes each control once, framework by framework, in catalogue order', () => {
    // Act
    const line = controlsLine(bucket);

    // Assess
    expect(line).toBe(
      'Controls: HIPAA 164.308(a)(6)(ii), 164.312(a)(1); PCI DSS 1.4.4, 12.10.1; ISO 27001 A.5.15, A.5.28, A.8.3; NIST AC-3, IR-4, SC-7',
    );
  });

  it('gives the same line whatever the order and repeats of its mappings', () => {
    expect(controlsLine([...bucket].reverse().concat(bucket))).toBe(controlsLine(bucket));
  });

  it('stays within 200 characters for every mapping at once, saying how many controls it left out', () => {
    // Act
    const line = controlsLine(allMappings.map(([, m]) => m))!;

    // Assess
    expect(line.length).toBeLessThanOrEqual(200);
    expect(line).toMatch(/^Controls: HIPAA .* \+\d+; PCI DSS .*; ISO 27001 .*; NIST .*$/);
  });

  it.each(allMappings)('fits the line of %s within 200 characters without leaving anything out', (_, m) => {
    const line = controlsLine([m])!;
    expect(line.length).toBeLessThanOrEqual(200);
    expect(line).not.toMatch(/\+\d/);
  });

  it('honours a shorter bound', () => {
    expect(controlsLine(bucket, 80)!.length).toBeLessThanOrEqual(80);
  });

  it('gives no line when there is no mapping', () => {
    expect(controlsLine([])).toBeUndefined();
    expect(controlsLine([undefined, mappingForEvent('alarm:unknown')])).toBeUndefined();
  });
});
