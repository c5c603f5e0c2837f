import type { WriteCall, WriteCallLookup } from '../core/aws/cloudtrail.js';

/** Pure: "who did what and when", as facts for the notification; a lookup that found nothing says so plainly. */
export function describeWriteCalls(lookup: WriteCallLookup, resourceName: string): [string, string][] {
  const [last, ...earlier] = lookup.calls;
  if (!last) {
    const scope = lookup.complete ? '' : ` (only the latest ${lookup.scanned} events were read)`;
    return [
      ['last change', `none found: CloudTrail recorded no write API call on ${resourceName} in the last ${lookup.hours} hours${scope}`],
    ];
  }
  const facts: [string, string][] = [['last change', sentence(last)]];
  if (earlier.length) facts.push(['earlier changes', earlier.map(sentence).join('; ')]);
  return facts;
}

function sentence(c: WriteCall): string {
  return `${c.principal} called ${c.call} at ${c.time}${c.sourceIp ? ` from ${c.sourceIp}` : ''}`;
}
