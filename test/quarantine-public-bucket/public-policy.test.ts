import { describe, expect, it } from 'vitest';
import { isPublicStatement, type PolicyStatement, splitPublicStatements } from '../../functions/quarantine-public-bucket/public-policy.js';

/**
 * One row per statement shape, principal form and condition operator that decides whether a bucket policy statement
 * is public, from "The meaning of public" (S3 user guide, Blocking public access) and the IAM policy grammar
 * (Principal / NotPrincipal, condition operators, ...IfExists, Null, set operators). A wrong answer here either
 * leaves a bucket open to the internet or removes a statement that was not public.
 */
const BUCKET = 'arn:aws:s3:::ml-training-data/*';
const allow = (extra: Partial<PolicyStatement>): PolicyStatement => ({
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: BUCKET,
  ...extra,
});
const everyoneIf = (Condition: PolicyStatement['Condition']) => allow({ Principal: '*', Condition });

describe('isPublicStatement: who the statement names', () => {
  it.each<[string, PolicyStatement, boolean]>([
    ['Principal "*"', allow({ Principal: '*' }), true],
    ['Principal {"AWS": "*"}', allow({ Principal: { AWS: '*' } }), true],
    ['Principal {"AWS": [an account, "*"]}', allow({ Principal: { AWS: ['arn:aws:iam::111122223333:root', '*'] } }), true],
    ['Principal {"AWS": an account}', allow({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } }), false],
    ['Principal {"AWS": [two accounts]}', allow({ Principal: { AWS: ['111122223333', '444455556666'] } }), false],
    ['Principal {"AWS": []}', allow({ Principal: { AWS: [] } }), false],
    ['Principal {"Service": a service}', allow({ Principal: { Service: 'logging.s3.amazonaws.com' } }), false],
    [
      'Principal {"CanonicalUser": an id}',
      allow({ Principal: { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' } }),
      false,
    ],
    ['Principal null', allow({ Principal: null }), false],
    ['no Principal at all', allow({}), false],
    [
      'Principal "arn:aws:iam::111122223333:root" (a string that is not "*")',
      allow({ Principal: 'arn:aws:iam::111122223333:root' }),
      false,
    ],
    // Allow with NotPrincipal grants everyone except the principals named: public whatever it names.
    ['NotPrincipal an account', allow({ NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } }), true],
    ['NotPrincipal "*" (still an Allow to everyone it does not exclude)', allow({ NotPrincipal: '*' }), true],
  ])('%s -> public: %s', (_, statement, expected) => {
    expect(isPublicStatement(statement)).toBe(expected);
  });

  it.each<[string, PolicyStatement]>([
    ['Deny to "*"', { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: BUCKET }],
    [
      'Deny with NotPrincipal',
      { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:*', Resource: BUCKET },
    ],
    ['no Effect', { Principal: '*', Action: 's3:GetObject', Resource: BUCKET }],
  ])('%s -> not public: it allows nothing', (_, statement) => {
    expect(isPublicStatement(statement)).toBe(false);
  });
});

describe('isPublicStatement: conditions that pin who may call (S3 "The meaning of public")', () => {
  it.each<[string, string]>([
    ['aws:SourceIp', '203.0.113.0/24'],
    ['aws:VpcSourceIp', '10.0.0.0/16'],
    ['aws:SourceVpc', 'vpc-1a2b3c4d'],
    ['aws:SourceVpce', 'vpce-1a2b3c4d'],
    ['aws:SourceArn', 'arn:aws:cloudtrail:eu-west-2:111122223333:trail/ml'],
    ['aws:SourceAccount', '111122223333'],
    ['aws:SourceOwner', '111122223333'],
    ['aws:SourceOrgID', 'o-a1b2c3d4e5'],
    ['aws:PrincipalOrgID', 'o-a1b2c3d4e5'],
    ['aws:PrincipalAccount', '111122223333'],
    ['aws:PrincipalArn', 'arn:aws:iam::111122223333:role/ml-training'],
    ['aws:userid', 'AROAEXAMPLEID:ml-training'],
    ['s3:x-amz-server-side-encryption-aws-kms-key-id', 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
  ])('%s = %s (a fixed value) -> not public', (key, value) => {
    const operator = key.endsWith('Ip') ? 'IpAddress' : key.endsWith('Arn') ? 'ArnEquals' : 'StringEquals';
    expect(isPublicStatement(everyoneIf({ [operator]: { [key]: value } }))).toBe(false);
  });

  it.each<[string, PolicyStatement['Condition'], boolean]>([
    // Keys compared without regard to case, as IAM does.
    ['AWS:SOURCEVPCE in capitals', { StringEquals: { 'AWS:SOURCEVPCE': 'vpce-1a2b3c4d' } }, false],
    ['aws:sourceip in lower case', { IpAddress: { 'aws:sourceip': '203.0.113.0/24' } }, false],
    // Keys that say nothing about who calls.
    ['aws:SecureTransport true', { Bool: { 'aws:SecureTransport': 'true' } }, true],
    ['aws:UserAgent', { StringEquals: { 'aws:UserAgent': 'aws-cli/2' } }, true],
    ['aws:Referer (spoofable)', { StringLike: { 'aws:Referer': 'https://www.example.com/' } }, true],
    // Negated operators match every caller but the ones named.
    ['StringNotEquals aws:SourceVpce', { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }, true],
    ['NotIpAddress aws:SourceIp', { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, true],
    ['ArnNotLike aws:PrincipalArn', { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/*' } }, true],
    ['ForAllValues:StringNotEquals aws:SourceVpce', { 'ForAllValues:StringNotEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }, true],
    // ...IfExists is true when the key is absent, which it is for most callers.
    ['StringEqualsIfExists aws:SourceVpce', { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }, true],
    ['IpAddressIfExists aws:SourceIp', { IpAddressIfExists: { 'aws:SourceIp': '203.0.113.0/24' } }, true],
    // Null tests only whether the key is present.
    ['Null aws:SourceVpce false', { Null: { 'aws:SourceVpce': 'false' } }, true],
    // A set operator without negation still pins the value.
    ['ForAnyValue:StringEquals aws:SourceVpce', { 'ForAnyValue:StringEquals': { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }, false],
    // One pinning operator is enough, whatever else the condition says.
    [
      'a negated operator and a pinning one',
      { StringNotEquals: { 'aws:SourceVpce': 'vpce-0' }, StringEquals: { 'aws:SourceAccount': '111122223333' } },
      false,
    ],
    ['a pinning key among unrelated ones', { StringEquals: { 'aws:UserAgent': 'x', 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }, false],
    // Malformed or empty conditions pin nothing.
    ['an empty Condition', {}, true],
    ['an operator with no keys', { StringEquals: {} }, true],
    ['an operator whose value is not an object', { StringEquals: 'aws:SourceVpce' as unknown as Record<string, unknown> }, true],
    ['an operator whose value is null', { StringEquals: null as unknown as Record<string, unknown> }, true],
  ])('%s -> public: %s', (_, condition, expected) => {
    expect(isPublicStatement(everyoneIf(condition))).toBe(expected);
  });

  it('treats a Condition that is not an object as no condition', () => {
    expect(isPublicStatement(allow({ Principal: '*', Condition: 'aws:SourceVpce' as unknown as PolicyStatement['Condition'] }))).toBe(true);
  });
});

describe('isPublicStatement: values that are not fixed', () => {
  it.each<[string, string, unknown, boolean]>([
    ['a wildcard *', 'aws:SourceVpce', 'vpce-*', true],
    ['a wildcard ?', 'aws:SourceVpce', 'vpce-1a2b3c4?', true],
    ['"*" alone', 'aws:PrincipalOrgID', '*', true],
    ['an empty string', 'aws:SourceAccount', '', true],
    ['an empty list', 'aws:SourceAccount', [], true],
    ['a list of fixed values', 'aws:SourceVpce', ['vpce-1a2b3c4d', 'vpce-5e6f7a8b'], false],
    ['a list with one wildcard', 'aws:SourceVpce', ['vpce-1a2b3c4d', 'vpce-*'], true],
    ['a number, not a string', 'aws:SourceAccount', 111122223333, true],
    ['a boolean', 'aws:SourceAccount', true, true],
    ['IPv4 0.0.0.0/0 (every address)', 'aws:SourceIp', '0.0.0.0/0', true],
    ['IPv6 ::/0 (every address)', 'aws:SourceIp', '::/0', true],
    ['aws:VpcSourceIp 0.0.0.0/0', 'aws:VpcSourceIp', '0.0.0.0/0', true],
    ['a list of addresses with 0.0.0.0/0 among them', 'aws:SourceIp', ['203.0.113.0/24', '0.0.0.0/0'], true],
    ['IPv4 /8', 'aws:SourceIp', '10.0.0.0/8', false],
    ['IPv4 /10 (ends in 0, not /0)', 'aws:SourceIp', '100.64.0.0/10', false],
    ['a single address', 'aws:SourceIp', '203.0.113.7', false],
    // "/0" means every address only for the address keys; an ARN may end in it.
    ['an ARN ending in /0', 'aws:SourceArn', 'arn:aws:cloudtrail:eu-west-2:111122223333:trail/0', false],
  ])('%s -> public: %s', (_, key, value, expected) => {
    const operator = key.endsWith('Ip') ? 'IpAddress' : 'StringLike';
    expect(isPublicStatement(everyoneIf({ [operator]: { [key]: value } }))).toBe(expected);
  });
});

describe('splitPublicStatements', () => {
  it('splits the public statements from the others, each in its order, and keeps the document', () => {
    // Prepare
    const statements = [
      allow({ Sid: 'PublicRead', Principal: '*' }),
      allow({ Sid: 'Partner', Principal: { AWS: 'arn:aws:iam::111122223333:root' } }),
      allow({ Sid: 'PublicList', Principal: { AWS: '*' }, Action: 's3:ListBucket' }),
      {
        Sid: 'DenyHttp',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: BUCKET,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ];
    const policy = JSON.stringify({ Version: '2012-10-17', Id: 'ml-data', Statement: statements });

    // Act
    const split = splitPublicStatements(policy);

    // Assess
    expect(split.publicStatements.map((s) => s.Sid)).toEqual(['PublicRead', 'PublicList']);
    expect(split.keptStatements.map((s) => s.Sid)).toEqual(['Partner', 'DenyHttp']);
    expect(split.document).toEqual({ Version: '2012-10-17', Id: 'ml-data', Statement: statements });
  });

  it('takes a single Statement object as a list of one', () => {
    const split = splitPublicStatements(JSON.stringify({ Version: '2012-10-17', Statement: allow({ Sid: 'Only', Principal: '*' }) }));

    expect(split.publicStatements.map((s) => s.Sid)).toEqual(['Only']);
    expect(split.keptStatements).toEqual([]);
  });

  it.each([
    ['a document without Statement', JSON.stringify({ Version: '2012-10-17' })],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"policy"'],
  ])('refuses %s', (_, policy) => {
    expect(() => splitPublicStatements(policy)).toThrow('bucket policy has no Statement');
  });

  it('refuses text that is not JSON', () => {
    expect(() => splitPublicStatements('{"Statement": [')).toThrow(SyntaxError);
  });
});
