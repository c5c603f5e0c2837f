import type { CloudTrailApiCall } from './cloudtrail-api-call.js';

/**
 * The CloudTrail management events a person must hear about, by what they do (issue "audit trail", section 4):
 * - `audit-tampering`: someone turns the monitors off (CloudTrail, AWS Config, GuardDuty);
 * - `ml-asset-deleted`: an ML asset is stopped or deleted.
 * The EventBridge rules of notify in template.yaml list the same calls (a test keeps both in step).
 */
export const AUDIT_TAMPERING_CALLS: Readonly<Record<string, readonly string[]>> = {
  'cloudtrail.amazonaws.com': ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
  'config.amazonaws.com': ['StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel'],
  'guardduty.amazonaws.com': ['DeleteDetector', 'UpdateDetector', 'DisassociateFromAdministratorAccount'],
};

/** SageMaker calls that make an ML asset disappear, and the request parameter naming the asset. */
export const ML_ASSET_DELETIONS: Readonly<Record<string, string>> = {
  StopTrainingJob: 'trainingJobName',
  DeleteModel: 'modelName',
  DeleteEndpoint: 'endpointName',
  DeleteEndpointConfig: 'endpointConfigName',
  DeleteModelPackage: 'modelPackageName',
  DeleteModelPackageGroup: 'modelPackageGroupName',
  DeleteMonitoringSchedule: 'monitoringScheduleName',
  DeleteNotebookInstance: 'notebookInstanceName',
};

/** The request parameters that name what an audit-tampering call acts on, by service. */
const TAMPERED_RESOURCE: Readonly<Record<string, readonly string[]>> = {
  'cloudtrail.amazonaws.com': ['name', 'trailName'],
  'config.amazonaws.com': ['configurationRecorderName', 'deliveryChannelName'],
  'guardduty.amazonaws.com': ['detectorId'],
};

export type AuditCallKind = 'audit-tampering' | 'ml-asset-deleted';

/**
 * What a call is, or undefined for any other call. `UpdateDetector` is tampering only when it disables the detector
 * (`enable: false`); a call that failed (`errorCode`) changed nothing, but is still reported: someone tried.
 */
export function auditCallKind(call: CloudTrailApiCall): AuditCallKind | undefined {
  if (AUDIT_TAMPERING_CALLS[call.eventSource]?.includes(call.eventName)) {
    if (call.eventName === 'UpdateDetector' && call.requestParameters?.enable !== false) return undefined;
    return 'audit-tampering';
  }
  if (call.eventSource === 'sagemaker.amazonaws.com' && Object.hasOwn(ML_ASSET_DELETIONS, call.eventName)) return 'ml-asset-deleted';
  return undefined;
}

/** The name of what the call acts on (a trail, a recorder, a detector, a model...), when its request names it. */
export function calledResource(call: CloudTrailApiCall): string | undefined {
  const keys = Object.hasOwn(ML_ASSET_DELETIONS, call.eventName)
    ? [ML_ASSET_DELETIONS[call.eventName] as string]
    : (TAMPERED_RESOURCE[call.eventSource] ?? []);
  for (const key of keys) {
    const value = call.requestParameters?.[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** Who made the call, as a person reads it: the role a session was issued by, else the identity's ARN or type. */
export function callerOf(call: CloudTrailApiCall): { type: string; arn?: string; issuer?: string } {
  const id = call.userIdentity;
  const issuer = id.sessionContext?.sessionIssuer?.arn ?? undefined;
  const arn = id.arn ?? undefined;
  return { type: id.type ?? 'unknown', ...(arn ? { arn } : {}), ...(issuer ? { issuer } : {}) };
}
