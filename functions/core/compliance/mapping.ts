import { managedRuleNamed, type RuleIdentity } from '../events/config-rules.js';
import {
  FRAMEWORK_ORDER,
  FRAMEWORKS,
  type Framework,
  type HipaaCitation,
  type Iso27001Control,
  type Nist80053Control,
  type PciDssRequirement,
} from './controls.js';

/**
 * Pure data: for every kind of event the functions handle and every kind of step they take, the property of
 * information at stake and the controls the detection or the response serves. Notifications carry one short line
 * (`controlsLine`); audit records carry the whole mapping (`citationsOf`). A kind with no entry gives undefined,
 * never a guess. docs/compliance.md lists the published texts every identifier was checked against.
 *
 * Event kinds:
 * - `guardduty:<finding type>`, or a wildcard (`*` matches any run of characters), the broadest last: the threat
 *   purpose families (`guardduty:Backdoor:*`) cover the findings the notify function passes on to a person;
 * - `config:<managed rule identifier>` (`configKindOf` turns a rule name, as Security Hub and conformance packs
 *   rename it, into its kind);
 * - `alarm:<AlarmKind>`;
 * - `cloudtrail:<eventSource>:<eventName>`.
 */

export type Cia = 'confidentiality' | 'integrity' | 'availability';

export interface ControlMapping {
  cia: readonly Cia[];
  hipaa: readonly HipaaCitation[];
  pciDss: readonly PciDssRequirement[];
  iso27001: readonly Iso27001Control[];
  nist80053: readonly Nist80053Control[];
  /** One line: why these controls. */
  reason: string;
}

type Controls = Omit<ControlMapping, 'cia' | 'reason'>;
const mapping = (cia: readonly Cia[], controls: Controls, reason: string): ControlMapping => ({ cia, ...controls, reason });

// Control sets shared by several kinds.
const PUBLIC_ACCESS: Controls = { hipaa: ['164.312(a)(1)'], pciDss: ['1.4.4'], iso27001: ['A.5.15', 'A.8.3'], nist80053: ['AC-3', 'SC-7'] };
const CREDENTIAL_MISUSE: Controls = {
  hipaa: ['164.308(a)(6)(ii)', '164.312(d)'],
  pciDss: ['12.10.5'],
  iso27001: ['A.5.17', 'A.5.25'],
  nist80053: ['IA-5', 'SI-4'],
};
const THREAT_DETECTED: Controls = {
  hipaa: ['164.308(a)(1)(ii)(D)', '164.308(a)(6)(ii)'],
  pciDss: ['11.5.1', '12.10.5'],
  iso27001: ['A.5.25', 'A.8.16'],
  nist80053: ['SI-4'],
};
const LOGGING_STOPPED: Controls = {
  hipaa: ['164.312(b)'],
  pciDss: ['10.2.1.6', '10.7.2'],
  iso27001: ['A.8.15'],
  nist80053: ['AU-5', 'AU-9'],
};
const DETECTION_STOPPED: Controls = {
  hipaa: ['164.308(a)(1)(ii)(D)'],
  pciDss: ['10.7.2', '11.5.1'],
  iso27001: ['A.8.16'],
  nist80053: ['SI-4'],
};
const ML_ASSET_REMOVED: Controls = {
  hipaa: ['164.308(a)(1)(ii)(D)'],
  pciDss: ['10.2.1.7'],
  iso27001: ['A.8.15', 'A.8.16'],
  nist80053: ['AU-6', 'SI-4'],
};
const SERVING_MONITORED: Controls = { hipaa: [], pciDss: [], iso27001: ['A.8.16'], nist80053: ['SI-4'] };
const CONTAINMENT: Controls = { hipaa: ['164.308(a)(6)(ii)'], pciDss: ['12.10.1'], iso27001: ['A.5.26'], nist80053: ['IR-4'] };

const S3_DATA_ACCESS: Controls = {
  hipaa: ['164.308(a)(6)(ii)', '164.312(a)(1)'],
  pciDss: ['12.10.5'],
  iso27001: ['A.5.25', 'A.8.3'],
  nist80053: ['AC-3', 'SI-4'],
};

const PUBLIC_BUCKET_FINDING = mapping(
  ['confidentiality', 'integrity'],
  PUBLIC_ACCESS,
  'A bucket is, or may become, open to anyone: its objects can be read, or with a public write grant changed, without authorization',
);
const COMPROMISED_CREDENTIALS = mapping(
  ['confidentiality', 'integrity'],
  CREDENTIAL_MISUSE,
  'Credentials are used from where or in a way their owner would not: someone else may hold them',
);

/** GuardDuty threat purposes (the first part of a finding type) and what each puts at stake. */
const THREAT_PURPOSES: Record<string, [readonly Cia[], string]> = {
  AttackSequence: [
    ['confidentiality', 'integrity', 'availability'],
    'GuardDuty correlated several signals into a likely attack in progress',
  ],
  Backdoor: [['integrity', 'availability'], 'A resource appears to be controlled by an attacker'],
  Behavior: [['integrity'], 'A resource behaves unlike its baseline'],
  CredentialAccess: [['confidentiality'], 'Someone is trying to obtain credentials'],
  CryptoCurrency: [['availability', 'integrity'], 'Resources appear to be mining cryptocurrency'],
  DefenseEvasion: [['integrity'], 'Someone is trying to avoid detection'],
  Discovery: [['confidentiality'], 'Someone is exploring the account and its resources'],
  Execution: [['integrity'], 'Unexpected code or commands ran'],
  Exfiltration: [['confidentiality'], 'Data may be leaving the account'],
  Impact: [['integrity', 'availability'], 'Someone is trying to tamper with, disrupt or destroy resources'],
  InitialAccess: [['confidentiality', 'integrity'], 'Someone may have gained a foothold'],
  PenTest: [['confidentiality', 'integrity'], 'Penetration-testing tools are in use'],
  Persistence: [['integrity'], 'Someone is trying to keep access'],
  Policy: [['confidentiality', 'integrity'], 'A resource was configured against security best practice'],
  PrivilegeEscalation: [['confidentiality', 'integrity'], 'Someone is trying to gain higher permissions'],
  Recon: [['confidentiality'], 'Someone is probing for weaknesses'],
  Stealth: [['integrity'], 'Someone is trying to hide their activity'],
  Trojan: [['integrity', 'confidentiality'], 'A resource appears to run a trojan'],
  UnauthorizedAccess: [['confidentiality', 'integrity'], 'Access appears to be unauthorized'],
};

const CLOUDTRAIL_BLINDING: Record<string, string> = {
  'cloudtrail:cloudtrail.amazonaws.com:StopLogging': 'A trail stopped recording API calls',
  'cloudtrail:cloudtrail.amazonaws.com:DeleteTrail': 'A trail was deleted: its API calls are no longer recorded',
  'cloudtrail:cloudtrail.amazonaws.com:UpdateTrail': 'A trail was changed: it may record less, or deliver elsewhere',
  'cloudtrail:cloudtrail.amazonaws.com:PutEventSelectors': 'The events a trail records were changed: it may record less',
  'cloudtrail:config.amazonaws.com:StopConfigurationRecorder': 'AWS Config stopped recording configuration changes',
  'cloudtrail:config.amazonaws.com:DeleteConfigurationRecorder':
    'The AWS Config recorder was deleted: configuration changes are no longer recorded',
  'cloudtrail:config.amazonaws.com:DeleteDeliveryChannel':
    'The AWS Config delivery channel was deleted: configuration history is no longer delivered',
};

const CLOUDTRAIL_DETECTION_OFF: Record<string, string> = {
  'cloudtrail:guardduty.amazonaws.com:DeleteDetector': 'The GuardDuty detector was deleted: threats are no longer detected',
  'cloudtrail:guardduty.amazonaws.com:UpdateDetector':
    'The GuardDuty detector was changed (an update with enable false suspends it): threats may no longer be detected',
  'cloudtrail:guardduty.amazonaws.com:DisassociateFromAdministratorAccount':
    'The account left its GuardDuty administrator: its findings no longer reach the security team',
};

const CLOUDTRAIL_ML_ASSET: Record<string, [readonly Cia[], string]> = {
  'cloudtrail:sagemaker.amazonaws.com:StopTrainingJob': [['availability'], 'A training job was stopped'],
  'cloudtrail:sagemaker.amazonaws.com:DeleteModel': [['availability'], 'A model was deleted'],
  'cloudtrail:sagemaker.amazonaws.com:DeleteEndpoint': [['availability'], 'A serving endpoint was deleted'],
  'cloudtrail:sagemaker.amazonaws.com:DeleteEndpointConfig': [['availability'], 'An endpoint configuration was deleted'],
  'cloudtrail:sagemaker.amazonaws.com:DeleteModelPackage': [
    ['availability', 'integrity'],
    'A registered model version was deleted from the model registry',
  ],
  'cloudtrail:sagemaker.amazonaws.com:DeleteModelPackageGroup': [
    ['availability', 'integrity'],
    'A model group was deleted from the model registry',
  ],
  'cloudtrail:sagemaker.amazonaws.com:DeleteMonitoringSchedule': [
    ['integrity', 'availability'],
    'A Model Monitor schedule was deleted: drift and quality are no longer watched',
  ],
  'cloudtrail:sagemaker.amazonaws.com:DeleteNotebookInstance': [['availability'], 'A notebook instance was deleted'],
};

/**
 * What each alarm kind is:
 * - `training-job`: an alarm named with stop-compromised-training-job's ALARM_NAME_PREFIX whose metrics name training jobs;
 * - `sagemaker-endpoint`: an alarm on a SageMaker endpoint's invocation metrics (notify);
 * - `model-monitor`: an alarm on a Model Monitor metric (notify);
 * - `named`: an alarm named with notify's NOTIFY_ALARM_NAME_PREFIX that watches neither (composite alarms, for example).
 */
export type AlarmKind = 'training-job' | 'sagemaker-endpoint' | 'model-monitor' | 'named';

/** The alarm kind of each CloudWatch namespace the functions read. */
export const ALARM_NAMESPACE_KINDS: Readonly<Record<string, AlarmKind>> = {
  '/aws/sagemaker/TrainingJobs': 'training-job',
  'AWS/SageMaker': 'sagemaker-endpoint',
  'aws/sagemaker/Endpoints/data-metrics': 'model-monitor',
  'aws/sagemaker/Endpoints/model-metrics': 'model-monitor',
  'aws/sagemaker/Endpoints/bias-metrics': 'model-monitor',
  'aws/sagemaker/Endpoints/explainability-metrics': 'model-monitor',
  '/aws/sagemaker/Endpoints/data-metric': 'model-monitor',
  '/aws/sagemaker/Endpoint/data-metrics': 'model-monitor',
};

const AUDIT_TRAIL_OFF = mapping(
  ['integrity'],
  { hipaa: ['164.312(b)'], pciDss: ['10.2.1', '10.7.2'], iso27001: ['A.8.15'], nist80053: ['AU-5', 'AU-12'] },
  "No trail records the account's API activity (in every region): actions go unrecorded",
);

/** Every event kind; wildcard keys are tried in this order, after an exact match. */
export const EVENT_MAPPINGS: Readonly<Record<string, ControlMapping>> = {
  // quarantine-public-bucket
  'guardduty:Policy:S3/BucketBlockPublicAccessDisabled': PUBLIC_BUCKET_FINDING,
  'guardduty:Policy:S3/BucketAnonymousAccessGranted': PUBLIC_BUCKET_FINDING,
  'guardduty:Policy:S3/BucketPublicAccessGranted': PUBLIC_BUCKET_FINDING,
  'config:S3_BUCKET_PUBLIC_READ_PROHIBITED': mapping(
    ['confidentiality'],
    PUBLIC_ACCESS,
    'A bucket allows public read access: anyone can read its objects',
  ),
  'config:S3_BUCKET_PUBLIC_WRITE_PROHIBITED': mapping(
    ['integrity'],
    { ...PUBLIC_ACCESS, hipaa: ['164.312(a)(1)', '164.312(c)(1)'] },
    'A bucket allows public write access: anyone can change or replace its objects',
  ),
  'config:S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED': mapping(
    ['confidentiality', 'integrity'],
    PUBLIC_ACCESS,
    'A bucket does not block public access: a public grant or policy takes effect',
  ),

  // rotate-credentials and stop-compromised-training-job
  'guardduty:Policy:IAMUser/RootCredentialUsage': mapping(
    ['confidentiality', 'integrity', 'availability'],
    { hipaa: ['164.308(a)(1)(ii)(D)', '164.312(a)(1)'], pciDss: ['7.2.2'], iso27001: ['A.8.2'], nist80053: ['AC-6', 'AU-6'] },
    'The root user, which no policy can restrict, was used',
  ),
  'config:ACCESS_KEYS_ROTATED': mapping(
    ['confidentiality'],
    { hipaa: ['164.312(d)'], pciDss: ['8.6.3'], iso27001: ['A.5.17'], nist80053: ['IA-5'] },
    'An access key is older than the rotation period: the longer a key lives, the longer a leaked copy works',
  ),
  'config:IAM_USER_UNUSED_CREDENTIALS_CHECK': mapping(
    ['confidentiality'],
    { hipaa: ['164.312(a)(1)', '164.312(d)'], pciDss: ['8.2.6'], iso27001: ['A.5.17'], nist80053: ['IA-5'] },
    'A user has credentials unused for longer than allowed: an idle credential is one whose misuse nobody notices',
  ),
  'guardduty:UnauthorizedAccess:IAMUser/*': COMPROMISED_CREDENTIALS,
  'guardduty:*:IAMUser/AnomalousBehavior': COMPROMISED_CREDENTIALS,
  'guardduty:PenTest:IAMUser/*': COMPROMISED_CREDENTIALS,
  // S3 exfiltration: before the threat-purpose families below, which would otherwise take these types
  'guardduty:Exfiltration:S3/*': mapping(
    ['confidentiality'],
    S3_DATA_ACCESS,
    'Objects of a bucket (training data, model artifacts) were read as an attacker would read them, or from a known malicious address',
  ),
  'guardduty:Impact:S3/*': mapping(
    ['integrity', 'availability'],
    { ...S3_DATA_ACCESS, hipaa: ['164.308(a)(6)(ii)', '164.312(c)(1)'] },
    'Objects or permissions of a bucket were written or deleted as an attacker would: training data or models may be tampered with or gone',
  ),
  'guardduty:UnauthorizedAccess:S3/*': mapping(
    ['confidentiality', 'integrity'],
    S3_DATA_ACCESS,
    "A bucket was called from a Tor exit node or a malicious address: the credentials used may be in someone else's hands",
  ),
  'guardduty:Discovery:S3/*': mapping(
    ['confidentiality'],
    S3_DATA_ACCESS,
    "A bucket's contents were listed as an attacker does before taking them: the credentials used may be in someone else's hands",
  ),
  'alarm:training-job': mapping(
    ['integrity', 'confidentiality'],
    { hipaa: ['164.308(a)(1)(ii)(D)', '164.308(a)(6)(ii)'], pciDss: ['12.10.5'], iso27001: ['A.5.25', 'A.8.16'], nist80053: ['SI-4'] },
    'An alarm set on training-job metrics fired: the job may be misused or tampered with',
  ),

  // notify
  'config:SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS': mapping(
    ['confidentiality'],
    { hipaa: ['164.312(a)(1)'], pciDss: ['1.4.4'], iso27001: ['A.8.20'], nist80053: ['SC-7'] },
    'A notebook instance has direct internet access: its data can leave, and it can be reached, outside the VPC',
  ),
  'config:SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK': mapping(
    ['integrity', 'confidentiality'],
    { hipaa: ['164.312(a)(1)'], pciDss: ['7.2.2'], iso27001: ['A.8.2'], nist80053: ['AC-6'] },
    'Notebook users have root access: they can change the instance and bypass its controls',
  ),
  'config:SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED': mapping(
    ['confidentiality'],
    { hipaa: ['164.312(a)(2)(iv)'], pciDss: ['3.5.1'], iso27001: ['A.8.24'], nist80053: ['SC-28'] },
    'An endpoint configuration names no KMS key for the storage volumes of its instances',
  ),
  'config:CLOUD_TRAIL_ENABLED': AUDIT_TRAIL_OFF,
  'config:MULTI_REGION_CLOUD_TRAIL_ENABLED': AUDIT_TRAIL_OFF,
  'config:CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED': mapping(
    ['integrity'],
    { hipaa: ['164.312(b)', '164.312(c)(1)'], pciDss: ['10.3.4'], iso27001: ['A.8.15'], nist80053: ['AU-9'] },
    'A trail does not validate its log files: a changed or deleted log file would go unnoticed',
  ),
  'config:CLOUDWATCH_LOG_GROUP_ENCRYPTED': mapping(
    ['confidentiality'],
    { hipaa: ['164.312(a)(2)(iv)', '164.312(b)'], pciDss: ['10.3.1'], iso27001: ['A.8.15', 'A.8.24'], nist80053: ['AU-9', 'SC-28'] },
    'A log group is not encrypted with a KMS key: who may read the logs is not limited by a key policy',
  ),
  'config:CW_LOGGROUP_RETENTION_PERIOD_CHECK': mapping(
    ['availability'],
    { hipaa: ['164.312(b)'], pciDss: [], iso27001: ['A.8.15'], nist80053: ['AU-9'] },
    'A log group keeps its logs for less than the required period: evidence may be gone when it is needed',
  ),
  'config:S3_BUCKET_LOGGING_ENABLED': mapping(
    ['integrity'],
    { hipaa: ['164.312(b)'], pciDss: ['10.2.1'], iso27001: ['A.8.15'], nist80053: ['AU-12'] },
    'A bucket does not log requests: who read or changed its objects cannot be told afterwards',
  ),
  'config:S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED': mapping(
    ['confidentiality'],
    { hipaa: ['164.312(a)(2)(iv)'], pciDss: ['3.5.1'], iso27001: ['A.8.24'], nist80053: ['SC-28'] },
    'A bucket has no default encryption at rest',
  ),
  'config:S3_BUCKET_SSL_REQUESTS_ONLY': mapping(
    ['confidentiality', 'integrity'],
    { hipaa: ['164.312(e)(1)'], pciDss: [], iso27001: ['A.8.24'], nist80053: [] },
    'A bucket accepts requests without TLS: its objects can be read or changed in transit',
  ),
  'config:S3_BUCKET_POLICY_GRANTEE_CHECK': mapping(
    ['confidentiality'],
    { hipaa: ['164.312(a)(1)'], pciDss: ['7.2.2'], iso27001: ['A.5.15', 'A.8.3'], nist80053: ['AC-3', 'AC-6'] },
    'A bucket policy grants access to principals outside the allowed list',
  ),
  'alarm:sagemaker-endpoint': mapping(
    ['availability'],
    SERVING_MONITORED,
    'A serving endpoint alarm fired: predictions may be slow, failing or unavailable',
  ),
  'alarm:model-monitor': mapping(
    ['integrity'],
    SERVING_MONITORED,
    'Model Monitor found drift or a quality violation: predictions may be wrong',
  ),
  'alarm:named': mapping(['availability'], SERVING_MONITORED, 'An alarm named as an ML serving alarm fired'),

  // section 4: someone blinds the auditors, or an ML asset disappears (not routed yet)
  'guardduty:Stealth:IAMUser/CloudTrailLoggingDisabled': mapping(
    ['integrity'],
    LOGGING_STOPPED,
    'CloudTrail logging was disabled: API calls are no longer recorded',
  ),
  'guardduty:Stealth:IAMUser/LoggingConfigurationModified': mapping(
    ['integrity'],
    LOGGING_STOPPED,
    'A logging configuration was changed: activity may no longer be recorded',
  ),
  'guardduty:Stealth:S3/ServerAccessLoggingDisabled': mapping(
    ['integrity'],
    LOGGING_STOPPED,
    'S3 server access logging was disabled: access to the bucket is no longer recorded',
  ),
  'guardduty:Stealth:IAMUser/PasswordPolicyChange': mapping(
    ['confidentiality'],
    { hipaa: ['164.312(d)'], pciDss: ['8.3.6'], iso27001: ['A.5.17', 'A.8.5'], nist80053: ['IA-5'] },
    'The account password policy was weakened',
  ),
  ...Object.fromEntries(
    Object.entries(CLOUDTRAIL_BLINDING).map(([kind, reason]) => [kind, mapping(['integrity'], LOGGING_STOPPED, reason)]),
  ),
  ...Object.fromEntries(
    Object.entries(CLOUDTRAIL_DETECTION_OFF).map(([kind, reason]) => [kind, mapping(['integrity'], DETECTION_STOPPED, reason)]),
  ),
  ...Object.fromEntries(Object.entries(CLOUDTRAIL_ML_ASSET).map(([kind, [cia, reason]]) => [kind, mapping(cia, ML_ASSET_REMOVED, reason)])),

  // notify: every other finding, by its threat purpose (the broadest, so last)
  ...Object.fromEntries(
    Object.entries(THREAT_PURPOSES).map(([purpose, [cia, reason]]) => [
      `guardduty:${purpose}:*`,
      mapping(cia, THREAT_DETECTED, `${reason} (GuardDuty ${purpose} finding)`),
    ]),
  ),
};

/** Every step kind of every plan. */
export const STEP_MAPPINGS: Readonly<Record<string, ControlMapping>> = {
  // quarantine-public-bucket
  savePriorState: mapping(
    ['integrity'],
    { hipaa: ['164.308(a)(6)(ii)'], pciDss: ['12.10.1'], iso27001: ['A.5.28'], nist80053: ['IR-4'] },
    'Keeps the state before any change, as evidence and to undo it',
  ),
  blockPublicAccess: mapping(
    ['confidentiality', 'integrity'],
    { ...PUBLIC_ACCESS, iso27001: ['A.8.3'] },
    'Turns on Block Public Access: no public grant or policy takes effect',
  ),
  removePublicAclGrants: mapping(
    ['confidentiality', 'integrity'],
    { ...PUBLIC_ACCESS, iso27001: ['A.8.3'] },
    'Removes ACL grants to everyone and to any AWS account',
  ),
  removePublicPolicyStatements: mapping(
    ['confidentiality', 'integrity'],
    { ...PUBLIC_ACCESS, iso27001: ['A.8.3'] },
    'Removes bucket policy statements that allow a public principal',
  ),
  tagQuarantined: mapping(
    ['integrity'],
    { hipaa: ['164.308(a)(6)(ii)'], pciDss: ['12.10.1'], iso27001: ['A.5.26'], nist80053: ['IR-5'] },
    'Marks the resource with when and why it was quarantined',
  ),

  // stop-compromised-training-job
  stopTrainingJob: mapping(
    ['confidentiality', 'integrity'],
    CONTAINMENT,
    'Stops a training job that runs with compromised credentials or fired an alarm',
  ),
  stopProcessingJob: mapping(
    ['confidentiality', 'integrity'],
    CONTAINMENT,
    'Stops a processing job that runs with compromised credentials',
  ),
  stopTransformJob: mapping(
    ['confidentiality', 'integrity'],
    CONTAINMENT,
    'Stops a transform job whose model runs with compromised credentials',
  ),
  stopHyperParameterTuningJob: mapping(
    ['confidentiality', 'integrity'],
    CONTAINMENT,
    'Stops a tuning job, and so its training jobs, that runs with compromised credentials',
  ),
  stopUnlistedJobs: mapping(
    ['confidentiality', 'integrity'],
    CONTAINMENT,
    'Would stop the jobs of a kind that could not be listed (dry run only)',
  ),

  // rotate-credentials
  deactivateAccessKey: mapping(
    ['confidentiality', 'integrity'],
    { hipaa: ['164.308(a)(6)(ii)', '164.312(d)'], pciDss: ['8.6.3'], iso27001: ['A.5.17', 'A.5.26'], nist80053: ['IA-5', 'IR-4'] },
    'Deactivates an access key that is compromised or overdue, so it no longer authenticates',
  ),
  rotateKeyIntoSecret: mapping(
    ['confidentiality', 'availability'],
    { hipaa: ['164.312(d)'], pciDss: ['8.6.3'], iso27001: ['A.5.17'], nist80053: ['IA-5'] },
    'Replaces the key a secret holds, so its application keeps working on a new key',
  ),
  revokeUserSessions: mapping(
    ['confidentiality', 'integrity'],
    { hipaa: ['164.308(a)(6)(ii)', '164.312(a)(1)'], pciDss: ['12.10.1'], iso27001: ['A.5.26'], nist80053: ['AC-3', 'IR-4'] },
    'Denies every session of the user issued before now, with the credentials someone else may hold',
  ),
  revokeRoleSessions: mapping(
    ['confidentiality', 'integrity'],
    { hipaa: ['164.308(a)(6)(ii)', '164.312(a)(1)'], pciDss: ['12.10.1'], iso27001: ['A.5.26'], nist80053: ['AC-3', 'IR-4'] },
    'Denies every session of the role issued before now, with the temporary credentials someone else may hold',
  ),
};

/** The mapping of an event kind: an exact entry, else the first wildcard entry that matches; undefined when none does. */
export function mappingForEvent(kind: string): ControlMapping | undefined {
  if (Object.hasOwn(EVENT_MAPPINGS, kind)) return EVENT_MAPPINGS[kind];
  if (kind.startsWith('config:')) {
    const identifier = managedRuleNamed(kind.slice('config:'.length));
    if (identifier) return EVENT_MAPPINGS[`config:${identifier}`];
  }
  const key = Object.keys(EVENT_MAPPINGS).find((k) => k.includes('*') && wildcard(k).test(kind));
  return key ? EVENT_MAPPINGS[key] : undefined;
}

export function mappingForStep(kind: string): ControlMapping | undefined {
  return Object.hasOwn(STEP_MAPPINGS, kind) ? STEP_MAPPINGS[kind] : undefined;
}

/**
 * The event kind of a compliance change: `config:<managed rule identifier>` of its rule, as read from the rule's source
 * or, when that was not read, as its name says (the managed rule's own name, a conformance pack's or Security Hub's);
 * undefined for a custom rule or a rule the functions do not select.
 */
export function configKindOf(rule: string | RuleIdentity): string | undefined {
  const identity = typeof rule === 'string' ? undefined : rule;
  const identifier =
    identity?.from === 'source'
      ? identity.owner === 'AWS'
        ? identity.identifier
        : undefined
      : managedRuleNamed(identity?.name ?? (rule as string));
  return identifier && Object.hasOwn(EVENT_MAPPINGS, `config:${identifier}`) ? `config:${identifier}` : undefined;
}

const MAX_LINE = 200;

/**
 * One line for a notification: every control of the mappings, each once, in catalogue order, for example
 * `Controls: HIPAA 164.312(b); PCI DSS 10.2.1.6, 10.7.2; ISO 27001 A.8.15; NIST AU-5, AU-9`. When the line would pass
 * `max` characters, each framework keeps its first ids and says how many more (`+2`). Undefined when there is no control.
 */
export function controlsLine(mappings: readonly (ControlMapping | undefined)[], max = MAX_LINE): string | undefined {
  const present = mappings.filter((m): m is ControlMapping => m !== undefined);
  const groups = FRAMEWORK_ORDER.map((f) => ({ label: FRAMEWORKS[f].label, ids: idsOf(present, f) })).filter((g) => g.ids.length > 0);
  if (groups.length === 0) return undefined;
  const render = (cap: number) =>
    `Controls: ${groups.map((g) => `${g.label} ${g.ids.slice(0, cap).join(', ')}${g.ids.length > cap ? ` +${g.ids.length - cap}` : ''}`).join('; ')}`;
  for (let cap = Math.max(...groups.map((g) => g.ids.length)); cap > 1; cap--) {
    const line = render(cap);
    if (line.length <= max) return line;
  }
  const line = render(1);
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** Every control of a mapping with its framework and official title, for an audit record. */
export function citationsOf(m: ControlMapping): { framework: string; id: string; title: string }[] {
  return FRAMEWORK_ORDER.flatMap((f) => m[f].map((id) => ({ framework: FRAMEWORKS[f].text, id, title: FRAMEWORKS[f].controls[id] ?? '' })));
}

function idsOf(mappings: readonly ControlMapping[], framework: Framework): string[] {
  const catalogue = Object.keys(FRAMEWORKS[framework].controls);
  const ids = new Set(mappings.flatMap((m) => m[framework] as readonly string[]));
  return catalogue.filter((id) => ids.has(id));
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}
