import { createHash, randomBytes } from 'node:crypto';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { clientOptions } from '../aws/client-options.js';
import type { ApprovalSettings, Config } from '../config.js';
import { describeError } from '../errors.js';
import type { ApprovalDecision, ApprovalRecord, Approver, JournaledStep, TargetRecord } from '../journal/journal.js';
import { atLeast, SEVERITIES, type Severity } from '../severity.js';
import { shellQuote } from '../text.js';
import { type IdentityProof, proofProblem } from './approver.js';
import { type ApprovalGate, fromJournal } from './execute.js';
import { type Plan, type Runner, type StepBase, stepData, type TargetRef, type TargetResult } from './types.js';

/**
 * Approvals: steps of the kinds APPROVAL_REQUIRED names wait for a person (see `ApprovalGate` in execute.ts). A person
 * answers by invoking the function with an approval message (`npm run approve`, `npm run deny`, or the AWS CLI line the
 * notification gives, which AWS Chatbot can run from a chat channel); EventBridge Scheduler delivers the expiry.
 */

/** The IAM actions of asking for an approval: the one-time schedule of its expiry, and handing the scheduler its role. */
export const approvalIamActions = ['scheduler:CreateSchedule', 'iam:PassRole'] as const;

/** What a person answers with. `expire` is the scheduler's: it is refused before the approval's time is up. */
export type Answer = 'approve' | 'deny' | 'expire';

/** The message that answers an approval: `{"approval": {"key": "...", "decision": "approve"}}`. */
export interface ApprovalMessage {
  key: string;
  decision: Answer;
  /** Why (a denial's reason is recorded and notified). */
  reason?: string;
  /** Who answers, as the caller states it. */
  by?: string;
  /** Who answers, proven: an sts:GetCallerIdentity request the answerer signed (`npm run approve` sends one). */
  proof?: IdentityProof;
}

const KEY_MAX = 600;
const REASON_MAX = 500;
const BY_MAX = 256;
const ANSWERS: readonly Answer[] = ['approve', 'deny', 'expire'];

/**
 * Checks an approval message as strictly as an event: an object with `approval` only, holding `key` and `decision`,
 * and optionally `reason` and `by`, each a bounded string without control characters. Returns why not, or the message.
 */
export function parseApprovalMessage(raw: unknown): ApprovalMessage | { invalid: string } {
  const outer = raw as Record<string, unknown>;
  const extra = Object.keys(outer).filter((k) => k !== 'approval');
  if (extra.length) return { invalid: `an approval message has "approval" only; it also has ${extra.slice(0, 3).join(', ')}` };
  const body = outer.approval;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { invalid: 'approval: expected an object' };
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !['key', 'decision', 'reason', 'by', 'proof'].includes(k));
  if (unknown.length) return { invalid: `approval: unknown field(s) ${unknown.slice(0, 3).join(', ')}` };
  const text = (name: string, max: number, required: boolean): string | undefined | { invalid: string } => {
    const v = fields[name];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.length === 0) return { invalid: `approval.${name}: expected a non-empty string` };
    if (v.length > max) return { invalid: `approval.${name}: longer than ${max} characters` };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused here.
    if (/[\u0000-\u001f\u007f]/.test(v)) return { invalid: `approval.${name}: control characters are not allowed` };
    return v;
  };
  const key = text('key', KEY_MAX, true);
  const reason = text('reason', REASON_MAX, false);
  const by = text('by', BY_MAX, false);
  for (const v of [key, reason, by]) if (typeof v === 'object') return v;
  const decision = fields.decision;
  if (typeof decision !== 'string' || !ANSWERS.includes(decision as Answer)) {
    return { invalid: `approval.decision: expected one of ${ANSWERS.map((a) => `"${a}"`).join(', ')}` };
  }
  const proof = fields.proof === undefined ? undefined : proofProblem(fields.proof);
  if (proof) return { invalid: proof };
  return {
    key: key as string,
    decision: decision as Answer,
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof by === 'string' ? { by } : {}),
    ...(fields.proof === undefined ? {} : { proof: fields.proof as IdentityProof }),
  };
}

/** The key a person answers with: the event's journal key and the approval's nonce. */
export function approvalKey(journalKey: string, nonce: string): string {
  return `${journalKey}#${nonce}`;
}

/** The journal key and nonce of an approval key, or undefined when it is not one. */
export function splitApprovalKey(key: string): { journalKey: string; nonce: string } | undefined {
  const at = key.lastIndexOf('#');
  const journalKey = key.slice(0, at);
  const nonce = key.slice(at + 1);
  if (at <= 0 || !/^[0-9a-f]{32}$/.test(nonce) || !journalKey.includes('#')) return undefined;
  return { journalKey, nonce };
}

/** A fresh nonce: 128 random bits, in hex. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The fingerprint of the steps held: each step's identity in the journal and its data (what it acts on and sets, the
 * state it was planned from), not its text. An approval runs the steps only if planning again gives the same one.
 */
export function planHash<S extends StepBase>(
  steps: readonly S[],
  runners: Readonly<Record<string, Runner<S, unknown> | undefined>>,
): string {
  const held = steps.map((s) => ({ id: runners[s.kind]?.identify?.(s) ?? s.kind, data: stepData(s) }));
  return createHash('sha256').update(JSON.stringify(held)).digest('hex');
}

/** Whether a step waits for approval under the settings (the first such step holds the rest of its plan). */
export function needsApproval(settings: ApprovalSettings): ((step: StepBase) => boolean) | undefined {
  return settings.required.size > 0 ? (step) => settings.required.has(step.kind) : undefined;
}

/** How a person answers an approval, as commands to copy: what the notification prints. */
export interface ApprovalCommands {
  approve: string;
  deny: string;
  /** The same answer without this repository: the AWS CLI (which AWS Chatbot runs from a chat channel as a custom action). */
  approveWithCli?: string;
  denyWithCli?: string;
}

/**
 * The commands that answer an approval. Deployed (`functionName` is the Lambda's name): `npm run approve` invokes it;
 * locally, with a journal file, `npm run approve` runs the function in this process against the file.
 */
export function approvalCommands(key: string, where: { functionName?: string; region?: string; journalFile?: string }): ApprovalCommands {
  const k = shellQuote(key);
  if (!where.functionName) {
    const journal = where.journalFile ? ` --journal ${shellQuote(where.journalFile)}` : '';
    return { approve: `npm run approve -- ${k}${journal}`, deny: `npm run deny -- ${k}${journal} --reason '...'` };
  }
  const target = ` --function-name ${shellQuote(where.functionName)}${where.region ? ` --region ${shellQuote(where.region)}` : ''}`;
  const cli = (decision: Answer) =>
    `aws lambda invoke${target} --cli-binary-format raw-in-base64-out --payload ${shellQuote(JSON.stringify({ approval: { key, decision } }))} /dev/stdout`;
  return {
    approve: `npm run approve -- ${k}${target}`,
    deny: `npm run deny -- ${k}${target} --reason '...'`,
    approveWithCli: cli('approve'),
    denyWithCli: cli('deny'),
  };
}

let scheduler: SchedulerClient | undefined;
let schedulerCommands: typeof import('./scheduler-sdk.js') | undefined;

/** Schedule names: 1 to 64 of letters, digits, '.', '-', '_'. */
export function scheduleName(journalKey: string, nonce: string): string {
  return `ml-guard-approval-${createHash('sha256').update(`${journalKey}#${nonce}`).digest('hex').slice(0, 40)}`;
}

/**
 * Asks EventBridge Scheduler to deliver the approval's expiry to the function at `expiresAt` (a one-time `at()`
 * schedule, deleted once it has run). Never throws: without the scheduler's role or the function's ARN (a local run),
 * or when the call fails, the approval does not expire by itself, and the record says why.
 */
export async function scheduleExpiry(
  approval: Pick<ApprovalRecord, 'nonce' | 'expiresAt'> & { journalKey: string },
  settings: ApprovalSettings,
  functionArn: string | undefined,
): Promise<ApprovalRecord['expiry']> {
  if (!settings.schedulerRoleArn || !functionArn) {
    return { none: 'no expiry scheduled (APPROVAL_SCHEDULER_ROLE_ARN or the function ARN is not known): it stays open until answered' };
  }
  const name = scheduleName(approval.journalKey, approval.nonce);
  try {
    schedulerCommands ??= await import('./scheduler-sdk.js');
    scheduler ??= new schedulerCommands.SchedulerClient({ ...clientOptions });
    await scheduler.send(
      new schedulerCommands.CreateScheduleCommand({
        Name: name,
        // at(yyyy-mm-ddThh:mm:ss), in UTC: one minute late at most (FlexibleTimeWindow OFF delivers at the time).
        ScheduleExpression: `at(${approval.expiresAt.slice(0, 19)})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Description: `ml-guard: expiry of the approval asked for ${approval.journalKey}`.slice(0, 512),
        ClientToken: name.slice(-64),
        Target: {
          Arn: functionArn,
          RoleArn: settings.schedulerRoleArn,
          Input: JSON.stringify({ approval: { key: approvalKey(approval.journalKey, approval.nonce), decision: 'expire' } }),
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        },
      }),
    );
    return { schedule: name };
  } catch (error) {
    return { none: `the expiry could not be scheduled (${describeError(error)}): it stays open until answered` };
  }
}

// ------------------------------------------------------------------------------------------------ the flow's part

/** How one target's plan is gated in this invocation, decided once the plan is made; `notes` say why, when it matters. */
export type GateOf<S extends StepBase> = (plan: Plan<S>) => { gate?: ApprovalGate; notes?: string[]; severity?: Severity };

/** A target an answer settles without reading it (a denial, an expiry escalated): its result and its journaled steps. */
export type SettledWithoutReading = (target: TargetRef) => { result: TargetResult; steps: JournaledStep[] };

export interface Approvals<S extends StepBase> {
  /** The gate of a target: held for approval as the settings say, or as an answer decides. */
  gateFor(id: string, before: TargetRecord | undefined): { gate: GateOf<S> } | { answered: SettledWithoutReading };
  /** The approval the targets held for, asked (journaled with the event, its expiry scheduled); none when nothing is held. */
  ask(targetIds: readonly string[], request: AskRequest): Promise<ApprovalRecord | undefined>;
}

export interface AskRequest {
  journalKey: string;
  attempt: number;
  now: Date;
  plannedAt: Date;
  /** The event as delivered, kept so that an answer can plan again from it. */
  event: unknown;
  functionArn: string | undefined;
}

/** An approval answered, for the targets whose steps it held. */
export interface Answered {
  approval: ApprovalRecord & { decision: ApprovalDecision };
}

/**
 * The approvals of one invocation: without an answer, steps are held as APPROVAL_REQUIRED says (`needsApproval`);
 * with one, each target it held is settled: approved (run, if planning again gives the same steps), denied (not run,
 * nothing read), expired (the kinds of APPROVAL_ACT_ON_EXPIRY run, if the plan is the same; the rest escalated).
 */
export function approvalsOf<S extends StepBase>(
  runners: Readonly<Record<string, Runner<S, unknown> | undefined>>,
  config: Config,
  answered: Answered | undefined,
  eventSeverity: Severity,
): Approvals<S> {
  const required = needsApproval(config.approval);
  const held = new Map<string, { hash: string; kinds: string[] }>();
  const asSettings = (id: string): ApprovalGate | undefined =>
    required && {
      needs: required,
      // The hash covers every step an approval would run: the held ones, and any before them that failed.
      onHeld: (steps, unfinished) => held.set(id, { hash: planHash(unfinished as S[], runners), kinds: steps.map((s) => s.kind) }),
    };
  const idOf = (s: S) => runners[s.kind]?.identify?.(s) ?? s.kind;

  return {
    gateFor(id, before) {
      const asked = answered?.approval.plans[id];
      if (!answered || asked === undefined) return { gate: () => ({ ...gateIf(asSettings(id)) }) };
      const { decision } = answered.approval;
      const journaled = before?.steps ?? [];
      const waiting = journaled.filter((e) => e.state === 'awaiting-approval');
      if (decision.state === 'denied')
        return {
          answered: settle(journaled, `denied by ${approverText(decision.by)}${decision.reason ? `: ${decision.reason}` : ''}`),
        };
      const acting = decision.state === 'expired' ? config.approval.actOnExpiry : undefined;
      const escalation = `the approval expired at ${answered.approval.expiresAt} unanswered: escalated`;
      if (acting && !waiting.some((e) => acting.has(e.kind))) return { answered: settle(journaled, escalation, escalated(eventSeverity)) };
      return {
        gate: (plan) => {
          const finished = new Set(journaled.filter((e) => e.state === 'done' || e.state === 'already-done').map((e) => e.id));
          const pending = plan.steps.filter((s) => !finished.has(idOf(s)));
          if (plan.hold || planHash(pending, runners) === asked) {
            // The same steps as held (or a plan that holds back anyway: exempt now, unreadable): as answered.
            if (!acting) return {};
            const needs = (s: StepBase) => required?.(s) === true && !acting.has(s.kind);
            return { gate: { needs, refused: escalation }, ...(pending.some(needs) ? { severity: escalated(eventSeverity) } : {}) };
          }
          const changed = `the plan changed since the approval was asked: it held ${summaries(waiting)}; it now plans ${summaries(pending) || 'nothing'}`;
          if (acting) {
            return {
              gate: { needs: () => true, refused: `${escalation} (${changed})` },
              notes: [changed],
              severity: escalated(eventSeverity),
            };
          }
          return { ...gateIf(asSettings(id)), notes: [`${changed}: asked again`] };
        },
      };
    },

    async ask(targetIds, r) {
      const plans = targetIds.flatMap((id) => {
        const h = held.get(id);
        return h ? [[id, h] as const] : [];
      });
      if (plans.length === 0) return undefined;
      const nonce = newNonce();
      const expiresAt = new Date(r.now.getTime() + config.approval.timeoutMinutes * 60_000).toISOString();
      return {
        nonce,
        state: 'awaiting',
        attempt: r.attempt,
        requestedAt: r.now.toISOString(),
        expiresAt,
        plannedAt: r.plannedAt.toISOString(),
        plans: Object.fromEntries(plans.map(([id, h]) => [id, h.hash])),
        kinds: [...new Set(plans.flatMap(([, h]) => h.kinds))],
        event: r.event,
        expiry: await scheduleExpiry({ journalKey: r.journalKey, nonce, expiresAt }, config.approval, r.functionArn),
        ...(answered ? { replaces: answered.approval.nonce } : {}),
      };
    },
  };
}

function gateIf(gate: ApprovalGate | undefined): { gate?: ApprovalGate } {
  return gate ? { gate } : {};
}

function summaries(steps: readonly { summary: string }[]): string {
  return steps.map((s) => `"${s.summary}"`).join(', ');
}

export function approverText(by: Approver): string {
  return `${by.identity} (${by.verified ? 'verified' : 'as stated by the caller'}, via ${by.via})`;
}

/**
 * Settles a held target without reading it: its finished steps as journaled, its held steps `not-run` with the reason.
 * Denied: `remediated` when steps ran before the hold, else `skipped`. Escalated: `failed`, one severity above the
 * notification that asked (which was at least HIGH), so that it asks for a person again, louder.
 */
function settle(journaled: readonly JournaledStep[], why: string, escalation?: Severity): SettledWithoutReading {
  return (target) => {
    const steps = journaled.flatMap((e): JournaledStep[] => {
      if (e.state === 'awaiting-approval') return [{ ...e, state: 'not-run', detail: `not run: ${why}` }];
      // `started`: a crashed attempt's step that the plan no longer needed, the resource showing it done (as the executor says).
      return e.state === 'done' || e.state === 'already-done' || e.state === 'started' ? [e] : [];
    });
    const held = steps.filter((e) => e.state === 'not-run').length;
    const results = steps.map((e) =>
      e.state === 'not-run' ? { kind: e.kind, summary: e.summary, outcome: 'not-run' as const, detail: e.detail ?? why } : fromJournal(e),
    );
    const done = results.filter((r) => r.outcome === 'done').length;
    const made = done ? `; ${done} change(s) made before the hold stand` : '';
    const reason = `${held} held step(s) not run: ${why}${made}`;
    const result: TargetResult = escalation
      ? { target, status: 'failed', reason, severity: escalation, steps: results }
      : { target, status: done ? 'remediated' : 'skipped', reason, steps: results };
    return { result, steps };
  };
}

/** An escalation's severity: one above the notification that asked for approval, which was the event's and at least HIGH. */
export function escalated(eventSeverity: Severity): Severity {
  const asked = atLeast(eventSeverity, ['HIGH']);
  return SEVERITIES[Math.min(SEVERITIES.indexOf(asked) + 1, SEVERITIES.length - 1)] ?? 'CRITICAL';
}

/** What the result says of approvals: the one asked (with how to answer it), the answer acted on. */
export interface ApprovalReport {
  asked?: {
    /** A name for the approval that does not answer it (the audit trail's): see `approvalId`. */
    id: string;
    key: string;
    expiresAt: string;
    kinds: string[];
    /** How a person answers it. */
    commands: ApprovalCommands;
    /** The schedule that expires it, or why none does. */
    expiry: string;
    /** Steps of these kinds run when it expires unanswered; the rest are escalated. */
    actOnExpiry: string[];
  };
  answered?: ApprovalDecision & { id: string };
}

/** The approval's name in the audit trail: 16 hex digits of the SHA-256 of its nonce, which cannot answer it. */
export function approvalId(nonce: string): string {
  return createHash('sha256').update(nonce).digest('hex').slice(0, 16);
}

export function approvalReportOf(
  asked: ApprovalRecord | undefined,
  answered: Answered | undefined,
  where: { journalKey: string; journalLocation: string; functionName?: string; region?: string; actOnExpiry: ReadonlySet<string> },
): { approval?: ApprovalReport } {
  if (!asked && !answered) return {};
  const deployed = where.journalLocation.startsWith('dynamodb:');
  const journalFile = where.journalLocation.startsWith('file:') ? where.journalLocation.slice('file:'.length) : undefined;
  const report: ApprovalReport = {
    ...(asked
      ? {
          asked: {
            id: approvalId(asked.nonce),
            key: approvalKey(where.journalKey, asked.nonce),
            expiresAt: asked.expiresAt,
            kinds: asked.kinds,
            commands: approvalCommands(approvalKey(where.journalKey, asked.nonce), {
              ...(deployed && where.functionName ? { functionName: where.functionName } : {}),
              ...(deployed && where.region ? { region: where.region } : {}),
              ...(journalFile ? { journalFile } : {}),
            }),
            expiry: 'schedule' in asked.expiry ? `EventBridge Scheduler schedule ${asked.expiry.schedule}` : asked.expiry.none,
            actOnExpiry: asked.kinds.filter((k) => where.actOnExpiry.has(k)),
          },
        }
      : {}),
    ...(answered ? { answered: { ...answered.approval.decision, id: approvalId(answered.approval.nonce) } } : {}),
  };
  return { approval: report };
}

/**
 * Why an answer is refused, or nothing when it may be acted on: the approval must await an answer (or be the same
 * answer whose invocation did not finish: it resumes), and be answered in time (an expiry, only once its time is up).
 */
export function refusalOf(approval: ApprovalRecord, closed: boolean, answer: Answer, now: Date): string | undefined {
  const state = stateOf(answer);
  if (approval.state !== 'awaiting') {
    const d = approval.decision;
    const when = d ? ` at ${d.at}${d.by ? ` by ${approverText(d.by)}` : ''}` : '';
    if (!closed && approval.state === state) return undefined;
    return `the approval was already ${approval.state}${when}: nothing changed`;
  }
  const expires = Date.parse(approval.expiresAt);
  if (answer === 'expire' && now.getTime() < expires) return `the approval does not expire before ${approval.expiresAt}: nothing changed`;
  if (answer !== 'expire' && now.getTime() >= expires)
    return `the approval expired at ${approval.expiresAt}: nothing changed (its expiry escalates, or acts where APPROVAL_ACT_ON_EXPIRY says)`;
  return undefined;
}

export function stateOf(answer: Answer): ApprovalDecision['state'] {
  return answer === 'approve' ? 'approved' : answer === 'deny' ? 'denied' : 'expired';
}
