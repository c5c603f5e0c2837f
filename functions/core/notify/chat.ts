import type { EventResult } from '../remediation/result.js';
import type { Severity } from '../severity.js';
import { boundText, oneLine, QUOTED_VALUE_MAX, safePrefix } from '../text.js';
import type { EventFacts } from './describe-event.js';

/**
 * A notification in the custom-notification schema of AWS Chatbot (Amazon Q Developer in chat applications), the only
 * shape it posts to Slack or Microsoft Teams: `version` "1.0" and `source` "custom" are required, `content.description`
 * carries the text, `content.textType` "client-markdown" lets the chat app render it, `metadata.threadId` groups the
 * notifications about the same alarm or finding in one thread.
 */
export interface ChatNotification {
  version: '1.0';
  source: 'custom';
  id?: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps?: string[];
    keywords?: string[];
  };
  metadata: {
    threadId: string;
    summary: string;
    eventType: string;
    relatedResources?: string[];
    additionalContext: Record<string, string>;
  };
}

/** Our own bounds, to keep a chat message short enough to read in the channel; the e-mail has everything. */
export const CHAT_DESCRIPTION_MAX = 3500;
const CHAT_STEP_MAX = 400;
const CHAT_STEPS = 6;
const CHAT_RESOURCES = 10;
const THREAD_ID_MAX = 200;
/** The longest ARN AWS documents (IAM's limit): longer event text is not an ARN, and is cut. */
const RESOURCE_MAX = 2048;

const CUT_NOTE = '\n... (cut: the e-mail notification and the function log have everything)';

export function chatNotification(result: EventResult, facts: EventFacts | undefined, title: string, severity: Severity): ChatNotification {
  // Each piece of event text on its own line (it cannot start another), and cut; the whole description is cut again.
  const line = (text: string) => cut(oneLine(text), CHAT_DESCRIPTION_MAX, '...');
  const lines = [
    line(facts ? facts.headline : result.reason),
    ...(facts ? [line(result.reason)] : []),
    '',
    ...(facts ? facts.facts.map(([k, v]) => `${k}: ${line(v)}`) : []),
    ...(facts ? [`account ${shortId(facts.account)}, ${shortId(facts.region)}`] : []),
    ...result.targets.flatMap((t) => [
      '',
      `${t.target.type} ${line(t.target.id)}: ${t.status}${t.reason && t.reason !== result.reason ? ` - ${line(t.reason)}` : ''}`,
      ...t.steps.map((s) => `- [${s.outcome}] ${line(s.summary)}${s.detail ? ` (${line(s.detail)})` : ''}`),
      ...(t.notes ?? []).map((n) => `- note: ${line(n)}`),
    ]),
  ];
  const undo = result.targets.flatMap((t) =>
    t.steps.flatMap((s) => (s.undo && s.outcome === 'done' ? [`Undo "${s.summary}": ${s.undo}`] : [])),
  );
  const steps = [...(facts?.consoleUrl ? [`Console: ${facts.consoleUrl}`] : []), ...(facts?.nextSteps ?? []), ...undo]
    .slice(0, CHAT_STEPS)
    .map((s) => cut(oneLine(s), CHAT_STEP_MAX, '...'));
  const resources = result.targets.flatMap((t) => (t.target.arn ? [boundText(t.target.arn, RESOURCE_MAX)] : [])).slice(0, CHAT_RESOURCES);
  const context: Record<string, string> = {
    function: result.function,
    status: result.status,
    mode: result.account ? `${result.mode} in ${shortId(result.account)}` : result.mode,
    severity,
    ...(facts ? { account: shortId(facts.account), region: shortId(facts.region) } : {}),
    ...(result.eventId ? { eventId: shortId(result.eventId) } : {}),
    ...(result.findingId ? { findingId: shortId(result.findingId) } : {}),
  };
  return {
    version: '1.0',
    source: 'custom',
    ...(result.eventId ? { id: shortId(result.eventId) } : {}),
    content: {
      textType: 'client-markdown',
      title,
      description: cut(lines.join('\n').trim(), CHAT_DESCRIPTION_MAX, CUT_NOTE),
      ...(steps.length ? { nextSteps: steps } : {}),
      keywords: [severity, result.status, facts?.source ?? result.source ?? 'unknown', result.function],
    },
    metadata: {
      threadId: cut(`ml-guard:${result.function}:${result.findingId ?? result.eventId ?? title}`, THREAD_ID_MAX, ''),
      summary: title,
      eventType: `ml-guard.${result.function}.${result.status}`,
      ...(resources.length ? { relatedResources: resources } : {}),
      additionalContext: context,
    },
  };
}

/** An id from the event (account, region, event or finding id): one line, at most QUOTED_VALUE_MAX characters. */
function shortId(text: string): string {
  return boundText(oneLine(text), QUOTED_VALUE_MAX);
}

function cut(s: string, max: number, note: string): string {
  return s.length <= max ? s : `${safePrefix(s, max - note.length)}${note}`;
}
