"""WIR005: every resource encrypted with a customer key can use it.

Why: incidents 3, 8 and 12 as a class. Encrypting a resource with a customer managed key
moves the question "who may write here" into the key policy too. A service that writes
encrypted data with its own principal (SNS into a queue it delivers to, S3 and EventBridge
into a topic or queue they notify; CloudWatch Logs into a log group is TAP003's) must be
allowed by the key policy itself; a role that sends to an encrypted queue, publishes to an encrypted topic
or receives from an encrypted queue needs the KMS calls the service makes with its
credentials, through the key policy (directly, or delegated to the account root so that
IAM decides) and its IAM policies. Otherwise everything deploys and the writes fail
(a notification or delivery is silently dropped, a send returns KMS.AccessDenied).

Anti-pattern: a key policy without a statement for the writing service's principal; a queue
or topic an AWS service writes to, encrypted with the AWS managed key (its policy cannot be
changed); a producer role without kms:GenerateDataKey and kms:Decrypt on the key, a consumer
without kms:Decrypt.
Best practice: a key policy statement per writing service principal (kms:GenerateDataKey*,
kms:Decrypt, scoped by aws:SourceArn), the account-root statement, and the KMS calls on the
key in each producer's and consumer's role.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.api import (
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    Severity,
    Status,
    role_policies,
)
from checker.core.matching import HOLE
from checker.wiring.key_access import (
    Verdict,
    account,
    arn_value,
    key_policy,
    role_may,
    service_may,
)
from checker.wiring.key_launches import CALLS as LAUNCH_CALLS
from checker.wiring.key_launches import DOC as LAUNCH_DOC
from checker.wiring.key_launches import Launch, launches
from checker.wiring.key_roles import RoleAccess, role_accesses
from checker.wiring.key_users import ServiceUse, destinations, service_uses

SQS_DOC = (
    "Amazon SQS Developer Guide, Amazon SQS key management: permissions of producers "
    "(kms:GenerateDataKey, kms:Decrypt), consumers (kms:Decrypt) and of AWS services sending "
    "to encrypted queues; the AWS managed key's policy cannot be changed "
    "(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
    "sqs-key-management.html)"
)

META = RuleMeta(
    id="WIR005",
    title="Every resource encrypted with a customer key can use it",
    severity=Severity.HIGH,
    incident=3,
    rationale=(
        "A resource encrypted with a customer managed key is written only by principals the "
        "key lets use it: the writing service's principal in the key policy, a producer's or "
        "consumer's role through the key policy and IAM; otherwise writes fail after deploy."
    ),
    remediation=(
        "Add a key policy statement for the writing service's principal (sns, s3 or "
        "events .amazonaws.com: kms:GenerateDataKey*, kms:Decrypt, with aws:SourceArn = the "
        "topic, bucket or rule); encrypt what an AWS service writes to with a customer "
        "managed key, not alias/aws/sqs or alias/aws/sns; grant each producer role "
        "kms:GenerateDataKey and kms:Decrypt, each consumer role kms:Decrypt, on the key."
    ),
    resource_types=(
        "aws_kms_key",
        "aws_kms_key_policy",
        "aws_kms_alias",
        "aws_sqs_queue",
        "aws_sns_topic",
        "aws_kinesis_stream",
        "aws_secretsmanager_secret",
        "aws_s3_bucket",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_sns_topic_subscription",
        "aws_s3_bucket_notification",
        "aws_cloudwatch_event_target",
        "aws_iam_role",
        "aws_autoscaling_group",
        "aws_launch_template",
    ),
    aws_model=(
        "For each KMS key of the plan (named directly or through aws_kms_alias) that encrypts "
        "a queue or topic: SNS delivering to an encrypted queue, S3 "
        "notifying and EventBridge targeting an encrypted topic or queue call GenerateDataKey "
        "and Decrypt as sns, s3 or events .amazonaws.com with aws:SourceArn = the topic, "
        "bucket or rule; a service principal must be allowed by the key policy itself. A role "
        "whose policies allow sqs:SendMessage or sns:Publish on the resource by name calls "
        "GenerateDataKey and Decrypt, one allowed sqs:ReceiveMessage (or fed by an event source "
        "mapping) Decrypt, via sqs/sns.<region>.amazonaws.com: allowed when the key policy "
        "names the role, or trusts the account root and the role's policies (and boundary) "
        "allow the call on the key. The key policy is evaluated by checker/core/evaluation.py "
        "(explicit Deny first, conditions as AWS evaluates them); a key without a policy has "
        "KMS's default policy (the account root only). A role allowed s3:PutObject into a "
        "bucket whose default encryption is the key calls GenerateDataKey, one allowed "
        "s3:GetObject Decrypt. Kinesis producers (kinesis:PutRecord) "
        "call GenerateDataKey and consumers Decrypt; a secret's readers Decrypt. An Auto "
        "Scaling group whose launch template encrypts a volume with the key launches it as "
        "its service-linked role, whose AWS managed policy (AutoScalingServiceRolePolicy) "
        "grants no KMS action: the key policy itself must allow that role Encrypt, Decrypt, "
        "ReEncrypt*, GenerateDataKeyWithoutPlaintext, DescribeKey and CreateGrant for AWS "
        "resources."
    ),
    letter_vs_aws=(
        "CloudWatch Logs writing to an encrypted log group is left to TAP003, the seed's rule "
        "for incident 3, which evaluates the same key-policy requests (a second finding at "
        "the log group would only repeat it). Roles whose grant covers every queue or topic alike "
        '(Resource "*", AWS managed policies) are judged only as consumers of an event '
        "source mapping: the grant does not say which resource their code uses."
    ),
    limits=(
        "KMS grants, SCPs and cross-account keys are not evaluated; the encryption context "
        "SQS and SNS send is not modelled (a key policy condition on it is unknown); the "
        "roles of EC2 instance profiles writing to buckets are TAP012's (the seed's EC2 "
        "writer), log groups and Lambda's own use of a key TAP003's; a key of another stack, "
        "or a key reference only apply resolves, is unknown. DynamoDB callers need no KMS "
        "permission of their own (DynamoDB uses the key through a grant made when the table "
        "is created); EBS volumes outside an Auto Scaling group are not judged; multipart "
        "uploads (kms:Decrypt besides GenerateDataKey) are not told from single puts."
    ),
    references=(
        SQS_DOC,
        "Amazon SNS Developer Guide, Managing Amazon SNS encryption keys: publishers need "
        "kms:GenerateDataKey* and kms:Decrypt; AWS services publishing to encrypted topics "
        "need a key policy statement (https://docs.aws.amazon.com/sns/latest/dg/"
        "sns-key-management.html)",
        "Amazon S3 User Guide, Granting permissions to publish event notification messages to "
        "a destination (https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
        "grant-destinations-permissions-to-s3.html)",
        "Amazon EventBridge User Guide, Using resource-based policies: Amazon SNS and SQS "
        "permissions for encrypted targets (https://docs.aws.amazon.com/eventbridge/latest/"
        "userguide/eb-use-resource-based.html)",
        "AWS KMS Developer Guide, Key policies and the default key policy "
        "(https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html)",
        "Amazon Kinesis Data Streams Developer Guide, Permissions to use user-generated KMS "
        "keys: producers kms:GenerateDataKey, consumers kms:Decrypt (https://docs.aws.amazon."
        "com/streams/latest/dev/permissions-user-key-KMS.html)",
        "AWS Secrets Manager User Guide, Secret encryption and decryption: kms:Decrypt to read "
        "a secret under a customer managed key (https://docs.aws.amazon.com/secretsmanager/"
        "latest/userguide/security-encryption.html)",
        "Amazon S3 User Guide, Using server-side encryption with AWS KMS keys (SSE-KMS): "
        "permissions to upload and download objects (https://docs.aws.amazon.com/AmazonS3/"
        "latest/userguide/UsingKMSEncryption.html)",
        LAUNCH_DOC,
        "AWS KMS Developer Guide, kms:ViaService "
        "(https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html)",
    ),
    needs_person=(
        "a key policy is its owner's document and a role's grants are written with its code: "
        "which statement to add, and where, is a person's choice"
    ),
)


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    own = account(model)
    for use in service_uses(model):
        yield _judge_service(model, use, own)
    roles = role_policies(model)
    by_role: dict[str, list[Result]] = {}
    for access in role_accesses(model, roles, destinations(model)):
        result = _judge_role(model, access, own)
        if result is not None:
            by_role.setdefault(access.role.address, []).append(result)
    for results in by_role.values():
        yield _one_per_role(results)
    for launch in launches(model, own):
        yield _judge_launch(model, launch, own)


def _judge_launch(model: RuleModel, launch: Launch, own: str) -> Result:
    """Auto Scaling creates the template's volumes as its service-linked role: the key policy
    itself must allow it (its managed policy grants no KMS action)."""
    address, attribute = launch.group.address, "launch_template"
    calls = ", ".join(LAUNCH_CALLS)
    expected = f"the key policy allows {launch.role} {calls}"
    what = f"Auto Scaling launches {launch.template.address}'s volumes as {launch.role}"
    ref = launch.key
    if ref.managed:
        return Result.passed(address, attribute, f"{what} with the AWS managed key {ref.managed}")
    if ref.key is None:
        return Result.unknown(address, attribute, f"{what}: {ref.hidden}", expected)
    context: dict[str, tuple[object, ...]] = {
        "kms:CallerAccount": (own,),
        "kms:GrantIsForAWSResource": ("true",),
    }
    verdict = service_may(
        key_policy(model, ref.key), ref.key, launch.role, LAUNCH_CALLS, context,
        frozenset(), own, kind="AWS",
    )  # fmt: skip
    return _result(
        verdict, address, attribute, f"{what}, encrypted with {ref.key.address}", expected
    )


def _one_per_role(results: list[Result]) -> Result:
    """A role's accesses as one finding: its first failure, else its first open one, else a
    pass naming every resource it reaches."""
    for status in (Status.FAILED, Status.UNKNOWN):
        worst = [r for r in results if r.status == status]
        if worst:
            return worst[0]
    first = results[0]
    if len(results) == 1:
        return first
    found = "; ".join(r.found for r in results)
    return Result.passed(first.address, first.attribute, found)


def _judge_service(model: RuleModel, use: ServiceUse, own: str) -> Result:
    address, attribute, target = use.inst.address, use.attribute, use.target.address
    principal = f"{use.service}.amazonaws.com"
    calls = ", ".join(use.calls)
    expected = f"the key policy allows Service {principal} {calls}"
    ref = use.key
    if ref.managed:
        return Result.failed(
            address,
            attribute,
            f"{target} is encrypted with the AWS managed key {ref.managed}, whose policy lets "
            f"only principals of the account use it through its service: {principal} cannot",
            f"a customer managed key whose policy allows {principal} {calls}",
        )
    if ref.key is None:
        return Result.unknown(
            address,
            attribute,
            f"{principal} writes to {target}: {ref.hidden}",
            f"{expected} (bind the configuration with --source DIR to follow the reference)",
        )
    key = ref.key
    context: dict[str, tuple[object, ...]] = {
        "kms:CallerAccount": (own,),
        "aws:SourceAccount": (own,),
    }
    if use.source is not None:
        context["aws:SourceArn"] = (arn_value(use.source),)
    absent = frozenset({"kms:grantisforawsresource"})
    verdict = service_may(key_policy(model, key), key, principal, use.calls, context, absent, own)
    return _result(
        verdict,
        address,
        attribute,
        f"{principal} writes to {target}, encrypted with {key.address}",
        expected,
    )


def _judge_role(model: RuleModel, access: RoleAccess, own: str) -> Result | None:
    role, destination, use = access.role, access.destination, access.use
    target = destination.inst.address
    calls = ", ".join(use.calls)
    expected = f"{role.address} allowed {calls} on the key by the key policy and IAM"
    ref = destination.key
    if ref.managed:
        return (
            None  # the AWS managed key lets every principal of the account use it via its service
        )
    what = f"{role.address} may {use.action} on {target}"
    if ref.key is None:
        return Result.unknown(role.address, "policy", f"{what}: {ref.hidden}", expected)
    key = ref.key
    region = model.region_of(destination.inst) or HOLE
    service = use.action.split(":", 1)[0]
    context = {
        "kms:ViaService": (f"{service}.{region}.amazonaws.com",),
        "kms:CallerAccount": (own,),
    }
    verdict = role_may(
        model, role_policies(model), role, key_policy(model, key), key, use.calls, context, own
    )
    if access.granted is None:
        if verdict.value is True:
            return None
        return Result.unknown(
            role.address,
            "policy",
            f"whether {role.address} may {use.action} on {target} is open; if it may, "
            f"{verdict.why}",
            expected,
        )
    return _result(
        verdict, role.address, "policy", f"{what}, encrypted with {key.address}", expected
    )


def _result(verdict: Verdict, address: str, attribute: str, what: str, expected: str) -> Result:
    if verdict.value is False:
        return Result.failed(address, attribute, f"{what}: {verdict.why}", expected)
    if verdict.value is None:
        return Result.unknown(
            address,
            attribute,
            f"{what}: {verdict.why}",
            f"{expected} (bind the configuration with --source DIR, or a plan that shows it)",
        )
    return Result.passed(address, attribute, f"{what}, and the key lets it")


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
