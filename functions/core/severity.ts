/** How urgently a person should look: of an event, of a target's plan, and of the notification about them. */
export type Severity = 'INFO' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** From least to most urgent. */
export const SEVERITIES: readonly Severity[] = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** The severity raised to the highest of the floors given, never lowered. */
export function atLeast(severity: Severity, floors: readonly (Severity | undefined)[]): Severity {
  return floors.reduce<Severity>((s, floor) => (floor && SEVERITIES.indexOf(floor) > SEVERITIES.indexOf(s) ? floor : s), severity);
}
