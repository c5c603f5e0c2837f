#!/usr/bin/env python3
"""Builds the notify fixtures marked "built" in events/README.md from the recorded samples, changing only what each case
needs, and copies the recorded CloudWatch alarm events it uses from ../shared/events/cloudwatch/ unchanged.
Run from the project root: python3 scripts/build-fixtures-notify.py. It rewrites only the files it builds or copies."""
import copy
import json

from fixtures import EVENTS, SHARED, compliance_change, load, record, save


def reason_data(**fields):
    return json.dumps({'version': '1.0', **fields}, separators=(',', ':'))


# ---------------------------------------------------------------- CloudWatch alarms: recorded, copied verbatim
for name in [
    'alarm-state-change-metric-math',
    'alarm-state-change-anomaly-detection',
    'alarm-state-change-composite-with-suppressor',
    'alarm-state-change-alarm-to-ok-rds-aurora-cpu',
    'alarm-state-change-insufficient-data-to-ok-ec2-asg-cpu',
    'alarm-state-change-metrics-insights-partial-data',
    'alarm-state-change-sagemaker-model-monitor-drift-placeholders',
]:
    record(f'cloudwatch/{name}.json', f'cloudwatch/{name}.json')

ENDPOINT = 'fraud-detector-prod'
VARIANT = 'AllTraffic'
serving = {'EndpointName': ENDPOINT, 'VariantName': VARIANT}


def rename_alarm(event, name, event_id):
    event['id'] = event_id
    event['detail']['alarmName'] = name
    arn = event['resources'][0]
    event['resources'] = [arn[: arn.index(':alarm:') + len(':alarm:')] + name]


# ---------------------------------------------------------------- SageMaker endpoint alarms, built from the recorded ones
# Single metric: ModelLatency (microseconds) of the endpoint's variant, from the recorded EC2 CPU alarm.
latency = load('cloudwatch/alarm-state-change-single-metric-ec2-cpu.json')
rename_alarm(latency, 'fraud-detector-model-latency', '7f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f')
d = latency['detail']
d['configuration']['description'] = 'Average model latency of the fraud detector above 500 ms for 3 minutes'
stat = d['configuration']['metrics'][0]['metricStat']
stat['metric'] = {'dimensions': serving, 'name': 'ModelLatency', 'namespace': 'AWS/SageMaker'}
stat['period'] = 60
d['state']['reason'] = ('Threshold Crossed: 3 out of the last 3 datapoints [812345.0 (02/10/19 17:03:00), 790111.0 (02/10/19 17:02:00), '
                        '650000.0 (02/10/19 17:01:00)] was greater than the threshold (500000.0) (minimum 3 datapoints for OK -> ALARM transition).')
d['state']['reasonData'] = reason_data(queryDate='2019-10-02T17:04:40.985+0000', startDate='2019-10-02T17:01:00.000+0000', statistic='Average',
                                       period=60, recentDatapoints=[650000.0, 790111.0, 812345.0], threshold=500000.0)
d['previousState']['reason'] = ('Threshold Crossed: 3 out of the last 3 datapoints [120345.0 (01/10/19 13:46:00), 118000.0 (01/10/19 13:45:00), '
                                '121500.0 (01/10/19 13:44:00)] were not greater than the threshold (500000.0) (minimum 3 datapoints for ALARM -> OK transition).')
d['previousState']['reasonData'] = reason_data(queryDate='2019-10-01T13:56:40.985+0000', startDate='2019-10-01T13:44:00.000+0000', statistic='Average',
                                               period=60, recentDatapoints=[121500.0, 118000.0, 120345.0], threshold=500000.0)
save('cloudwatch/alarm-state-change-sagemaker-model-latency.json', latency)

# Metric math: the 5XX error rate in percent, from the recorded metric-math alarm (same ids e1, m1, m2).
rate = load('cloudwatch/alarm-state-change-metric-math.json')
rename_alarm(rate, 'fraud-detector-5xx-rate', '8a2b3c4d-5e6f-4a7b-9c8d-0e1f2a3b4c5d')
d = rate['detail']
d['configuration']['description'] = 'Goes into alarm if more than 1% of the invocations of the fraud detector fail with a 5XX error'
e1, m1, m2 = d['configuration']['metrics']
e1['expression'] = '100 * m1 / m2'
e1['label'] = '5XX error rate (%)'
m1['metricStat']['metric'] = {'dimensions': serving, 'name': 'Invocation5XXErrors', 'namespace': 'AWS/SageMaker'}
m1['metricStat']['stat'] = 'Sum'
m2['metricStat']['metric'] = {'dimensions': serving, 'name': 'Invocations', 'namespace': 'AWS/SageMaker'}
m2['metricStat']['stat'] = 'Sum'
d['state']['reason'] = ('Threshold Crossed: 1 out of the last 1 datapoints [4.2 (02/10/19 17:10:00)] was greater than the threshold (1.0) '
                        '(minimum 1 datapoint for OK -> ALARM transition).')
d['state']['reasonData'] = reason_data(queryDate='2019-10-02T17:20:48.551+0000', startDate='2019-10-02T17:10:00.000+0000', period=300,
                                       recentDatapoints=[4.2], threshold=1.0)
save('cloudwatch/alarm-state-change-sagemaker-5xx-rate-metric-math.json', rate)

# Anomaly detection on ModelLatency, from the recorded anomaly-detection alarm.
anomaly = load('cloudwatch/alarm-state-change-anomaly-detection.json')
rename_alarm(anomaly, 'fraud-detector-model-latency-anomaly', '9b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e')
d = anomaly['detail']
d['configuration']['description'] = 'Goes into alarm if the model latency of the fraud detector leaves its expected band'
m1, ad1 = d['configuration']['metrics']
m1['metricStat']['metric'] = {'dimensions': serving, 'name': 'ModelLatency', 'namespace': 'AWS/SageMaker'}
ad1['expression'] = 'ANOMALY_DETECTION_BAND(m1, 2)'
ad1['label'] = 'ModelLatency (expected)'
d['state']['reason'] = ('Thresholds Crossed: 1 out of the last 1 datapoints [2412345.0 (03/10/19 15:58:00)] was less than the lower thresholds '
                        '[98000.0] or greater than the upper thresholds [305000.0] (minimum 1 datapoint for OK -> ALARM transition).')
d['state']['reasonData'] = reason_data(queryDate='2019-10-03T16:00:04.650+0000', startDate='2019-10-03T15:58:00.000+0000', period=60,
                                       recentDatapoints=[2412345.0], recentLowerThresholds=[98000.0], recentUpperThresholds=[305000.0])
d['previousState']['reason'] = ('Thresholds Crossed: 1 out of the last 1 datapoints [201000.0 (03/10/19 15:57:00)] was not less than the lower '
                                'thresholds [98500.0] or not greater than the upper thresholds [304000.0] (minimum 1 datapoint for ALARM -> OK transition).')
d['previousState']['reasonData'] = reason_data(queryDate='2019-10-03T15:59:04.670+0000', startDate='2019-10-03T15:57:00.000+0000', period=60,
                                               recentDatapoints=[201000.0], recentLowerThresholds=[98500.0], recentUpperThresholds=[304000.0])
save('cloudwatch/alarm-state-change-sagemaker-model-latency-anomaly-detection.json', anomaly)

# ALARM -> OK: OverheadLatency back under its threshold, from the recorded RDS alarm that went back to OK.
back = load('cloudwatch/alarm-state-change-alarm-to-ok-rds-aurora-cpu.json')
rename_alarm(back, 'fraud-detector-overhead-latency', 'a4d5e6f7-8a9b-4c0d-8e1f-2a3b4c5d6e7f')
d = back['detail']
d['configuration']['description'] = 'Overhead latency of the fraud detector above 100 ms'
stat = d['configuration']['metrics'][0]['metricStat']
stat['metric'] = {'namespace': 'AWS/SageMaker', 'name': 'OverheadLatency', 'dimensions': serving}
d['state']['reason'] = ('Threshold Crossed: 2 out of the last 2 datapoints [41000.0 (05/10/20 06:42:00), 39500.0 (05/10/20 06:37:00)] were not '
                        'greater than or equal to the threshold (100000.0) (minimum 1 datapoint for ALARM -> OK transition).')
d['state']['reasonData'] = reason_data(queryDate='2020-10-05T06:47:38.031+0000', startDate='2020-10-05T06:37:00.000+0000', statistic='Average',
                                       period=300, recentDatapoints=[39500.0, 41000.0], threshold=100000.0)
d['previousState']['reason'] = ('Threshold Crossed: 2 out of the last 2 datapoints [152000.0 (05/10/20 06:25:00), 148000.0 (05/10/20 06:20:00)] were '
                                'greater than or equal to the threshold (100000.0) (minimum 2 datapoints for OK -> ALARM transition).')
d['previousState']['reasonData'] = reason_data(queryDate='2020-10-05T06:30:58.947+0000', startDate='2020-10-05T06:20:00.000+0000', statistic='Average',
                                               period=300, recentDatapoints=[148000.0, 152000.0], threshold=100000.0)
save('cloudwatch/alarm-state-change-sagemaker-overhead-latency-alarm-to-ok.json', back)

# Composite: named with the NotifyAlarmNamePrefix (ml-serving-), over the two serving alarms above.
composite = load('cloudwatch/alarm-state-change-composite-with-suppressor.json')
rename_alarm(composite, 'ml-serving-fraud-detector-degraded', 'b5e6f7a8-9b0c-4d1e-8f2a-3b4c5d6e7f80')
d = composite['detail']
arn = composite['resources'][0].split(':alarm:')[0] + ':alarm:'
d['configuration']['alarmRule'] = 'ALARM(fraud-detector-model-latency) OR ALARM(fraud-detector-5xx-rate)'
d['state']['reason'] = f'{arn}fraud-detector-model-latency transitioned to ALARM at Friday 22 July, 2022 15:57:45 UTC'
d['state']['reasonData'] = json.dumps({'triggeringAlarms': [{'arn': f'{arn}fraud-detector-model-latency',
                                                             'state': {'value': 'ALARM', 'timestamp': '2022-07-22T15:57:45.394+0000'}}]},
                                      separators=(',', ':'))
d['previousState']['reason'] = f'{arn}ml-serving-fraud-detector-degraded was created and its alarm rule evaluates to OK'
d['previousState']['reasonData'] = json.dumps({'triggeringAlarms': [
    {'arn': f'{arn}fraud-detector-5xx-rate', 'state': {'value': 'OK', 'timestamp': '2022-07-14T16:28:57.770+0000'}},
    {'arn': f'{arn}fraud-detector-model-latency', 'state': {'value': 'OK', 'timestamp': '2022-07-14T16:28:54.191+0000'}}]},
    separators=(',', ':'))
save('cloudwatch/alarm-state-change-sagemaker-composite.json', composite)

# Model Monitor drift: the recorded event with its placeholders filled in (account, Region, project name).
drift_text = (EVENTS / 'cloudwatch/alarm-state-change-sagemaker-model-monitor-drift-placeholders.json').read_text()
drift = json.loads(drift_text.replace('<<account>>', '123456789012').replace('<<region>>', 'eu-west-1').replace('<<project_name>>', 'taxi-fare'))
drift['id'] = 'c6f7a8b9-0c1d-4e2f-9a3b-4c5d6e7f8091'
save('cloudwatch/alarm-state-change-sagemaker-model-monitor-drift.json', drift)

# Malformed: the built model-latency alarm without its state.
stateless = copy.deepcopy(latency)
stateless['id'] = 'd7a8b9c0-1d2e-4f3a-8b4c-5d6e7f8091a2'
del stateless['detail']['state']
save('invalid/cloudwatch-alarm-state-change-without-state.json', stateless)

# ---------------------------------------------------------------- GuardDuty findings notify reports (the S3 one, at severity 8,
# is rotate-credentials' since S3 exfiltration containment: see events/README.md)
real = load('guardduty/policy-s3-bucketblockpublicaccessdisabled.json')
exfil = copy.deepcopy(real)
d = exfil['detail']
exfil['id'] = 'e8b9c0d1-2e3f-4a4b-9c5d-6e7f8091a2b3'
d['id'] = 'f1e2d3c4b5a697887766554433221100'
d['arn'] = d['arn'].replace(real['detail']['id'], d['id'])
d['type'] = 'Exfiltration:S3/AnomalousBehavior'
d['severity'] = 8
bucket = d['resource']['s3BucketDetails'][0]['name']
d['service']['action']['awsApiCallAction']['api'] = 'GetObject'
d['service']['count'] = 3
d['title'] = f'Anomalous S3 API calls from RoleSandboxAccess read objects of S3 bucket {bucket}.'
d['description'] = (f'An IAM entity invoked an S3 API in a suspicious way: RoleSandboxAccess called GetObject on S3 bucket {bucket} '
                    'in an unusual way for this principal. This may indicate that data is being taken out of your account.')
save('guardduty/exfiltration-s3-anomalousbehavior.json', exfil)

# A recorded bare sample finding (camelCase, as EventBridge delivers it) in the envelope of the recorded sample findings.
bare = json.loads((SHARED / 'guardduty/recon-iamuser-maliciousipcaller-custom-sample-bare.json').read_text())
envelope = load('guardduty/backdoor-ec2-ccactivity-dns-sample.json')
recon = {
    'version': '0',
    'id': 'f9c0d1e2-3f4a-4b5c-8d6e-7f8091a2b3c4',
    'detail-type': 'GuardDuty Finding',
    'source': 'aws.guardduty',
    'account': bare['accountId'],
    'time': bare['updatedAt'].split('.')[0] + 'Z',
    'region': bare['region'],
    'resources': [],
    'detail': bare,
}
assert set(recon) == set(envelope) - {'debug'}, 'the envelope has the keys of the recorded one'
save('guardduty/recon-iamuser-maliciousipcaller-custom-sample.json', recon)

# ---------------------------------------------------------------- Config: SageMaker rules no function remediates
NOTEBOOK = ('AWS::SageMaker::NotebookInstance', 'fraud-research-notebook')
ENDPOINT_CONFIG = ('AWS::SageMaker::EndpointConfig', 'fraud-detector-prod-config')
save('config/sagemaker-notebook-no-direct-internet-access-noncompliant.json',
     compliance_change('sagemaker-notebook-no-direct-internet-access', *NOTEBOOK, 'NON_COMPLIANT', 'COMPLIANT', 'b1c2d3e4-0001-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/securityhub-sagemaker-notebook-instance-root-access-check-noncompliant.json',
     compliance_change('securityhub-sagemaker-notebook-instance-root-access-check-7c3e9a', *NOTEBOOK, 'NON_COMPLIANT', 'COMPLIANT',
                       'b1c2d3e4-0002-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/sagemaker-endpoint-configuration-kms-key-configured-conformance-pack-noncompliant.json',
     compliance_change('sagemaker-endpoint-configuration-kms-key-configured-conformance-pack-q1w2e3r4', *ENDPOINT_CONFIG, 'NON_COMPLIANT',
                       'COMPLIANT', 'b1c2d3e4-0003-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/sagemaker-notebook-no-direct-internet-access-compliant.json',
     compliance_change('sagemaker-notebook-no-direct-internet-access', *NOTEBOOK, 'COMPLIANT', 'NON_COMPLIANT', 'b1c2d3e4-0004-4a5b-8c9d-0e1f2a3b4c5d'))
# The rules that keep the audit trail alive. cloudtrail-enabled is the documented example's own rule, evaluating the
# account itself; only its compliance is turned to NON_COMPLIANT.
save('config/cloudtrail-enabled-noncompliant.json',
     compliance_change('cloudtrail-enabled', 'AWS::::Account', '123456789012', 'NON_COMPLIANT', 'COMPLIANT', 'b1c2d3e4-0005-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/s3-bucket-logging-enabled-noncompliant.json',
     compliance_change('s3-bucket-logging-enabled', 'AWS::S3::Bucket', 'ml-model-artifacts-123456789012', 'NON_COMPLIANT', 'COMPLIANT',
                       'b1c2d3e4-0006-4a5b-8c9d-0e1f2a3b4c5d'))
