import { DeleteBucketTaggingCommand, DeletePublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { type BucketRef, deleteBucketPolicy, putBucketAcl, putBucketPolicy, putBucketTags, s3Client } from '../../functions/core/aws/s3.js';
import type { QuarantineUndoAction } from './quarantine.js';

/**
 * The writes of `npm run undo`, made with the credentials of the person who runs it (the SDK's default chain: never
 * a role of ml-guard): the undo widens access, which ml-guard never does itself. The writes ml-guard's adapters
 * already make are reused; the others are here, outside every Lambda bundle.
 */
const ids = ({ bucket, expectedOwner }: BucketRef) => ({
  Bucket: bucket,
  ...(expectedOwner ? { ExpectedBucketOwner: expectedOwner } : {}),
});

export async function runQuarantineUndo(action: QuarantineUndoAction): Promise<void> {
  switch (action.kind) {
    case 'restorePublicAccessBlock':
      if (action.configuration)
        await s3Client().send(
          new PutPublicAccessBlockCommand({ ...ids(action.ref), PublicAccessBlockConfiguration: action.configuration }),
        );
      else await s3Client().send(new DeletePublicAccessBlockCommand(ids(action.ref)));
      return;
    case 'restoreAcl':
      return putBucketAcl(action.ref, action.owner, action.grants);
    case 'restorePolicy':
      return action.policy === null ? deleteBucketPolicy(action.ref) : putBucketPolicy(action.ref, action.policy);
    case 'restoreTags':
      if (action.tags.length === 0) {
        await s3Client().send(new DeleteBucketTaggingCommand(ids(action.ref)));
        return;
      }
      return putBucketTags(action.ref, action.tags);
  }
}
