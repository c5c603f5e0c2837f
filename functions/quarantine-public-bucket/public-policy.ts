/**
 * Which statements of a bucket policy grant access to the public. A statement is public when it allows a public
 * principal (`"*"`, `{"AWS": "*"}`, or everyone but a few through `NotPrincipal`) and no condition pins who may use it
 * to fixed values of a key such as aws:SourceVpce, aws:SourceIp or aws:PrincipalOrgID (S3's own meaning of
 * "public", in "The meaning of public" of the S3 user guide).
 */

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
  [key: string]: unknown;
}

/** Condition keys that, with fixed values, restrict who can use a statement (compared in lower case). */
const RESTRICTING_KEYS = new Set(
  [
    'aws:SourceIp',
    'aws:VpcSourceIp',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceArn',
    'aws:SourceAccount',
    'aws:SourceOwner',
    'aws:SourceOrgID',
    'aws:PrincipalOrgID',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:userid',
    's3:x-amz-server-side-encryption-aws-kms-key-id',
  ].map((k) => k.toLowerCase()),
);

export interface PolicySplit {
  document: PolicyDocument;
  publicStatements: PolicyStatement[];
  keptStatements: PolicyStatement[];
}

/** Parses a bucket policy and splits it into the public statements and all the others, in their order. */
export function splitPublicStatements(policy: string): PolicySplit {
  const document = JSON.parse(policy) as PolicyDocument;
  if (!document || typeof document !== 'object' || !('Statement' in document)) {
    throw new Error('bucket policy has no Statement');
  }
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return {
    document,
    publicStatements: statements.filter(isPublicStatement),
    keptStatements: statements.filter((s) => !isPublicStatement(s)),
  };
}

export function isPublicStatement(statement: PolicyStatement): boolean {
  if (statement.Effect !== 'Allow') return false;
  const grantsEveryone = 'NotPrincipal' in statement || isPublicPrincipal(statement.Principal);
  return grantsEveryone && !hasRestrictingCondition(statement.Condition);
}

function isPublicPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object' && 'AWS' in principal) {
    const aws = (principal as { AWS: unknown }).AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  }
  return false;
}

function hasRestrictingCondition(condition: PolicyStatement['Condition']): boolean {
  // (Object.entries of a malformed condition, a string or a number, finds no operator with a restricting key.)
  if (!condition) return false;
  return Object.entries(condition).some(([operator, entries]) => {
    // Negated operators, Null checks and ...IfExists (true when the key is absent) do not pin who may call.
    if (/Not|Null|IfExists/i.test(operator) || !entries) return false;
    return Object.entries(entries).some(([key, value]) => RESTRICTING_KEYS.has(key.toLowerCase()) && isFixed(key.toLowerCase(), value));
  });
}

function isFixed(key: string, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return false;
  return values.every((v) => {
    if (typeof v !== 'string' || v === '') return false;
    if (/[*?]/.test(v)) return false;
    // A prefix length of 0 (0.0.0.0/0, ::/0) is every address.
    if (key === 'aws:sourceip' || key === 'aws:vpcsourceip') return !v.endsWith('/0');
    return true;
  });
}
