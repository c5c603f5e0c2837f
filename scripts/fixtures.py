"""What every fixture builder shares (scripts/build-fixtures*.py): where the events are, reading and writing them, and
the EventBridge `Config Rules Compliance Change` event built from the AWS Config developer guide's documented
ComplianceChangeNotification. Run the builders from the project root."""
import copy
import json
import pathlib

EVENTS = pathlib.Path('events')
SHARED = pathlib.Path('../shared/events')


def load(path):
    """A sample event of events/, as data."""
    return json.loads((EVENTS / path).read_text())


def save(path, event):
    (EVENTS / path).write_text(json.dumps(event, indent=2) + '\n')
    print('built', path)


def record(shared_path, path):
    """A recorded sample of ../shared/events, copied verbatim."""
    (EVENTS / path).write_text((SHARED / shared_path).read_text())
    print('recorded', path)


def compliance_change(rule, resource_type, resource_id, new, old, event_id, annotation=None):
    """An EventBridge `Config Rules Compliance Change` event: the envelope EventBridge gives every event, around the
    `Message` of the documented SNS compliance-change notification (the guide documents its fields as the `detail`'s),
    with only the rule, resource and compliance changed."""
    notification = json.loads((EVENTS / 'invalid/config-sns-compliance-notification.json').read_text())['Message']
    detail = copy.deepcopy(notification)
    detail['configRuleName'] = rule
    detail['configRuleARN'] = 'arn:aws:config:us-east-2:123456789012:config-rule/config-rule-9rpvxc'
    detail['resourceType'] = resource_type
    detail['resourceId'] = resource_id
    for key, compliance in (('newEvaluationResult', new), ('oldEvaluationResult', old)):
        q = detail[key]['evaluationResultIdentifier']['evaluationResultQualifier']
        q.update({'configRuleName': rule, 'resourceType': resource_type, 'resourceId': resource_id})
        detail[key]['complianceType'] = compliance
    detail['newEvaluationResult']['annotation'] = annotation
    return {
        'version': '0',
        'id': event_id,
        'detail-type': 'Config Rules Compliance Change',
        'source': 'aws.config',
        'account': detail['awsAccountId'],
        'time': detail['notificationCreationTime'].split('.')[0] + 'Z',
        'region': detail['awsRegion'],
        'resources': [detail['configRuleARN']],
        'detail': detail,
    }
