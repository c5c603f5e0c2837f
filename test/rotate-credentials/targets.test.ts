import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.js';
import { InvalidEventError } from '../../functions/core/errors.js';
import { parseEvent } from '../../functions/core/events/details.js';
import { selectTargets } from '../../functions/rotate-credentials/targets.js';
import { loadEvent } from '../support/events.js';

const config = loadConfig({});

describe('selectTargets', () => {
  it('picks the user and key a finding names, with the last activity it saw', () => {
    const selection = selectTargets(parseEvent(loadEvent('guardduty/unauthorizedaccess-iamuser-toripcaller.json')), config);

    expect(selection).toEqual({
      action: 'remediate',
      targets: [
        {
          kind: 'user-key',
          account: '123456789012',
          region: 'us-east-1',
          trigger: 'guardduty:4ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
          seenUntil: '2017-12-08T15:32:49Z',
          userName: 'ml-pipeline-bot',
          accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
          principalId: 'AIDAJQABLZS4A3QDU576Q',
        },
      ],
    });
  });

  it("keeps the role id of an assumed role's principalId, without the session name", () => {
    const selection = selectTargets(
      parseEvent(loadEvent('guardduty/unauthorizedaccess-iamuser-maliciousipcaller-custom-assumedrole.json')),
      config,
    );

    expect(selection).toMatchObject({
      action: 'remediate',
      targets: [{ kind: 'role', roleName: 'ml-batch-inference', principalId: 'AROAJBATCHINFERENCE1' }],
    });
  });

  it("keeps no principal id when the finding's is not an IAM unique id of the principal's kind", () => {
    const event = loadEvent('guardduty/unauthorizedaccess-iamuser-toripcaller.json');
    event.detail.resource.accessKeyDetails.principalId = 'AROAJBATCHINFERENCE1:session';

    const selection = selectTargets(parseEvent(event), config);

    expect(selection).toMatchObject({ action: 'remediate', targets: [{ kind: 'user-key' }] });
    expect(selection.action === 'remediate' && selection.targets[0]).not.toHaveProperty('principalId');
  });

  it('notifies without a target when an IAM user finding names no valid user', () => {
    const event = loadEvent('guardduty/unauthorizedaccess-iamuser-toripcaller.json');
    event.detail.resource.accessKeyDetails.userName = 'not a/name';

    const selection = selectTargets(parseEvent(event), config);

    expect(selection).toMatchObject({ action: 'notify', targets: [] });
  });

  it('notifies about a Config user id that is not an IAM user id', () => {
    const event = loadEvent('config/access-keys-rotated-noncompliant.json');
    event.detail.resourceId = 'ml-pipeline-bot';

    expect(selectTargets(parseEvent(event), config)).toMatchObject({ action: 'notify' });
  });

  it('returns a selection for any principal a finding may carry, or the event is rejected as malformed, nothing else', () => {
    const base = loadEvent('guardduty/unauthorizedaccess-iamuser-toripcaller.json');
    const principal = fc.record(
      {
        accessKeyId: fc.oneof(fc.string(), fc.constant(null), fc.constantFrom('AKIAI44QH8DHBEXAMPLE', 'ASIAQCONSOLESESSION1')),
        userType: fc.oneof(
          fc.string(),
          fc.constant(null),
          fc.constantFrom('IAMUser', 'AssumedRole', 'Root', 'FederatedUser', 'AWSService'),
        ),
        userName: fc.oneof(fc.string(), fc.constant(null), fc.constantFrom('bot', 'Role+=,.@-_1')),
        principalId: fc.oneof(fc.string(), fc.anything()),
      },
      { requiredKeys: [] },
    );
    const severity = fc.oneof(fc.double({ noNaN: true }), fc.anything());

    fc.assert(
      fc.property(
        principal,
        severity,
        fc.oneof(fc.anything(), fc.constantFrom('Policy:IAMUser/RootCredentialUsage', 'PenTest:IAMUser/KaliLinux')),
        (details, sev, type) => {
          const event = structuredClone(base);
          event.detail.resource.accessKeyDetails = details;
          event.detail.severity = sev;
          event.detail.type = type;
          let parsed: ReturnType<typeof parseEvent>;
          try {
            parsed = parseEvent(event);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidEventError);
            return;
          }
          const selection = selectTargets(parsed, config);
          expect(['remediate', 'ignore', 'notify']).toContain(selection.action);
        },
      ),
      { numRuns: 300 },
    );
  });
});
