import type { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'vitest';
import { BASE_ACTIONS, FUNCTIONS } from './functions.js';

type ClientClass = Parameters<typeof mockClient>[0];

/** The IAM action prefix of each SDK client the functions use. */
const SERVICE_PREFIX: Record<string, string> = {
  S3Client: 's3',
  IAMClient: 'iam',
  SageMakerClient: 'sagemaker',
  SecretsManagerClient: 'secretsmanager',
  SNSClient: 'sns',
  DynamoDBClient: 'dynamodb',
  CloudTrailClient: 'cloudtrail',
  ConfigServiceClient: 'config',
  SchedulerClient: 'scheduler',
};

/** Commands whose IAM action is not named after them (S3 user guide, "Amazon S3 actions"). */
const ACTION_OF_COMMAND: Record<string, string> = {
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3:DeletePublicAccessBlock': 's3:PutBucketPublicAccessBlock',
};

/** The IAM action a command sent through a client of `clientName` needs. */
export function iamActionOf(clientName: string, commandName: string): string {
  const prefix = SERVICE_PREFIX[clientName];
  if (!prefix) throw new Error(`no IAM prefix known for ${clientName}: add it to SERVICE_PREFIX`);
  const action = `${prefix}:${commandName.replace(/Command$/, '')}`;
  return ACTION_OF_COMMAND[action] ?? action;
}

/** Every action a function's role may be granted, in either mode: its base, its reads, its remediation's writes, its approvals. */
export function declaredActions(functionName: string): Set<string> {
  const f = FUNCTIONS.find((candidate) => candidate.name === functionName);
  if (!f) throw new Error(`${functionName} is not in FUNCTIONS (test/support/functions.ts)`);
  const writes = Object.values(f.remediation?.runners ?? {}).flatMap((r) => [...r.iamActions]);
  return new Set([...BASE_ACTIONS, ...f.alwaysActions, ...writes, ...f.approvalActions]);
}

/**
 * The commands the test just sent through the mocked clients (aws-sdk-client-mock stubs `send` on the client's
 * prototype, and sinon keeps its calls until the stub is reset), as IAM actions.
 */
export function sentActions(clients: readonly ClientClass[]): string[] {
  return clients.flatMap((client) => {
    const { name, prototype } = client as unknown as { name: string; prototype: { send: { getCalls?: () => { args: unknown[] }[] } } };
    return (prototype.send.getCalls?.() ?? []).map((call) => iamActionOf(name, (call.args[0] as object).constructor.name));
  });
}

/**
 * Fails the test when it made the function send a command whose IAM action the function does not declare, so that
 * the lists its role is built and tested from cannot drift from the calls its code makes.
 */
export function expectDeclaredCalls(functionNames: readonly string[], clients: readonly ClientClass[]): void {
  const declared = new Set(functionNames.flatMap((name) => [...declaredActions(name)]));
  const undeclared = [...new Set(sentActions(clients))].filter((action) => !declared.has(action));
  expect(undeclared, `${functionNames.join(', ')} sent commands whose IAM actions it does not declare`).toEqual([]);
}
