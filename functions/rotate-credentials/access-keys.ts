/** Access key ids: `AKIA...` for long-term keys of IAM users (and the root user), `ASIA...` for temporary credentials. */
export function isLongTermKey(accessKeyId: string): boolean {
  return /^AKIA[A-Z0-9]{12,124}$/.test(accessKeyId);
}

export function isTemporaryKey(accessKeyId: string): boolean {
  return /^ASIA[A-Z0-9]{12,124}$/.test(accessKeyId);
}
