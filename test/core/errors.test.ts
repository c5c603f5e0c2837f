import { describe, expect, it } from 'vitest';
import { AccessKeyLimitError, EntityNotFoundError } from '../../functions/core/aws/iam.js';
import { BucketNotFoundError } from '../../functions/core/aws/s3.js';
import {
  ConfigError,
  describeError,
  InvalidEventError,
  MlGuardError,
  RetryLaterError,
  StateNotReadError,
  UnsupportedEventError,
} from '../../functions/core/errors.js';
import { JournalConflictError, JournalError } from '../../functions/core/journal/journal.js';
import { NotificationError } from '../../functions/core/notify/publish.js';
import { RotationIncompleteError } from '../../functions/rotate-credentials/runners.js';

/** ml-guard's own errors share one base: each is named after its class (also once minified) and keeps its cause. */
describe('ml-guard errors', () => {
  it.each([
    ['InvalidEventError', InvalidEventError],
    ['UnsupportedEventError', UnsupportedEventError],
    ['ConfigError', ConfigError],
    ['StateNotReadError', StateNotReadError],
    ['RetryLaterError', RetryLaterError],
    ['JournalError', JournalError],
    ['JournalConflictError', JournalConflictError],
    ['NotificationError', NotificationError],
    ['BucketNotFoundError', BucketNotFoundError],
    ['EntityNotFoundError', EntityNotFoundError],
    ['AccessKeyLimitError', AccessKeyLimitError],
    ['RotationIncompleteError', RotationIncompleteError],
  ])('%s is an MlGuardError named so, keeping its cause', (name, ErrorClass) => {
    // Prepare
    const cause = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

    // Act
    const error = new ErrorClass('what went wrong', { cause });

    // Assess
    expect(error).toBeInstanceOf(MlGuardError);
    expect(error.name).toBe(name);
    expect(error.cause).toBe(cause);
    expect(describeError(error)).toBe(`${name}: what went wrong`);
  });
});
