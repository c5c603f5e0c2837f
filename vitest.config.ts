import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // AWS Config answers DescribeConfigRules in every test (test/support/config-rules.ts).
    setupFiles: ['test/support/setup.ts'],
    // The default report, then one plain closing line (`N passed, N failed, N skipped`) for CI.
    reporters: ['default', './test/support/summary-reporter.ts'],
    // The environment a deployed function gets, with fake credentials: every AWS call in tests is answered by
    // aws-sdk-client-mock, and nothing may reach the network.
    env: {
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'test-secret-not-real',
      AWS_EC2_METADATA_DISABLED: 'true',
      TOPIC_ARN: 'arn:aws:sns:eu-west-2:123456789012:ml-guard-notifications',
      REMEDIATION_MODE: 'enforce',
      FORENSICS_BUCKET: 'ml-guard-forensics-123456789012',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  },
});
