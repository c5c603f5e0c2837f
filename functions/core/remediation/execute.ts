import { describeError } from '../errors.js';
import type { Plan, Runner, Runners, StepBase, StepResult, TargetResult, TargetStatus } from './types.js';

export interface ExecuteOptions {
  dryRun: boolean;
  /** Called with each failed step, for logs; the failure is also in the result. */
  onStepFailed?: (step: StepBase, error: unknown) => void;
}

/**
 * Runs a plan's steps in order (or, in dry-run, reports them). A failed step is reported and the next steps still run,
 * unless the failed step is critical: then the rest are reported as not run.
 */
export async function executePlan<S extends StepBase, Aws>(
  plan: Plan<S>,
  runners: Runners<S, Aws>,
  aws: Aws,
  options: ExecuteOptions,
): Promise<TargetResult> {
  const base = { target: plan.target, ...(plan.notes?.length ? { notes: plan.notes } : {}), ...(plan.severity ? { severity: plan.severity } : {}) };
  if (plan.hold) {
    const steps = plan.steps.map((s) => stepResult(s, 'not-run', `not run: ${plan.reason ?? plan.hold}`));
    return { ...base, status: holdStatus[plan.hold], reason: plan.reason ?? plan.hold, steps };
  }
  if (plan.steps.length === 0) {
    return { ...base, status: 'already-compliant', reason: plan.reason ?? 'nothing to change', steps: [] };
  }
  if (options.dryRun) {
    return { ...base, status: 'planned', reason: 'dry-run: nothing was changed', steps: plan.steps.map((s) => stepResult(s, 'would-do')) };
  }

  const results: StepResult[] = [];
  let abortedBy: StepBase | undefined;
  for (const step of plan.steps) {
    if (abortedBy) {
      results.push(stepResult(step, 'not-run', `not run: "${abortedBy.summary}" failed`));
      continue;
    }
    // The mapped type guarantees a runner per kind; this view of it lets the loop call it with the union.
    const runner = (runners as unknown as Record<string, Runner<S, Aws> | undefined>)[step.kind];
    try {
      if (!runner) throw new Error(`no runner for step kind "${step.kind}"`);
      const { outcome, detail } = await runner.run(step, aws);
      results.push(stepResult(step, outcome, detail));
    } catch (error) {
      options.onStepFailed?.(step, error);
      results.push(stepResult(step, 'failed', describeError(error)));
      if (step.critical) abortedBy = step;
    }
  }
  return { ...base, ...summarise(results), steps: results };
}

const holdStatus: Record<NonNullable<Plan<StepBase>['hold']>, TargetStatus> = {
  skipped: 'skipped',
  'notify-only': 'notified',
  'limit-exceeded': 'limit-exceeded',
  blocked: 'failed',
};

function summarise(results: StepResult[]): { status: TargetStatus; reason: string } {
  const failed = results.filter((r) => r.outcome === 'failed' || r.outcome === 'not-run').length;
  const changed = results.filter((r) => r.outcome === 'done').length;
  if (failed === 0) {
    return changed > 0
      ? { status: 'remediated', reason: `${changed} change(s) made` }
      : { status: 'already-compliant', reason: 'every step found the resource already as wanted' };
  }
  const succeeded = results.length - failed;
  return succeeded > 0
    ? { status: 'partial', reason: `${failed} of ${results.length} step(s) failed or did not run` }
    : { status: 'failed', reason: `all ${results.length} step(s) failed or did not run` };
}

function stepResult(step: StepBase, outcome: StepResult['outcome'], detail?: string): StepResult {
  return {
    kind: step.kind,
    summary: step.summary,
    outcome,
    ...(detail ? { detail } : {}),
    ...(step.undo && outcome !== 'not-run' && outcome !== 'failed' ? { undo: step.undo } : {}),
  };
}

/** Orders target statuses from most to least in need of a person's attention; an event takes its targets' worst. */
const attention: TargetStatus[] = [
  'failed',
  'partial',
  'limit-exceeded',
  'remediated',
  'planned',
  'notified',
  'skipped',
  'already-compliant',
];

export function worstStatus(statuses: TargetStatus[]): TargetStatus | undefined {
  return attention.find((s) => statuses.includes(s));
}
