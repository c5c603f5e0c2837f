import { putObjectOnce } from '../aws/s3.js';
import type { AuditRecord } from './record.js';
import type { AuditSink } from './sink.js';

/** What writing audit records needs, in both modes (dry-run events are recorded too), on `<bucket>/audit/*` only. */
export const auditIamActions = ['s3:PutObject'] as const;

/**
 * Audit records in the evidence bucket, one JSON line per object. The write is conditional (`If-None-Match: *`): a
 * key that exists already is refused with 412 `PreconditionFailed`, so a retry, a repeated delivery or a replay never
 * adds a second record or version. A checksum (CRC32) goes with every put: S3 requires one (or Content-MD5) on a bucket
 * with Object Lock retention. Other errors are thrown: throttling (`SlowDown`, 503) was retried by the SDK already.
 */
export function s3AuditSink(bucket: string): AuditSink {
  return {
    location: `s3://${bucket}/`,
    async write(key: string, record: AuditRecord) {
      const put = await putObjectOnce(bucket, key, `${JSON.stringify(record)}\n`, 'application/x-ndjson');
      return put === 'written' ? 'written' : 'already-written';
    },
  };
}
