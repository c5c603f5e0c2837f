import type { AuditRecord, AuditTarget } from '../../functions/core/audit/record.js';
import type { EventRecord } from '../../functions/core/journal/journal.js';
import { undoSubject } from './types.js';
import type { UndoReport } from './undo.js';

/**
 * The audit record of an executed undo: evidence too, in the audit table's own columns so that the same queries find
 * it. `function` is `undo-<function>`, `event.source` `undo`, and `event.time` when the undo ran (the record's
 * partition: an undo is found among the changes of the day it was made); `event.id` is the original event's id with the
 * undo run (`<event id>#undo-<N>`), so each run has a record of its own. Each step is `undo:<kind>` with its outcome;
 * a refused step is `refused`, with what changed.
 */
export function undoAuditRecord(report: UndoReport, original: EventRecord, who: string, at: Date): AuditRecord {
  const run = report.journal?.attempt ?? 1;
  const targets: AuditTarget[] = report.targets.map((t) => ({
    type: t.target.type,
    id: t.target.id,
    ...(t.target.arn ? { arn: t.target.arn } : {}),
    status: t.steps.every((s) => s.outcome === 'done' || s.outcome === 'guidance') ? 'undone' : 'partial',
    ...(t.notes.length ? { notes: t.notes } : {}),
    steps: t.steps.map((s) => ({
      kind: `undo:${s.undoes.kind}`,
      summary: s.summary,
      outcome: s.outcome,
      ...(s.detail ? { detail: s.detail } : {}),
      ...(s.outcome === 'done' ? { at: at.toISOString(), attempt: run } : {}),
      controls: [],
    })),
  }));
  return {
    record_version: 1,
    recorded_at: at.toISOString(),
    function: `undo-${report.function}`,
    mode: 'enforce',
    status: report.status,
    reason: `undo of ${report.key} by ${who}, with their own credentials`,
    event: {
      id: `${original.eventId}#undo-${run}`,
      source: 'undo',
      detail_type: 'ml-guard undo',
      type: 'undo',
      finding_id: original.findingId ?? '',
      account: '',
      region: process.env.AWS_REGION ?? '',
      time: at.toISOString(),
      severity_label: 'INFO',
    },
    targets,
    ...(report.notification
      ? {
          notification: {
            subject: undoSubject(report.status, report.targets[0]?.target.id ?? report.key),
            published: report.notification.published,
            ...(report.notification.messageId ? { message_id: report.notification.messageId } : {}),
          },
        }
      : {}),
    ...(report.journal ? { journal: report.journal } : {}),
    controls: [],
  };
}
