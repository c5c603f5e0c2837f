#!/usr/bin/env python3
"""Builds the stop-compromised-training-job fixtures (marked "built" in events/README.md) from the recorded samples
in ../shared/events, changing only what each case needs. Run from the project root:
python3 scripts/build-fixtures-stop-compromised-training-job.py. It rewrites only the files it builds."""
import copy
import json

from fixtures import SHARED, save

ROLE = 'SageMakerTrainingRole'
ROLE_ID = 'AROAUN7WV6J2SAGEMAKER'
TRAINING_JOB = 'fraud-detector-2026-11-26-01-00'


def recorded(path):
    return json.loads((SHARED / path).read_text())


def as_assumed_role(detail, session='SageMaker'):
    """The principal becomes a role session, as GuardDuty reports temporary credentials: userName is the role name."""
    detail['resource']['accessKeyDetails'] = {
        'accessKeyId': 'ASIAUN7WV6J2EXAMPLE1',
        'principalId': f'{ROLE_ID}:{session}',
        'userType': 'AssumedRole',
        'userName': ROLE,
    }


def renumber(event, event_id, finding_id):
    """New event and finding ids, so the built event is not mistaken for its source."""
    d = event['detail']
    old = d['id']
    event['id'] = event_id
    d['id'] = finding_id
    d['arn'] = d['arn'].replace(old, finding_id)


def not_sample(detail):
    """GuardDuty's sample generator marks its findings; a real finding has no `sample` key."""
    detail['service']['additionalInfo'].pop('sample', None)


# The recorded EventBridge event of a sample UnauthorizedAccess:IAMUser/TorIPCaller finding (cloud-custodian).
tor = recorded('guardduty/unauthorizedaccess-iamuser-toripcaller-sample-eventbridge.json')
# The envelope of a real delivery names the finding's own account; the recorded one was sanitised separately.
tor['account'] = tor['detail']['accountId']

# 1. Credentials of the training role used outside AWS: the main case.
exfil = copy.deepcopy(tor)
renumber(exfil, '3f6d1c2a-8b4e-4f7a-9c1d-2e5b6a7c8d01', 'b81d7e3c4a5f46e2a9d0c1b2e3f4a5d1')
d = exfil['detail']
d['type'] = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS'
d['severity'] = 8
as_assumed_role(d)
not_sample(d)
d['title'] = f'Credentials for the EC2 instance role {ROLE} were used from an external IP address.'
d['description'] = (f'Credentials that were created exclusively for an EC2 instance through instance role {ROLE} '
                    'have been used from an external IP address 198.51.100.0.')
exfil['time'] = '2026-11-26T02:58:00Z'
save('guardduty/stop-training-job-instancecredentialexfiltration-outsideaws.json', exfil)

# 2. The same recorded sample, kept a sample: it must only be notified, whatever it names.
sample = copy.deepcopy(tor)
renumber(sample, '3f6d1c2a-8b4e-4f7a-9c1d-2e5b6a7c8d02', 'b81d7e3c4a5f46e2a9d0c1b2e3f4a5d2')
as_assumed_role(sample['detail'])
save('guardduty/stop-training-job-toripcaller-sample.json', sample)

# 3. An anomalous-behaviour finding. Type, title and description as in the recorded PascalCase sample
#    (blu371ck/GuardDuty-SOAR), which is not itself in the shape EventBridge delivers; the envelope and camelCase
#    detail are the recorded TorIPCaller event's.
anomalous = copy.deepcopy(tor)
renumber(anomalous, '3f6d1c2a-8b4e-4f7a-9c1d-2e5b6a7c8d03', 'b81d7e3c4a5f46e2a9d0c1b2e3f4a5d3')
d = anomalous['detail']
d['type'] = 'CredentialAccess:IAMUser/AnomalousBehavior'
d['severity'] = 5
as_assumed_role(d)
not_sample(d)
d['title'] = f'The user AssumedRole : {ROLE} is anomalously invoking APIs commonly used in CredentialAccess tactics.'
d['description'] = (f'APIs commonly used in CredentialAccess tactics were invoked by user AssumedRole : {ROLE} under '
                    'unusual circumstances. Such activity is not typically seen from this user.')
anomalous['time'] = '2026-11-26T02:58:00Z'
save('guardduty/stop-training-job-credentialaccess-anomalousbehavior.json', anomalous)

# 4. A call from an IP on a custom threat list: the recorded bare finding (aws-samples), wrapped in the envelope of
#    the recorded EventBridge event, with its own account, region and time.
custom = recorded('guardduty/recon-iamuser-maliciousipcaller-custom-sample-bare.json')
wrapped = {k: copy.deepcopy(v) for k, v in tor.items() if k not in ('detail', 'debug')}
wrapped.update({'account': custom['accountId'], 'region': custom['region'], 'time': custom['updatedAt'].split('.')[0] + 'Z'})
wrapped['detail'] = custom
renumber(wrapped, '3f6d1c2a-8b4e-4f7a-9c1d-2e5b6a7c8d04', 'b81d7e3c4a5f46e2a9d0c1b2e3f4a5d4')
d = wrapped['detail']
d['type'] = 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom'
as_assumed_role(d)
not_sample(d)
# The recorded sample is archived; a finding EventBridge delivers for action is not.
d['service']['archived'] = False
save('guardduty/stop-training-job-maliciousipcaller-custom.json', wrapped)

# CloudWatch alarms on a training job's instance metrics: namespace /aws/sagemaker/TrainingJobs, dimension Host.


def training_alarm(event, name, event_id):
    event['id'] = event_id
    event['detail']['alarmName'] = name
    event['resources'] = [f'arn:aws:cloudwatch:{event["region"]}:{event["account"]}:alarm:{name}']
    return event


def host_metric(metric, host):
    metric['metricStat']['metric'] = {'dimensions': {'Host': host}, 'name': 'CPUUtilization', 'namespace': '/aws/sagemaker/TrainingJobs'}


single = training_alarm(recorded('cloudwatch/alarm-state-change-single-metric-ec2-cpu.json'), 'ml-guard-training-cpu-high', '7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e01')
single['detail']['configuration']['description'] = 'Goes into alarm when a training instance is busier than the job should make it'
host_metric(single['detail']['configuration']['metrics'][0], f'{TRAINING_JOB}/algo-1')
save('cloudwatch/stop-training-job-alarm-single-metric.json', single)

math = training_alarm(recorded('cloudwatch/alarm-state-change-metric-math.json'), 'ml-guard-training-total-cpu', '7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e02')
math['detail']['configuration']['description'] = 'Goes into alarm when the training instances together are busier than expected'
metrics = math['detail']['configuration']['metrics']
metrics[0]['label'] = 'Total CPU of the training instances'
host_metric(metrics[1], f'{TRAINING_JOB}/algo-1')
host_metric(metrics[2], f'{TRAINING_JOB}/algo-2')
save('cloudwatch/stop-training-job-alarm-metric-math.json', math)

composite = training_alarm(recorded('cloudwatch/alarm-state-change-composite-with-suppressor.json'), 'ml-guard-training-composite', '7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e03')
composite['detail']['configuration']['alarmRule'] = 'ALARM(ml-guard-training-cpu-high) OR ALARM(ml-guard-training-total-cpu)'
save('cloudwatch/stop-training-job-alarm-composite.json', composite)
