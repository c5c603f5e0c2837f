#!/usr/bin/env python3
"""Builds the CloudTrail fixtures marked "built" in events/README.md (issue "audit trail", section 4) from the recorded
samples, changing only what each case needs. Run from the project root: python3 scripts/build-fixtures-cloudtrail.py."""
import copy
import json

from fixtures import SHARED, save

# The recorded EventBridge 'AWS API Call via CloudTrail' event (cloud-custodian, Apache-2.0): a CreateBucket by an
# assumed role. Recorded without the envelope's `version`, which every EventBridge event carries ("0"): added.
recorded = json.loads((SHARED / 'cloudtrail/s3-createbucket-assumedrole-eventbridge.json').read_text())
# The SageMaker developer guide's CloudTrail record of CreateModel (bare, an IAM user with an access key).
create_model = json.loads((SHARED / 'cloudtrail/sagemaker-createmodel-bare.json').read_text())


def api_call(event_id, source, detail_changes, time='2026-11-26T02:41:07Z', region='us-east-1'):
    event = copy.deepcopy(recorded)
    event['version'] = '0'
    event['id'] = event_id
    event['source'] = source
    event['time'] = time
    event['region'] = region
    d = event['detail']
    d['eventTime'] = time
    d['awsRegion'] = region
    d.update(detail_changes)
    return {k: event[k] for k in ('version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail')}


# Someone blinds the auditors: the assumed role stops the account's trail.
save('cloudtrail/cloudtrail-stoplogging.json', api_call('5c1d2e3f-0001-4a5b-8c9d-0e1f2a3b4c5d', 'aws.cloudtrail', {
    'eventID': 'd1e2f3a4-0001-4b5c-9d8e-7f6a5b4c3d21',
    'eventSource': 'cloudtrail.amazonaws.com',
    'eventName': 'StopLogging',
    'requestParameters': {'name': 'arn:aws:cloudtrail:us-east-1:101010101111:trail/management-events'},
    'responseElements': None,
    'userAgent': 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 botocore/2.4.5',
}))

# GuardDuty disabled (UpdateDetector with enable false) and, as a negative case, enabled again (not reported).
for name, enable, number in (('disable', False, '0002'), ('enable', True, '0003')):
    save(f'cloudtrail/guardduty-updatedetector-{name}.json', api_call(f'5c1d2e3f-{number}-4a5b-8c9d-0e1f2a3b4c5d', 'aws.guardduty', {
        'eventID': f'd1e2f3a4-{number}-4b5c-9d8e-7f6a5b4c3d21',
        'eventSource': 'guardduty.amazonaws.com',
        'eventName': 'UpdateDetector',
        'requestParameters': {'detectorId': '12abc34d567e8fa901bc2d34e56789f0', 'enable': enable},
        'responseElements': None,
    }))

# An ML asset disappears: the guide's CreateModel record as DeleteModel (an IAM user's call), in the EventBridge envelope.
delete_model = copy.deepcopy(create_model)
delete_model.update({
    'eventTime': '2026-11-26T02:41:07Z',
    'eventName': 'DeleteModel',
    'requestParameters': {'modelName': 'fraud-detector-v3'},
    'responseElements': None,
    'sourceIPAddress': '198.51.100.23',
    'userAgent': 'Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 lang/python#3.11.8',
    'eventID': 'd1e2f3a4-0004-4b5c-9d8e-7f6a5b4c3d21',
    'recipientAccountId': '123456789012',
})
envelope = api_call('5c1d2e3f-0004-4a5b-8c9d-0e1f2a3b4c5d', 'aws.sagemaker', {}, region='us-west-2')
envelope['account'] = '123456789012'
envelope['detail'] = delete_model
save('cloudtrail/sagemaker-deletemodel.json', envelope)
