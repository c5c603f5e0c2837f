import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll } from 'vitest';

/**
 * A real DynamoDB emulator (dynalite, in memory) on a loopback port for the tests of one file: conditional writes,
 * expression handling, validation and paging as DynamoDB documents them. Each call of `table()` makes a new table
 * with the journal's key schema (as template.yaml defines it), so tests do not share state.
 */
export function dynaliteServer() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let client: DynamoDBClient | undefined;
  let tables = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test-secret-not-real' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const db = (): DynamoDBClient => {
    if (!client) throw new Error('dynalite is not started yet (call db() inside a test)');
    return client;
  };
  /**
   * A new, empty table, ACTIVE; resolves to its name. By default the journal's key schema (`pk`, `sk`); with
   * `hashOnly`, notify's flood-control table (`pk` alone), as template.yaml defines them.
   */
  const table = async ({ hashOnly = false } = {}): Promise<string> => {
    tables += 1;
    const name = `ml-guard-${hashOnly ? 'state' : 'journal'}-${tables}`;
    await db().send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          ...(hashOnly ? [] : [{ AttributeName: 'sk', AttributeType: 'S' as const }]),
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(hashOnly ? [] : [{ AttributeName: 'sk', KeyType: 'RANGE' as const }])],
      }),
    );
    // dynalite answers CreateTable with CREATING and turns the table ACTIVE on a timer, even at createTableMs 0.
    await waitUntilTableExists({ client: db(), minDelay: 0.01, maxDelay: 0.05, maxWaitTime: 10 }, { TableName: name });
    return name;
  };
  return { db, table };
}
