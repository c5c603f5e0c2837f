import type { ParsedEvent } from '../events/parse.js';
import { severityLabel, isSampleFinding } from '../events/guardduty.js';

export type Severity = 'INFO' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** The facts about an incoming event that every notification repeats, in words and as data. */
export interface EventFacts {
  source: 'guardduty' | 'config' | 'cloudwatch';
  /** One line: what happened. */
  headline: string;
  severity: Severity;
  account: string;
  region: string;
  /** Label and value pairs a person reads top to bottom. */
  facts: [string, string][];
  consoleUrl?: string;
}

export function describeEvent(event: ParsedEvent): EventFacts {
  switch (event.kind) {
    case 'guardduty': {
      const f = event.finding;
      const key = f.resource.accessKeyDetails;
      const call = f.service.action?.awsApiCallAction;
      const ip = call?.remoteIpDetails;
      const facts: [string, string][] = [
        ['finding', f.id],
        ['severity', `${f.severity} (${severityLabel(f.severity)})`],
      ];
      if (f.title) facts.push(['title', f.title]);
      if (key?.userName || key?.principalId) {
        facts.push(['principal', `${key.userName ?? key.principalId} (${key.userType ?? 'unknown type'})`]);
      }
      if (key?.accessKeyId) facts.push(['access key', key.accessKeyId]);
      const address = ip?.ipAddressV4 ?? ip?.ipAddressV6;
      if (address) facts.push(['source IP', `${address}${ip?.country?.countryName ? ` (${ip.country.countryName})` : ''}`]);
      if (call?.api) facts.push(['API called', `${call.serviceName ? `${call.serviceName} ` : ''}${call.api}`]);
      if (f.service.count && f.service.count > 1) facts.push(['occurrences', String(f.service.count)]);
      if (isSampleFinding(f)) facts.push(['sample', 'yes: made by "Generate sample findings", names placeholder resources']);
      return {
        source: 'guardduty',
        headline: `GuardDuty finding ${f.type}`,
        severity: severityLabel(f.severity),
        account: f.accountId,
        region: f.region,
        facts,
        consoleUrl: consoleUrl(f.region, `guardduty/home?region=${f.region}#/findings?macros=current&fId=${encodeURIComponent(f.id)}`),
      };
    }
    case 'config': {
      const c = event.compliance;
      const facts: [string, string][] = [
        ['rule', c.configRuleName],
        ['resource', `${c.resourceType} ${c.resourceId}`],
        ['compliance', `${c.oldEvaluationResult?.complianceType ?? 'unknown'} -> ${c.newEvaluationResult.complianceType}`],
      ];
      if (c.newEvaluationResult.annotation) facts.push(['annotation', c.newEvaluationResult.annotation]);
      return {
        source: 'config',
        headline: `AWS Config rule ${c.configRuleName}: ${c.resourceId} is ${c.newEvaluationResult.complianceType}`,
        severity: c.newEvaluationResult.complianceType === 'NON_COMPLIANT' ? 'MEDIUM' : 'INFO',
        account: c.awsAccountId,
        region: c.awsRegion,
        facts,
        consoleUrl: consoleUrl(
          c.awsRegion,
          `config/home?region=${c.awsRegion}#/rules/details?configRuleName=${encodeURIComponent(c.configRuleName)}`,
        ),
      };
    }
    case 'alarm': {
      const a = event.alarm;
      const facts: [string, string][] = [
        ['alarm', a.alarmName],
        ['state', `${a.previousState?.value ?? 'unknown'} -> ${a.state.value}`],
      ];
      if (a.state.reason) facts.push(['reason', a.state.reason]);
      return {
        source: 'cloudwatch',
        headline: `CloudWatch alarm ${a.alarmName} is ${a.state.value}`,
        severity: a.state.value === 'ALARM' ? 'HIGH' : 'INFO',
        account: event.envelope.account,
        region: event.envelope.region,
        facts,
        consoleUrl: consoleUrl(
          event.envelope.region,
          `cloudwatch/home?region=${event.envelope.region}#alarmsV2:alarm/${encodeURIComponent(a.alarmName)}`,
        ),
      };
    }
  }
}

/** The AWS console host for a region, including the China and GovCloud partitions. */
export function consoleUrl(region: string, path: string): string {
  if (region.startsWith('cn-')) return `https://console.amazonaws.cn/${path}`;
  if (region.startsWith('us-gov-')) return `https://console.amazonaws-us-gov.com/${path}`;
  return `https://${region}.console.aws.amazon.com/${path}`;
}
