/**
 * CloudTrail's event history: who made the latest write API calls on a resource (LookupEvents), for notify's "last
 * change" facts.
 */
import { CloudTrailClient, type Event, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { actingIn, clientOptions, inActingAccount } from './client-options.js';

/** IAM actions the lookup needs; CloudTrail authorizes LookupEvents only on `Resource: "*"`. */
export const lookupIamActions = ['cloudtrail:LookupEvents'] as const;

const clients = new Map<string, CloudTrailClient>();
const memberClient = inActingAccount((where) => new CloudTrailClient({ ...clientOptions, ...where }));

/**
 * CloudTrail's event history is regional: look up in the region of the resource. In organization mode, in the account
 * and region the flow acts in (the event's), with the notify member role there.
 */
export function cloudTrailClient(region: string): CloudTrailClient {
  if (actingIn()) return memberClient();
  let client = clients.get(region);
  if (!client) {
    client = new CloudTrailClient({ ...clientOptions, region });
    clients.set(region, client);
  }
  return client;
}

/** One write API call on the resource, as CloudTrail recorded it. */
export interface WriteCall {
  time: string;
  /** Who: the caller's ARN, or its type and name. */
  principal: string;
  /** What: `sagemaker.amazonaws.com UpdateNotebookInstance`. */
  call: string;
  sourceIp?: string;
  eventId?: string;
}

export interface WriteCallLookup {
  /** The latest write calls, newest first. */
  calls: WriteCall[];
  /** How many events of the resource were read (reads and writes). */
  scanned: number;
  /** True when CloudTrail had no more events to give: no more write call exists in the period. */
  complete: boolean;
  hours: number;
}

export interface LookupOptions {
  /** How far back to look. */
  hours?: number;
  /** Stop after finding this many write calls. */
  wanted?: number;
  /** Stop after this many pages of 50 events (LookupEvents answers two requests a second per account and Region). */
  maxPages?: number;
}

/**
 * The latest write API calls on a resource in the last hours: LookupEvents by `ResourceName` (one lookup attribute per
 * request, so `ReadOnly` is filtered here), newest first, following `NextToken`.
 */
export async function latestWriteCalls(
  client: CloudTrailClient,
  resourceName: string,
  now: Date,
  { hours = 24, wanted = 3, maxPages = 4 }: LookupOptions = {},
): Promise<WriteCallLookup> {
  const calls: WriteCall[] = [];
  let scanned = 0;
  let pages = 0;
  let token: string | undefined;
  do {
    const out = await client.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: resourceName }],
        StartTime: new Date(now.getTime() - hours * 3600_000),
        EndTime: now,
        MaxResults: 50,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    pages += 1;
    for (const event of out.Events ?? []) {
      scanned += 1;
      if (event.ReadOnly === 'false' && calls.length < wanted) calls.push(writeCallOf(event));
    }
    token = out.NextToken;
  } while (token && calls.length < wanted && pages < maxPages);
  return { calls, scanned, complete: !token, hours };
}

function writeCallOf(event: Event): WriteCall {
  const record = parseRecord(event.CloudTrailEvent);
  const identity = record?.userIdentity;
  const principal =
    str(identity?.arn) ??
    ([str(identity?.type), str(identity?.userName) ?? event.Username].filter(Boolean).join(' ') || 'an unknown principal');
  const source = str(record?.eventSource) ?? event.EventSource ?? '?';
  const sourceIp = str(record?.sourceIPAddress);
  return {
    time: event.EventTime ? event.EventTime.toISOString() : (str(record?.eventTime) ?? 'unknown time'),
    principal,
    call: `${source} ${event.EventName ?? str(record?.eventName) ?? '?'}`,
    ...(sourceIp ? { sourceIp } : {}),
    ...(event.EventId ? { eventId: event.EventId } : {}),
  };
}

interface CloudTrailRecord {
  eventTime?: unknown;
  eventSource?: unknown;
  eventName?: unknown;
  sourceIPAddress?: unknown;
  userIdentity?: { arn?: unknown; type?: unknown; userName?: unknown };
}

/** The record is JSON inside a string; an unreadable one is treated as absent. */
function parseRecord(text: string | undefined): CloudTrailRecord | undefined {
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as CloudTrailRecord) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
