import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '../../functions/core/audit/record.js';
import { useAuditSink } from '../../functions/core/audit/sink.js';
import type { EventResult } from '../../functions/core/remediation/result.js';
import { functionNames } from '../../scripts/functions.mjs';
import { s3Error } from '../support/aws-errors.js';
import { allEventPaths, loadEvent } from '../support/events.js';
import { auditTableSchema, type HiveType, misfits, parseHiveType } from '../support/glue-schema.js';
import { loadTemplate } from '../support/template.js';

const template = loadTemplate();
const schema = auditTableSchema(template);
const table = template.Resources.AuditTable?.Properties?.TableInput;

// Every AWS read is denied, as for invoke-samples: a dry-run plans from the event alone.
const denied = () => s3Error('AccessDenied', 403, 'Access Denied');
const clients = [
  mockClient(S3Client),
  mockClient(IAMClient),
  mockClient(SageMakerClient),
  mockClient(SecretsManagerClient),
  mockClient(CloudTrailClient),
  mockClient(DynamoDBClient),
];
const sns = mockClient(SNSClient);

/** The evidence bucket as the functions see it: a record per key, a second put of a key refused. */
const written = new Map<string, AuditRecord>();
let handlers: Record<string, (event: unknown, context: unknown) => Promise<EventResult>>;

beforeAll(async () => {
  for (const c of clients) (c as ReturnType<typeof mockClient>).onAnyCommand().rejects(denied());
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  useAuditSink({
    location: 'memory:',
    async write(key, record) {
      if (written.has(key)) return 'already-written';
      written.set(key, JSON.parse(JSON.stringify(record)));
      return 'written';
    },
  });
  // Read at cold start: the handlers are loaded once the environment says dry-run.
  vi.stubEnv('REMEDIATION_MODE', 'dry-run');
  handlers = Object.fromEntries(
    await Promise.all(functionNames().map(async (name) => [name, (await import(`../../functions/${name}/handler.ts`)).handler] as const)),
  );
});
afterAll(() => {
  useAuditSink(undefined);
  vi.unstubAllEnvs();
  for (const c of [...clients, sns]) (c as ReturnType<typeof mockClient>).restore();
});

const context = (fn: string) => ({
  functionName: fn,
  awsRequestId: 'req-1',
  invokedFunctionArn: `arn:aws:lambda:eu-west-2:123456789012:function:${fn}`,
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 60_000,
});

const cases = functionNames().flatMap((fn) => allEventPaths().map((path) => [fn, path] as const));

describe('the audit record of every sample event through every function (dry-run)', () => {
  it.each(cases)('%s on %s fits the Glue table, or is not written for an ignored event', async (fn, path) => {
    const before = written.size;

    const result = await (handlers[fn] as (typeof handlers)[string])(loadEvent(path), context(fn));

    if (result.status === 'ignored') {
      expect(result.audit).toBeUndefined();
      expect(written.size).toBe(before);
      return;
    }
    expect(result.audit?.outcome).toBe('written');
    expect(written.size).toBe(before + 1);
    const key = (result.audit?.location ?? '').slice('memory:'.length);
    const record = written.get(key);
    expect(record).toMatchObject({ function: fn, mode: 'dry-run', status: result.status });
    expect(misfits(record, schema)).toEqual([]);
    expect(key).toMatch(/^audit\/year=\d{4}\/month=(0[1-9]|1[0-2])\/day=(0[1-9]|[12]\d|3[01])\/[a-z-]+_[^/]+\.json$/);
  });

  it('fills every column but those only a change or a field no sample has fills, so the table has no dead column', () => {
    const seen = new Set([...written.values()].flatMap((r) => pathsOf(r)));
    const declared = schemaPaths(schema);
    // Filled by steps that ran (enforce mode; test/audit/flow.test.ts). (actor.user_agent: the CloudTrail samples carry one.)
    const notInDryRuns = [
      'time_to_contain_seconds',
      'targets.prior_state',
      'targets.steps.at',
      'targets.steps.attempt',
      'targets.steps.detail',
      'targets.steps.retryable',
      // Filled when steps wait for approval, or an approval is answered (test/approval/*.test.ts).
      'approval_asked',
      'approval_asked.id',
      'approval_asked.kinds',
      'approval_asked.expires_at',
      'approval_answer',
      'approval_answer.id',
      'approval_answer.state',
      'approval_answer.at',
      'approval_answer.by',
      'approval_answer.verified',
      'approval_answer.via',
      'approval_answer.reason',
    ];

    expect(written.size).toBeGreaterThan(40);
    expect(declared.filter((p) => !seen.has(p)).sort()).toEqual(notInDryRuns.sort());
  });
});

describe('the Glue table of the audit trail', () => {
  it('is JSON over the audit prefix of the evidence bucket, partitioned by the projected year, month and day', () => {
    expect(table.StorageDescriptor).toMatchObject({
      Location: { 'Fn::Sub': 's3://${ForensicsBucket}/audit/' },
      SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
    });
    expect(table.PartitionKeys.map((k: { Name: string }) => k.Name)).toEqual(['year', 'month', 'day']);
    expect(table.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.month.range': '1,12',
      'projection.month.digits': '2',
      'projection.day.range': '1,31',
      'projection.day.digits': '2',
      'storage.location.template': { 'Fn::Sub': 's3://${ForensicsBucket}/audit/year=${!year}/month=${!month}/day=${!day}/' },
    });
    // An event without a readable time is recorded in 1970 (functions/core/audit/record.ts): the projection covers it.
    expect(table.Parameters['projection.year.range']).toBe('1970,2099');
  });

  it.each(['AuditQueryChanges', 'AuditQueryTimeToContain', 'AuditQueryPrincipals', 'AuditQueryFailures'])(
    '%s reads only columns the table has, and names every field of a struct it unnests',
    (logicalId) => {
      const sql: string = template.Resources[logicalId]?.Properties?.QueryString;
      const partitions = table.PartitionKeys.map((k: { Name: string }) => k.Name) as string[];
      const field = (path: string[]) =>
        path.length === 1 && partitions.includes(path[0] as string)
          ? ({ kind: 'primitive', name: 'string' } as HiveType)
          : path.reduce<HiveType | undefined>((t, name) => structField(elementOf(t), name), schema);

      expect(sql).toMatch(/FROM audit_records r\b/);
      for (const m of sql.matchAll(/\br\.("?\w+"?(?:\.\w+)*)/g)) {
        const path = (m[1] as string).replaceAll('"', '').split('.');
        expect(field(path), `r.${m[1]} in ${logicalId}`).toBeDefined();
      }
      for (const m of sql.matchAll(/UNNEST\((\w+)\.(\w+)\) AS (\w+) \(([^)]*)\)/g)) {
        const [, from, column, , aliases] = m as unknown as string[];
        const source = from === 'r' ? [column as string] : ['targets', column as string];
        const struct = elementOf(field(source));
        expect(struct?.kind).toBe('struct');
        const names = struct?.kind === 'struct' ? struct.fields.map((f) => f.name) : [];
        expect((aliases as string).split(',').map((a) => a.trim())).toEqual(names);
      }
    },
  );

  it('parses Hive types as Glue declares them', () => {
    expect(parseHiveType('array<struct<a:string,b:array<int>>>')).toEqual({
      kind: 'array',
      element: {
        kind: 'struct',
        fields: [
          { name: 'a', type: { kind: 'primitive', name: 'string' } },
          { name: 'b', type: { kind: 'array', element: { kind: 'primitive', name: 'int' } } },
        ],
      },
    });
    expect(() => parseHiveType('struct<a:string')).toThrow();
    expect(misfits({ a: 1, c: 'x' }, parseHiveType('struct<a:string,b:int>'))).toEqual(['$.a: 1 is not a string', '$.c: no such column']);
    expect(misfits({ b: 1.5 }, parseHiveType('struct<b:int>'))).toEqual(['$.b: 1.5 is not a int']);
  });
});

function elementOf(type: HiveType | undefined): HiveType | undefined {
  return type?.kind === 'array' ? type.element : type;
}

function structField(type: HiveType | undefined, name: string): HiveType | undefined {
  return type?.kind === 'struct' ? type.fields.find((f) => f.name === name)?.type : undefined;
}

/** Every field path of a value, arrays looked through: `targets.steps.kind`. */
function pathsOf(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => pathsOf(v, prefix));
  if (value === null || typeof value !== 'object') return prefix ? [prefix] : [];
  return Object.entries(value).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    const inner = Array.isArray(v) && v.length === 0 ? [] : pathsOf(v, path);
    return [path, ...inner];
  });
}

/** Every field path the schema declares, down to its leaves. */
function schemaPaths(type: HiveType, prefix = ''): string[] {
  const t = elementOf(type) as HiveType;
  if (t.kind !== 'struct') return prefix ? [prefix] : [];
  return t.fields.flatMap((f) => {
    const path = prefix ? `${prefix}.${f.name}` : f.name;
    return [path, ...schemaPaths(f.type, path).filter((p) => p !== path)];
  });
}
