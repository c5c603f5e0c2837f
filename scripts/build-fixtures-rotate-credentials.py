#!/usr/bin/env python3
"""Builds the rotate-credentials fixtures marked "built" in events/README.md from the recorded samples, changing only
what each case needs. Run from the project root: python3 scripts/build-fixtures-rotate-credentials.py. It rewrites
only the files it builds (and copies one recorded bare finding to events/invalid/)."""
import copy
import json

from fixtures import SHARED, compliance_change, load, save

ACCOUNT = '123456789012'


def finding_arn(detail):
    return f"arn:aws:guardduty:{detail['region']}:{ACCOUNT}:detector/{detail['service']['detectorId']}/finding/{detail['id']}"


# The recorded TorIPCaller sample (cloud-custodian): a whole EventBridge event with an AccessKey resource. Its envelope
# names another account than its finding, carries custodian's `debug` key and a placeholder time: the built events
# are in one account (as when a member account's own bus delivers its findings) and drop the `debug` key.
tor = load('guardduty/unauthorizedaccess-iamuser-toripcaller-sample.json')


def real_finding(event_id, finding_id, time):
    event = copy.deepcopy(tor)
    del event['debug']
    event['id'] = event_id
    event['account'] = ACCOUNT
    event['time'] = time
    d = event['detail']
    d['accountId'] = ACCOUNT
    d['id'] = finding_id
    d['arn'] = finding_arn(d)
    del d['service']['additionalInfo']['sample']
    return event


def api_call(d, api, service):
    call = d['service']['action']['awsApiCallAction']
    call['api'] = api
    call['serviceName'] = service
    call['affectedResources'] = {}


# 1. UnauthorizedAccess:IAMUser/TorIPCaller by an IAM user's long-term key: the main case.
event = real_finding('6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a41', '4ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5', '2017-12-08T15:33:10Z')
d = event['detail']
d['resource']['accessKeyDetails'] = {
    'userName': 'ml-pipeline-bot',
    'userType': 'IAMUser',
    'principalId': 'AIDAJQABLZS4A3QDU576Q',
    'accessKeyId': 'AKIAI44QH8DHBEXAMPLE',
}
api_call(d, 'ListBuckets', 's3.amazonaws.com')
d['title'] = 'API ListBuckets was invoked from a Tor exit node.'
d['description'] = 'API ListBuckets was invoked from a Tor exit node IP address 198.51.100.0.'
save('guardduty/unauthorizedaccess-iamuser-toripcaller.json', event)

# 2. The same finding for a federated user (GetFederationToken credentials): notified only.
event = real_finding('6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a42', '5bc2d3e4f5a6b7c8d9e0f1a2b3c4d5e6', '2017-12-08T15:33:10Z')
d = event['detail']
d['resource']['accessKeyDetails'] = {
    'userName': 'ci-deployer',
    'userType': 'FederatedUser',
    'principalId': f'{ACCOUNT}:ci-deployer',
    'accessKeyId': 'ASIAQFEDERATEDEXAMPL',
}
api_call(d, 'ListBuckets', 's3.amazonaws.com')
d['title'] = 'API ListBuckets was invoked from a Tor exit node.'
d['description'] = 'API ListBuckets was invoked from a Tor exit node IP address 198.51.100.0.'
save('guardduty/unauthorizedaccess-iamuser-toripcaller-federateduser.json', event)

# 3. CredentialAccess:IAMUser/AnomalousBehavior, camelCase as EventBridge delivers it. The only recorded one is a
# PascalCase GetFindings output (reference only): its type, severity, title and description wording are used here,
# in the recorded TorIPCaller's camelCase structure. GetSecretValue is one of the APIs the GuardDuty IAM finding
# types page lists for this finding.
event = real_finding('6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a43', '6cd3e4f5a6b7c8d9e0f1a2b3c4d5e6f7', '2025-10-09T12:42:51Z')
d = event['detail']
d['type'] = 'CredentialAccess:IAMUser/AnomalousBehavior'
d['severity'] = 5
d['createdAt'] = '2025-08-22T01:40:10.007Z'
d['updatedAt'] = '2025-10-09T12:42:50.817Z'
d['resource']['accessKeyDetails'] = {
    'userName': 'feature-store-sync',
    'userType': 'IAMUser',
    'principalId': 'AIDAIOSFODNN7FEATURE',
    'accessKeyId': 'AKIAJFEATURESTOREEX1',
}
api_call(d, 'GetSecretValue', 'secretsmanager.amazonaws.com')
d['service']['additionalInfo'] = {'unusual': {'isps': 'amazon.com'}}
d['title'] = 'The user IAMUser : feature-store-sync is anomalously invoking APIs commonly used in CredentialAccess tactics.'
d['description'] = ('APIs commonly used in CredentialAccess tactics were invoked by user IAMUser : feature-store-sync under '
                    'unusual circumstances. Such activity is not typically seen from this user.')
save('guardduty/credentialaccess-iamuser-anomalousbehavior.json', event)

# 4. Policy:IAMUser/RootCredentialUsage: no recorded one exists. From the recorded TorIPCaller (same AccessKey resource
# shape) and the GuardDuty IAM finding types page: "An API was invoked using root credentials", default severity Low.
event = real_finding('6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a44', '7de4f5a6b7c8d9e0f1a2b3c4d5e6f7a8', '2017-12-08T15:33:10Z')
d = event['detail']
d['type'] = 'Policy:IAMUser/RootCredentialUsage'
d['severity'] = 2
d['resource']['accessKeyDetails'] = {
    'userName': 'Root',
    'userType': 'Root',
    'principalId': ACCOUNT,
    'accessKeyId': 'ASIAQROOTSESSIONEXAM',
}
api_call(d, 'ListBuckets', 's3.amazonaws.com')
del d['service']['additionalInfo']['threatListName']
d['title'] = 'API ListBuckets was invoked using root credentials.'
d['description'] = 'API ListBuckets was invoked using root credentials from IP address 198.51.100.0.'
save('guardduty/policy-iamuser-rootcredentialusage.json', event)

# 5. UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom by an assumed role. The recorded sample is a bare finding
# (aws-samples, Recon:IAMUser/MaliciousIPCaller.Custom): it is copied to events/invalid/ as is (not an EventBridge
# event), and wrapped here in the envelope of the recorded TorIPCaller event.
bare = json.loads((SHARED / 'guardduty/recon-iamuser-maliciousipcaller-custom-sample-bare.json').read_text())
save('invalid/guardduty-bare-finding.json', bare)
event = {k: v for k, v in copy.deepcopy(tor).items() if k != 'debug'}
event.update({'id': '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a45', 'account': ACCOUNT, 'time': '2022-01-13T00:00:48Z', 'region': bare['region']})
d = copy.deepcopy(bare)
d['id'] = '8ef5a6b7c8d9e0f1a2b3c4d5e6f7a8b9'
d['arn'] = finding_arn(d)
d['type'] = 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom'
d['resource']['accessKeyDetails'] = {
    'accessKeyId': 'ASIAQBATCHINFERENCE1',
    'principalId': 'AROAJBATCHINFERENCE1:botocore-session-1642032000',
    'userType': 'AssumedRole',
    'userName': 'ml-batch-inference',
}
del d['service']['additionalInfo']['sample']
d['service']['archived'] = False
api_call(d, 'ListBuckets', 's3.amazonaws.com')
d['title'] = 'API ListBuckets was invoked from an IP address on a custom threat list.'
d['description'] = 'API ListBuckets was invoked from IP address 198.51.100.0 on the custom threat list GeneratedFindingThreatListName.'
event['detail'] = d
save('guardduty/unauthorizedaccess-iamuser-maliciousipcaller-custom-assumedrole.json', event)

# Config Rules Compliance Change for access-keys-rotated: from the built S3 compliance change (itself the AWS Config
# documented example in an EventBridge envelope), with the rule and an IAM user, which Config names by its id.
USER_ID = 'AIDAJQABLZS4A3QDU576Q'


def keys_compliance_change(rule, new, old, event_id):
    return compliance_change(rule, 'AWS::IAM::User', USER_ID, new, old, event_id)


save('config/access-keys-rotated-noncompliant.json',
     keys_compliance_change('access-keys-rotated', 'NON_COMPLIANT', 'COMPLIANT', 'b2c3d4e5-0001-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/securityhub-access-keys-rotated-noncompliant.json',
     keys_compliance_change('securityhub-access-keys-rotated-7c3e9a', 'NON_COMPLIANT', 'COMPLIANT', 'b2c3d4e5-0002-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/access-keys-rotated-conformance-pack-noncompliant.json',
     keys_compliance_change('access-keys-rotated-conformance-pack-q1w2e3r4', 'NON_COMPLIANT', 'COMPLIANT', 'b2c3d4e5-0003-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/access-keys-rotated-compliant.json',
     keys_compliance_change('access-keys-rotated', 'COMPLIANT', 'NON_COMPLIANT', 'b2c3d4e5-0004-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/iam-user-unused-credentials-check-noncompliant.json',
     keys_compliance_change('iam-user-unused-credentials-check', 'NON_COMPLIANT', 'COMPLIANT', 'b2c3d4e5-0005-4a5b-8c9d-0e1f2a3b4c5d'))

# ---------------------------------------------------------------- S3 exfiltration (issue 12 §2)
# From the built Exfiltration:S3/AnomalousBehavior finding (scripts/build-fixtures-notify.py: the recorded real
# Policy:S3/BucketBlockPublicAccessDisabled finding with the type, API and texts changed), changing only what each case
# needs. GuardDuty gives an S3 finding from CloudTrail data events (GetObject...) the resource type S3Bucket, and one from
# management events AccessKey (user guide, "GuardDuty S3 Protection finding types"); objects, when the finding names
# them, are in s3BucketDetails[].s3ObjectDetails[] (API reference, "S3BucketDetail", "S3ObjectDetail").
s3_exfil = load('guardduty/exfiltration-s3-anomalousbehavior.json')
TRAINING_BUCKET = 'ml-training-data-123456789012'


def s3_finding(event_id, finding_id, account, finding_type, severity, caller, bucket=TRAINING_BUCKET, objects=()):
    event = copy.deepcopy(s3_exfil)
    old = event['detail']['id']
    event['id'] = event_id
    event['account'] = account
    d = event['detail']
    d['accountId'] = account
    d['id'] = finding_id
    d['arn'] = d['arn'].replace(old, finding_id).replace(':123456789012:', f':{account}:')
    d['type'] = finding_type
    d['severity'] = severity
    d['resource']['resourceType'] = 'S3Bucket'
    d['resource']['accessKeyDetails'] = caller
    details = d['resource']['s3BucketDetails'][0]
    details['name'] = bucket
    details['arn'] = f'arn:aws:s3:::{bucket}'
    if objects:
        details['s3ObjectDetails'] = [{'objectArn': f'arn:aws:s3:::{bucket}/{key}', 'key': key} for key in objects]
    d['service']['action']['awsApiCallAction']['affectedResources'] = {'AWS::S3::Bucket': bucket}
    name = caller.get('userName') or caller.get('principalId')
    d['title'] = f'Anomalous S3 API calls from {name} read objects of S3 bucket {bucket}.'
    d['description'] = (f'An IAM entity invoked an S3 API in a suspicious way: {name} called GetObject on S3 bucket {bucket} '
                        'in an unusual way for this principal. This may indicate that data is being taken out of your account.')
    return event


# 6. An IAM user's long-term key read training data (a data-event finding, naming the objects read).
save('guardduty/exfiltration-s3-anomalousbehavior-iamuser.json', s3_finding(
    '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a51', '9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c1', ACCOUNT, 'Exfiltration:S3/AnomalousBehavior', 8,
    {'accessKeyId': 'AKIAI44QH8DHBEXAMPLE', 'principalId': 'AIDAJQABLZS4A3QDU576Q', 'userType': 'IAMUser', 'userName': 'ml-pipeline-bot'},
    objects=('datasets/fraud/train/part-0000.parquet', 'datasets/fraud/train/part-0001.parquet')))

# 7. The SageMaker training role, from a malicious IP, in the account of the stop-compromised-training-job fixtures.
TRAINING_ACCOUNT = '883606788610'
save('guardduty/exfiltration-s3-maliciousipcaller-assumedrole.json', s3_finding(
    '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a52', '9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c2', TRAINING_ACCOUNT, 'Exfiltration:S3/MaliciousIPCaller', 8,
    {'accessKeyId': 'ASIAUN7WV6J2EXAMPLE1', 'principalId': 'AROAUN7WV6J2SAGEMAKER:SageMaker', 'userType': 'AssumedRole',
     'userName': 'SageMakerTrainingRole'},
    bucket=f'ml-model-artifacts-{TRAINING_ACCOUNT}', objects=('fraud-detector/model.tar.gz',)))

# 8. An AWS service as the caller (CloudTrail's userIdentity type AWSService): notified, never contained.
save('guardduty/exfiltration-s3-anomalousbehavior-awsservice.json', s3_finding(
    '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a53', '9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c3', ACCOUNT, 'Exfiltration:S3/AnomalousBehavior', 8,
    {'accessKeyId': None, 'principalId': 'datasync.amazonaws.com', 'userType': 'AWSService', 'userName': 'datasync.amazonaws.com'}))

# 9. A service-linked role as the caller: notified, never contained (nor its jobs stopped).
save('guardduty/impact-s3-anomalousbehavior-permission-servicelinkedrole.json', s3_finding(
    '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a54', '9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c4', ACCOUNT, 'Impact:S3/AnomalousBehavior.Permission', 7,
    {'accessKeyId': 'ASIAQSERVICELINKED01', 'principalId': 'AROAQSERVICELINKED01:SageMaker', 'userType': 'AssumedRole',
     'userName': 'AWSServiceRoleForAmazonSageMakerNotebooks'}))

# 10. Below S3_EXFILTRATION_SEVERITY_THRESHOLD (7): the IAM user from a Tor exit node, at a medium severity.
save('guardduty/unauthorizedaccess-s3-toripcaller-below-threshold.json', s3_finding(
    '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a55', '9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c5', ACCOUNT, 'UnauthorizedAccess:S3/TorIPCaller', 5,
    {'accessKeyId': 'AKIAI44QH8DHBEXAMPLE', 'principalId': 'AIDAJQABLZS4A3QDU576Q', 'userType': 'IAMUser', 'userName': 'ml-pipeline-bot'}))

# 11. PenTest:S3/ParrotLinux: the recorded bare sample finding (aws-samples, MIT-0) in the envelope of the recorded
# TorIPCaller event, `sample` removed, `archived` false, ids: notified only, whatever its severity.
pentest_bare = json.loads((SHARED / 'guardduty/pentest-s3-parrotlinux-sample-bare.json').read_text())
pentest = {k: v for k, v in copy.deepcopy(tor).items() if k != 'debug'}
pentest.update({'id': '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a56', 'account': pentest_bare['accountId'], 'time': '2022-01-13T00:00:48Z',
                'region': pentest_bare['region']})
d = copy.deepcopy(pentest_bare)
d['id'] = '9af6b7c8d9e0f1a2b3c4d5e6f7a8b9c6'
d['arn'] = finding_arn(d)
del d['service']['additionalInfo']['sample']
d['service']['archived'] = False
pentest['detail'] = d
save('guardduty/pentest-s3-parrotlinux.json', pentest)
