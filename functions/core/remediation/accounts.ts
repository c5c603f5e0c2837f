import { type ActingIn, actIn } from '../aws/client-options.js';
import { partitionOf } from '../aws/partition.js';
import type { Config } from '../config.js';
import { identifiedByName } from '../events/config-rules.js';
import type { ParsedEvent } from '../events/parse.js';
import { isAwsRegion } from '../notify/describe-event.js';
import { identified } from './intake.js';

/** The account and region an event, or a target, is about: where the function must act. */
export interface Place {
  account: string;
  region: string;
}

/**
 * The account and region an event is about: a GuardDuty finding's `accountId` and `region`, a Config change's
 * `awsAccountId` and `awsRegion`, an alarm's envelope (an event forwarded from a member account keeps its account), a
 * CloudTrail call's `recipientAccountId` and `awsRegion`.
 */
export function placeOfEvent(event: ParsedEvent): Place {
  switch (event.kind) {
    case 'guardduty':
      return { account: event.finding.accountId, region: event.finding.region };
    case 'config':
      return { account: event.compliance.awsAccountId, region: event.compliance.awsRegion };
    case 'alarm':
      return { account: event.envelope.account, region: event.envelope.region };
    case 'cloudtrail':
      return { account: event.call.recipientAccountId || event.envelope.account, region: event.call.awsRegion };
  }
}

/** `arn:<partition>:iam::<account>:role/<prefix>-<function>`: the role the member stack makes for a function. */
export function memberRoleArn(prefix: string, functionName: string, place: Place): string {
  return `arn:${partitionOf(place.region)}:iam::${place.account}:role/${prefix}-${functionName}`;
}

/**
 * Why the function must not act in a place, or undefined; decided from the settings alone, before any AWS call.
 * Single-account mode acts only in the function's own account. Organization mode acts in an account named by
 * MANAGED_ACCOUNTS (when set), in a region that is one.
 */
export function refusalFor(place: Place, config: Config, ownAccount: string): string | undefined {
  const { account, region } = place;
  if (!config.memberRolePrefix) {
    if (account === ownAccount) return undefined;
    return `the event is about account ${account}, but it reached ml-guard in account ${ownAccount}, which acts only in its own account (single-account mode: MemberRolePrefix is empty): nothing was read or changed; to act in ${account}, deploy ml-guard's member stack there and set MemberRolePrefix (README "Deploying across an organization"), or deploy ml-guard in ${account}`;
  }
  if (!/^\d{12}$/.test(account))
    return `the event names the account ${JSON.stringify(account)}, which is not an account id: nothing was read or changed`;
  if (!isAwsRegion(region))
    return `the event names the region ${JSON.stringify(region)}, which is not an AWS Region: nothing was read or changed`;
  if (config.managedAccounts.length && !config.managedAccounts.includes(account)) {
    return `account ${account} is not one ml-guard manages (MANAGED_ACCOUNTS, the stack parameter ManagedAccounts, does not list it): nothing was read or changed; add it there to act in it`;
  }
  return undefined;
}

/**
 * Where the calls about a place go, or undefined in single-account mode (the function's own credentials and region, as
 * always). In organization mode: the place's region, with the function's own credentials in its own account, and in
 * any other the member role's, assumed when a call first needs them (the STS module is loaded only here).
 */
export async function actingFor(
  functionName: string,
  place: Place,
  config: Config,
  ownAccount: string,
  eventId: string,
): Promise<Acting | undefined> {
  const prefix = config.memberRolePrefix;
  if (!prefix) return undefined;
  if (place.account === ownAccount) return { ...place };
  const { memberCredentials, sessionNameOf } = await import('../aws/member-role.js');
  const roleArn = memberRoleArn(prefix, functionName, place);
  const session = sessionNameOf(eventId);
  return { ...place, roleArn, credentials: () => memberCredentials(roleArn, place.region, session) };
}

export interface Acting extends ActingIn {
  /** The member role whose credentials are used, when not the function's own. */
  roleArn?: string;
}

/** Runs `work` with the adapters' calls going where `acting` says, or as always when it is undefined. */
export function within<T>(acting: Acting | undefined, work: () => Promise<T>): Promise<T> {
  return acting ? actIn(acting, work) : work();
}

/**
 * The event, and for a Config compliance change the identity of its rule, read where the rule is: in the account and
 * region the event is about. In an account the function does not act in, nothing is read: the rule is judged by its
 * name (the targets are refused afterwards, with the reason).
 */
export async function identifiedAt(
  event: ParsedEvent,
  place: Place,
  config: Config,
  at: { functionName: string; ownAccount: string; eventId: string },
): Promise<ParsedEvent> {
  if (event.kind !== 'config') return event;
  if (refusalFor(place, config, at.ownAccount)) {
    return identified(event, async (name) => identifiedByName(name, `not read: ml-guard does not act in account ${place.account}`));
  }
  const acting = await actingFor(at.functionName, place, config, at.ownAccount, at.eventId);
  return within(acting, () => identified(event));
}
