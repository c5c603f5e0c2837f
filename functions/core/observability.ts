import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** Structured JSON logs (Powertools); the service name comes from POWERTOOLS_SERVICE_NAME when set. */
export const logger = new Logger({ serviceName: 'ml-guard' });

/** CloudWatch metrics in embedded metric format, flushed by the `logMetrics` middleware at the end of each invocation. */
export const metrics = new Metrics({ namespace: 'MlGuard', serviceName: 'ml-guard' });

/** One metric per outcome: `remediated`, `planned`, `ignored`, `failed`... with the function as a dimension. */
export function countOutcome(outcome: string): void {
  metrics.addMetric(outcome, MetricUnit.Count, 1);
}
