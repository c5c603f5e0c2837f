import type { Config } from '../config.js';
import type { ParsedEvent } from '../events/parse.js';
import type { JournalStore } from '../journal/journal.js';
import { logger } from '../observability.js';
import { boundText, QUOTED_VALUE_MAX } from '../text.js';
import { type Answered, parseApprovalMessage, refusalOf, splitApprovalKey, stateOf } from './approval.js';
import { provenIdentity } from './approver.js';
import { type EventIds, ignore, intake } from './intake.js';
import type { Remediation, RunOptions } from './remediate.js';
import type { EventResult } from './result.js';
import type { StepBase } from './types.js';

/** What the approval path takes from the flow (passed in, so that the flow loads this module only when an answer comes). */
export interface Flow {
  respond<T, State, S extends StepBase, Aws>(
    raw: unknown,
    received: { event: ParsedEvent; ids: EventIds },
    remediation: Remediation<T, State, S, Aws>,
    options: RunOptions<Aws>,
    answered?: Answered,
  ): Promise<EventResult>;
  journalFor(config: Config): Promise<JournalStore>;
}

/**
 * The approval path: a person's answer (or the scheduler's expiry) to an approval the journal holds. Checked like an
 * event: a malformed message, a key no approval has (mistyped, forged, or replaced by a newer approval), an answer
 * given twice, late, or an expiry delivered early changes nothing and says why. Otherwise the answer is journaled
 * atomically (one answer wins), and the event is taken up again: each held target is read and planned again, and acted
 * on as answered.
 */
export async function answerApproval<T, State, S extends StepBase, Aws>(
  raw: unknown,
  remediation: Remediation<T, State, S, Aws>,
  options: RunOptions<Aws>,
  { respond, journalFor }: Flow,
): Promise<EventResult> {
  const { functionName, config } = options;
  const base = { function: functionName, mode: config.mode };
  const refuse = (why: string) => ignore(base, `approval answer refused: ${why}`);
  const message = parseApprovalMessage(raw);
  if ('invalid' in message) return refuse(message.invalid);
  const parts = splitApprovalKey(message.key);
  if (!parts) return refuse('the key is not an approval key (<function>#<event id>#<32 hex digits>): nothing changed');
  if (!parts.journalKey.startsWith(`${functionName}#`)) return refuse(`the key is not one of ${functionName}'s approvals: nothing changed`);
  const journal = options.journal ?? (await journalFor(config));
  const now = (options.now ?? (() => new Date()))();
  const { event: record } = await journal.read(parts.journalKey);
  const approval = record?.approval;
  if (!record || !approval || approval.nonce !== parts.nonce) {
    return refuse('no approval has this key (mistyped, forged, or replaced by a newer approval): nothing changed');
  }
  const refusal = refusalOf(approval, record.closed, message.decision, now);
  if (refusal) return refuse(refusal);
  let decision = approval.decision;
  if (approval.state === 'awaiting') {
    const proven = message.proof ? await provenIdentity(message.proof, message.key, now) : undefined;
    if (proven && 'invalid' in proven) return refuse(`${proven.invalid}: nothing changed`);
    decision = {
      state: stateOf(message.decision),
      at: now.toISOString(),
      by:
        message.decision === 'expire'
          ? { identity: 'ml-guard (no answer in time)', verified: true, via: 'EventBridge Scheduler' }
          : proven
            ? { identity: proven.arn, verified: true, via: 'lambda:Invoke' }
            : { identity: message.by ?? 'not stated', verified: false, via: 'lambda:Invoke' },
      ...(message.reason ? { reason: message.reason } : {}),
    };
    if (!(await journal.decide(parts.journalKey, { nonce: parts.nonce, decision, now }))) {
      const again = (await journal.read(parts.journalKey)).event?.approval;
      return refuse(`another answer came first (the approval is ${again?.state ?? 'gone'}): nothing changed`);
    }
  }
  if (!decision) return refuse('the approval has no answer recorded: nothing changed');
  logger.info('approval answered', { key: boundText(parts.journalKey, QUOTED_VALUE_MAX), decision });
  const received = await intake(approval.event, base, remediation.details);
  if ('ignored' in received) return received.ignored;
  return respond(
    approval.event,
    received,
    remediation,
    { ...options, journal },
    { approval: { ...approval, state: decision.state, decision } },
  );
}
