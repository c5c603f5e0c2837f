import { S3ServiceException } from '@aws-sdk/client-s3';

/** An S3 error as the SDK raises it for a code S3 returns without a modeled class (NoSuchBucketPolicy...). */
export function s3Error(name: string, httpStatusCode: number, message = name): S3ServiceException {
  return new S3ServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode }, message });
}
