/** The longest tag value S3 and SageMaker accept, in Unicode characters. */
export const TAG_VALUE_MAX = 256;

/**
 * Characters outside what S3 and SageMaker accept in a tag value: letters, digits, spaces and `_ . : / = + - @`
 * (`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`).
 */
const NOT_IN_TAG_CHARSET = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;

/** `text` as a tag value S3 and SageMaker accept: each character outside their charset replaced by `_`, at most 256. */
export function tagValue(text: string): string {
  return [...text.replace(NOT_IN_TAG_CHARSET, '_')].slice(0, TAG_VALUE_MAX).join('');
}
