import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { type AuditRecord, auditKey } from '../functions/core/audit/record.js';
import type { AuditSink } from '../functions/core/audit/sink.js';

/**
 * Audit records appended to a local file, one JSON line each, instead of the evidence bucket (`npm run invoke -- ...
 * --audit FILE`, `npm run undo -- ... --audit FILE`). As the bucket's conditional write does, a record whose key
 * (function, event id, day) the file holds already is not added again.
 */
export function fileAuditSink(file: string): AuditSink {
  return {
    location: `file:${file}#`,
    async write(key: string, record: AuditRecord) {
      const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
      const keys = lines.flatMap((line) => {
        try {
          return [auditKey(JSON.parse(line))];
        } catch {
          return [];
        }
      });
      if (keys.includes(key)) return 'already-written';
      appendFileSync(file, `${JSON.stringify(record)}\n`);
      return 'written';
    },
  };
}
