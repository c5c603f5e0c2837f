import { CloudTrailClient, type Event, InvalidTimeRangeException, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { latestWriteCalls } from '../../functions/core/aws/cloudtrail.js';
import { describeWriteCalls } from '../../functions/notify/cloudtrail.js';

const NOW = new Date('2026-11-26T03:00:00.000Z');
const NOTEBOOK = 'fraud-research-notebook';
const client = () => new CloudTrailClient({ region: 'us-east-2' });

/** A LookupEvents event as CloudTrail returns it, with the record as JSON text. */
function trailEvent(
  name: string,
  readOnly: boolean,
  minutesAgo: number,
  arn = 'arn:aws:sts::123456789012:assumed-role/DataScientist/alice',
): Event {
  const time = new Date(NOW.getTime() - minutesAgo * 60_000);
  return {
    EventId: `id-${name}-${minutesAgo}`,
    EventName: name,
    ReadOnly: String(readOnly),
    EventTime: time,
    EventSource: 'sagemaker.amazonaws.com',
    Username: 'alice',
    Resources: [{ ResourceType: 'AWS::SageMaker::NotebookInstance', ResourceName: NOTEBOOK }],
    CloudTrailEvent: JSON.stringify({
      eventTime: time.toISOString(),
      eventSource: 'sagemaker.amazonaws.com',
      eventName: name,
      sourceIPAddress: '203.0.113.9',
      userIdentity: { type: 'AssumedRole', arn },
    }),
  };
}

afterEach(() => {
  mockClient(CloudTrailClient).restore();
});

describe('latestWriteCalls', () => {
  it('looks up the resource by name over the last 24 hours and keeps only the write calls, newest first', async () => {
    // Prepare
    const mock = mockClient(CloudTrailClient);
    mock.on(LookupEventsCommand).resolves({
      Events: [
        trailEvent('DescribeNotebookInstance', true, 5),
        trailEvent('UpdateNotebookInstance', false, 20),
        trailEvent('StopNotebookInstance', false, 30),
      ],
    });

    // Act
    const lookup = await latestWriteCalls(client(), NOTEBOOK, NOW);

    // Assess
    expect(mock.commandCalls(LookupEventsCommand).map((c) => c.args[0].input)).toEqual([
      {
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: NOTEBOOK }],
        StartTime: new Date('2026-11-25T03:00:00.000Z'),
        EndTime: NOW,
        MaxResults: 50,
      },
    ]);
    expect(lookup).toEqual({
      calls: [
        {
          time: '2026-11-26T02:40:00.000Z',
          principal: 'arn:aws:sts::123456789012:assumed-role/DataScientist/alice',
          call: 'sagemaker.amazonaws.com UpdateNotebookInstance',
          sourceIp: '203.0.113.9',
          eventId: 'id-UpdateNotebookInstance-20',
        },
        {
          time: '2026-11-26T02:30:00.000Z',
          principal: 'arn:aws:sts::123456789012:assumed-role/DataScientist/alice',
          call: 'sagemaker.amazonaws.com StopNotebookInstance',
          sourceIp: '203.0.113.9',
          eventId: 'id-StopNotebookInstance-30',
        },
      ],
      scanned: 3,
      complete: true,
      hours: 24,
    });
  });

  it('follows NextToken until it has found enough write calls', async () => {
    // Prepare
    const mock = mockClient(CloudTrailClient);
    mock
      .on(LookupEventsCommand)
      .resolvesOnce({ Events: [trailEvent('DescribeNotebookInstance', true, 1)], NextToken: 'page-2' })
      .resolvesOnce({
        Events: [trailEvent('UpdateNotebookInstance', false, 2), trailEvent('UpdateNotebookInstance', false, 3)],
        NextToken: 'page-3',
      })
      .resolvesOnce({ Events: [trailEvent('CreateNotebookInstance', false, 4)], NextToken: 'page-4' });

    // Act
    const lookup = await latestWriteCalls(client(), NOTEBOOK, NOW);

    // Assess
    expect(mock.commandCalls(LookupEventsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-2', 'page-3']);
    expect(lookup.calls.map((c) => c.call)).toEqual([
      'sagemaker.amazonaws.com UpdateNotebookInstance',
      'sagemaker.amazonaws.com UpdateNotebookInstance',
      'sagemaker.amazonaws.com CreateNotebookInstance',
    ]);
    expect(lookup.complete).toBe(false);
  });

  it('stops after four pages and says it read only part of the history', async () => {
    // Prepare
    const mock = mockClient(CloudTrailClient);
    mock.on(LookupEventsCommand).resolves({ Events: [trailEvent('DescribeNotebookInstance', true, 1)], NextToken: 'more' });

    // Act
    const lookup = await latestWriteCalls(client(), NOTEBOOK, NOW);

    // Assess
    expect(mock.commandCalls(LookupEventsCommand)).toHaveLength(4);
    expect(describeWriteCalls(lookup, NOTEBOOK)).toEqual([
      [
        'last change',
        'none found: CloudTrail recorded no write API call on fraud-research-notebook in the last 24 hours (only the latest 4 events were read)',
      ],
    ]);
  });

  it("raises CloudTrail's documented errors for the caller to report", async () => {
    // Prepare
    mockClient(CloudTrailClient)
      .on(LookupEventsCommand)
      .rejects(
        new InvalidTimeRangeException({ $metadata: { httpStatusCode: 400 }, message: 'Occurs if the timestamp values are not valid.' }),
      );

    // Act / Assess
    await expect(latestWriteCalls(client(), NOTEBOOK, NOW)).rejects.toThrow(InvalidTimeRangeException);
  });
});

describe('describeWriteCalls', () => {
  it('names who did what and when, then the earlier changes', () => {
    // Prepare
    const lookup = {
      calls: [
        {
          time: '2026-11-26T02:40:00.000Z',
          principal: 'arn:aws:iam::123456789012:user/bob',
          call: 'sagemaker.amazonaws.com UpdateNotebookInstance',
          sourceIp: '203.0.113.9',
        },
        { time: '2026-11-26T01:00:00.000Z', principal: 'AssumedRole alice', call: 'sagemaker.amazonaws.com StopNotebookInstance' },
      ],
      scanned: 9,
      complete: true,
      hours: 24,
    };

    // Act
    const facts = describeWriteCalls(lookup, NOTEBOOK);

    // Assess
    expect(facts).toEqual([
      [
        'last change',
        'arn:aws:iam::123456789012:user/bob called sagemaker.amazonaws.com UpdateNotebookInstance at 2026-11-26T02:40:00.000Z from 203.0.113.9',
      ],
      ['earlier changes', 'AssumedRole alice called sagemaker.amazonaws.com StopNotebookInstance at 2026-11-26T01:00:00.000Z'],
    ]);
  });

  it('says plainly that nothing was found when the whole history had no write call', () => {
    // Act
    const facts = describeWriteCalls({ calls: [], scanned: 0, complete: true, hours: 24 }, NOTEBOOK);

    // Assess
    expect(facts).toEqual([
      ['last change', 'none found: CloudTrail recorded no write API call on fraud-research-notebook in the last 24 hours'],
    ]);
  });
});
