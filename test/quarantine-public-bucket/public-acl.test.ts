import { describe, expect, it } from 'vitest';
import type { Grant } from '../../functions/core/aws/s3.js';
import { isPublicGrant } from '../../functions/quarantine-public-bucket/public-acl.js';

/** Which ACL grants make a bucket public (S3 user guide, "Access control list (ACL) overview", Amazon S3 predefined groups). */
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

describe('isPublicGrant', () => {
  it.each<[string, Grant, boolean]>([
    ['AllUsers (anyone)', { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' }, true],
    ['AuthenticatedUsers (any AWS account)', { Grantee: { Type: 'Group', URI: AUTHENTICATED_USERS }, Permission: 'WRITE' }, true],
    ['LogDelivery (S3 server access logging)', { Grantee: { Type: 'Group', URI: LOG_DELIVERY }, Permission: 'WRITE' }, false],
    ['a group without URI', { Grantee: { Type: 'Group' }, Permission: 'READ' }, false],
    [
      'the AllUsers URI on a grantee that is not a group',
      { Grantee: { Type: 'CanonicalUser', ID: 'abc', URI: ALL_USERS }, Permission: 'READ' },
      false,
    ],
    [
      'the bucket owner',
      {
        Grantee: { Type: 'CanonicalUser', ID: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' },
        Permission: 'FULL_CONTROL',
      },
      false,
    ],
    ['an e-mail grantee', { Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: 'a@example.com' }, Permission: 'READ' }, false],
    ['a grant without grantee', { Permission: 'READ' }, false],
  ])('%s -> public: %s', (_, grant, expected) => {
    expect(isPublicGrant(grant)).toBe(expected);
  });
});
