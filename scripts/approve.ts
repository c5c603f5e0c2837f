// Answers an approval ml-guard asked for (APPROVAL_REQUIRED): the key is in the notification.
//   npm run approve -- <key> --function-name NAME [--region REGION]     (deployed: invokes the function, as you)
//   npm run deny -- <key> --reason TEXT --function-name NAME [--region REGION]
//   npm run approve -- <key> --journal FILE [--by NAME]                (a local run's journal: runs the function here)
// Deployed, the answer carries a proof of who you are (an sts:GetCallerIdentity request signed with your credentials,
// which the function has STS check) and needs lambda:InvokeFunction on the function; the function, with its own role, re-reads the resources, plans again, and acts only if the plan is the
// one held. Prints the function's result (JSON); exits 1 when the answer was refused or the function failed.
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { functionNames } from './functions.mjs';
import { invokeLocally, journalInFile, loadHandler, stdoutForResultOnly } from './local-lambda.js';

type Decision = 'approve' | 'deny';
const decision = process.argv[2] as Decision;
const usage = `usage: npm run ${decision ?? 'approve'} -- <key>${decision === 'deny' ? ' --reason TEXT' : ''} (--function-name NAME [--region REGION] | --journal FILE [--by NAME])`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${decision ?? 'approve'}: ${message}\n`);
  process.exit(code);
}

if (decision !== 'approve' && decision !== 'deny') fail('run as npm run approve or npm run deny');
const args = process.argv.slice(3);
const valued = new Set(['--function-name', '--region', '--journal', '--by', '--reason']);
const values: Record<string, string> = {};
const positional: string[] = [];
for (let i = 0; i < args.length; i += 1) {
  const a = args[i] as string;
  if (valued.has(a)) {
    const v = args[i + 1];
    if (!v || v.startsWith('--')) fail(`${a} needs a value; ${usage}`);
    values[a] = v;
    i += 1;
  } else if (a.startsWith('--')) fail(`unknown option ${a}; ${usage}`);
  else positional.push(a);
}
const [key] = positional;
if (!key || positional.length > 1) fail(usage);
const functionName = values['--function-name'];
const journalFile = values['--journal'];
if (!functionName === !journalFile) fail(`give either --function-name (deployed) or --journal FILE (a local run); ${usage}`);
if (decision === 'deny' && !values['--reason']) fail(`a denial needs --reason TEXT (it is recorded and notified); ${usage}`);
// The function's name is the key's first part: `<function>#<event id>#<nonce>`.
const local = key.split('#')[0] ?? '';

// Never wait on the EC2 instance metadata service when no credentials are set on a workstation.
process.env.AWS_EC2_METADATA_DISABLED ??= 'true';

const answer = (by: string, proof?: unknown) => ({
  approval: { key, decision, by, ...(values['--reason'] ? { reason: values['--reason'] } : {}), ...(proof ? { proof } : {}) },
});

let result: unknown;
let failed: string | undefined;
const writeResult = stdoutForResultOnly();
if (journalFile) {
  if (!functionNames().includes(local)) fail(`the key names no function of this project ("${local}")`);
  await journalInFile(resolve(process.env.INIT_CWD ?? process.cwd(), journalFile));
  const handler = await loadHandler(local);
  try {
    result = await invokeLocally(handler, local, answer(values['--by'] ?? `${userInfo().username} (local)`));
  } catch (error) {
    fail(`${local} failed: ${(error as Error).message}`, 1);
  }
} else {
  const region = values['--region'] ? { region: values['--region'] } : {};
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  const { signIdentityProof } = await import('./approve/proof.js');
  // Who you are, proven: the function has STS check a GetCallerIdentity request signed with your credentials.
  const sts = new STSClient(region);
  let by: string;
  let proof: unknown;
  try {
    by = (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'unknown';
    proof = await signIdentityProof(key, sts.config.credentials, await sts.config.region());
  } catch (error) {
    fail(`cannot tell who you are (sts:GetCallerIdentity): ${(error as Error).message}`, 1);
  }
  try {
    const out = await new LambdaClient(region).send(
      new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(answer(by, proof))) }),
    );
    result = out.Payload ? JSON.parse(new TextDecoder().decode(out.Payload)) : undefined;
    if (out.FunctionError) failed = `the function failed (${out.FunctionError})`;
  } catch (error) {
    fail(`cannot invoke ${functionName}: ${(error as Error).message}`, 1);
  }
}
const refused = (result as { status?: string; reason?: string } | undefined)?.status === 'ignored';
if (refused) failed = (result as { reason: string }).reason;
writeResult(`${JSON.stringify(result, null, 2)}\n`, () => {
  if (failed) process.stderr.write(`${decision}: ${failed}\n`);
  process.exit(failed ? 1 : 0);
});
