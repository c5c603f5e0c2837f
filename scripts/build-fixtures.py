#!/usr/bin/env python3
"""Builds the fixtures marked "built" in events/README.md from the recorded samples, changing only what each case
needs. Run from the project root: python3 scripts/build-fixtures.py. It rewrites only the files it builds."""
import copy

from fixtures import compliance_change, load, save

# GuardDuty S3 findings: from the recorded Policy:S3/BucketBlockPublicAccessDisabled finding.
real = load('guardduty/policy-s3-bucketblockpublicaccessdisabled.json')

granted = copy.deepcopy(real)
d = granted['detail']
granted['id'] = '7b2c4e1a-4f0e-4a6e-9d56-0e2f6c1d9a01'
d['id'] = 'c2b1f0e6a7d84c5b9e3f2a1d0c9b8a71'
d['arn'] = d['arn'].replace(real['detail']['id'], d['id'])
d['type'] = 'Policy:S3/BucketPublicAccessGranted'
d['severity'] = 8
d['service']['action']['awsApiCallAction']['api'] = 'PutBucketPolicy'
bucket = d['resource']['s3BucketDetails'][0]['name']
d['resource']['s3BucketDetails'][0]['publicAccess']['permissionConfiguration']['bucketLevelPermissions']['bucketPolicy']['allowsPublicReadAccess'] = True
d['resource']['s3BucketDetails'][0]['publicAccess']['effectivePermission'] = 'PUBLIC'
d['title'] = f'Amazon S3 Public Access was granted for S3 bucket {bucket}.'
d['description'] = f'Amazon S3 Public Access was granted for S3 bucket {bucket} by RoleSandboxAccess calling PutBucketPolicy. If this behavior is not expected, it may indicate a configuration mistake or that your credentials are compromised.'
save('guardduty/policy-s3-bucketpublicaccessgranted.json', granted)

anonymous = copy.deepcopy(real)
d = anonymous['detail']
anonymous['id'] = '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f60'
d['id'] = 'e4d3c2b1a0f94e8d7c6b5a4938271605'
d['arn'] = d['arn'].replace(real['detail']['id'], d['id'])
d['type'] = 'Policy:S3/BucketAnonymousAccessGranted'
d['severity'] = 8
d['service']['action']['awsApiCallAction']['api'] = 'PutBucketAcl'
second = copy.deepcopy(d['resource']['s3BucketDetails'][0])
second['name'] = 'ml-training-data-987654321098'
second['arn'] = 'arn:aws:s3:::ml-training-data-987654321098'
d['resource']['s3BucketDetails'].append(second)
d['service']['action']['awsApiCallAction']['affectedResources'] = {'AWS::S3::Bucket': bucket}
d['title'] = f'Amazon S3 Public Anonymous Access was granted for S3 bucket {bucket}.'
d['description'] = f'Amazon S3 Public Anonymous Access was granted for S3 bucket {bucket} by RoleSandboxAccess calling PutBucketAcl. If this behavior is not expected, it may indicate a configuration mistake or that your credentials are compromised.'
save('guardduty/policy-s3-bucketanonymousaccessgranted-two-buckets.json', anonymous)

sample = copy.deepcopy(real)
sample['id'] = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b'
sample['detail']['service']['additionalInfo'] = {'sample': True}
sample['detail']['resource']['s3BucketDetails'][0]['name'] = 'bucketName'
sample['detail']['resource']['s3BucketDetails'][0]['arn'] = 'arn:aws:s3:::bucketName'
save('guardduty/policy-s3-bucketblockpublicaccessdisabled-sample.json', sample)

# Config Rules Compliance Change: the envelope of an EventBridge event, with the `detail` fields of Config's
# documented ComplianceChangeNotification (the SNS example, where Message carries the same fields).
BUCKET = 'ml-model-artifacts-123456789012'


def compliance_change_s3(rule, bucket, new, old, event_id):
    return compliance_change(rule, 'AWS::S3::Bucket', bucket, new, old, event_id)


save('config/s3-bucket-public-read-prohibited-noncompliant.json',
     compliance_change_s3('s3-bucket-public-read-prohibited', BUCKET, 'NON_COMPLIANT', 'COMPLIANT', 'a1b2c3d4-0001-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/s3-bucket-public-write-prohibited-noncompliant.json',
     compliance_change_s3('s3-bucket-public-write-prohibited', BUCKET, 'NON_COMPLIANT', 'COMPLIANT', 'a1b2c3d4-0002-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/s3-bucket-level-public-access-prohibited-noncompliant.json',
     compliance_change_s3('s3-bucket-level-public-access-prohibited', BUCKET, 'NON_COMPLIANT', 'COMPLIANT', 'a1b2c3d4-0003-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/securityhub-s3-bucket-public-read-prohibited-noncompliant.json',
     compliance_change_s3('securityhub-s3-bucket-public-read-prohibited-2fa1b2', BUCKET, 'NON_COMPLIANT', 'COMPLIANT', 'a1b2c3d4-0004-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/s3-bucket-public-read-prohibited-conformance-pack-noncompliant.json',
     compliance_change_s3('s3-bucket-public-read-prohibited-conformance-pack-x1y2z3w4', BUCKET, 'NON_COMPLIANT', 'COMPLIANT', 'a1b2c3d4-0005-4a5b-8c9d-0e1f2a3b4c5d'))
save('config/s3-bucket-public-read-prohibited-compliant.json',
     compliance_change_s3('s3-bucket-public-read-prohibited', BUCKET, 'COMPLIANT', 'NON_COMPLIANT', 'a1b2c3d4-0006-4a5b-8c9d-0e1f2a3b4c5d'))
# The managed rule S3_BUCKET_PUBLIC_READ_PROHIBITED created under a name of its owner's choosing: the event carries the
# name alone, so the function reads the rule's source to know what it checks.
save('config/s3-public-read-prohibited-custom-name-noncompliant.json',
     compliance_change_s3('s3-public-read-prohibited', BUCKET, 'NON_COMPLIANT', 'COMPLIANT', 'a1b2c3d4-0007-4a5b-8c9d-0e1f2a3b4c5d'))

# Malformed: the recorded BucketBlockPublicAccessDisabled finding without its resource.
broken = copy.deepcopy(real)
broken['id'] = 'f0e1d2c3-b4a5-4968-8776-655443322110'
del broken['detail']['resource']
save('invalid/guardduty-finding-without-resource.json', broken)
