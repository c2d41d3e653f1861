"""Settings AWS keeps one of per parent, and the Terraform resource types that write them.

Each `Singleton` is one resource type whose every instance writes (or adds) the whole of one
setting of a parent: S3 keeps one policy, one lifecycle configuration, one notification
configuration... per bucket and each Put replaces it; SNS and SQS keep one policy per topic
and queue; Lambda keeps one asynchronous invocation configuration per function and
qualifier and refuses a second statement with the same ID in one resource policy; API
Gateway keeps one account setting per region; Terraform's aws_iam_policy_attachment owns
every attachment of its policy across the account. Two instances of one type with the same
parent fight: the later apply silently replaces the other, or the second create fails.

How the parent is found is `Parent`: the instance attribute that names it and the parent's
resource type (joined by reference, then by the same unknown template, then by the literal
value: `checker.rules.links`), or the function and qualifier a Lambda ARN names
(`checker.rules.lambda_targets`), or the region of the instance's provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Parent(Enum):
    """How an instance's parent is identified."""

    RESOURCE = "resource"  # `attribute` names a resource of `parent_type` (or a literal)
    FUNCTION = "function"  # `attribute` names a Lambda function; `qualifier` too
    STATEMENT = "statement"  # FUNCTION, and the permission's statement ID
    REGION = "region"  # the region of the instance's provider (the account is the plan's)


@dataclass(frozen=True)
class Singleton:
    """One resource type that manages the single `setting` of its parent."""

    type: str
    setting: str  # what the instances fight over, as a finding says it
    attribute: str  # the instance attribute naming the parent ("" for a region)
    parent: Parent
    parent_type: str = ""  # the parent's resource type (RESOURCE)
    identity: str = ""  # the parent's attribute an unknown template is compared with
    doc: str = ""  # the AWS (or provider) document that says there is one per parent


S3 = "Amazon S3 API Reference"
S3_API = "https://docs.aws.amazon.com/AmazonS3/latest/API"


def _bucket(type_: str, setting: str, doc: str) -> Singleton:
    return Singleton(type_, setting, "bucket", Parent.RESOURCE, "aws_s3_bucket", "bucket", doc)


SINGLETONS: tuple[Singleton, ...] = (
    _bucket(
        "aws_s3_bucket_notification",
        "notification configuration",
        f"{S3}, PutBucketNotificationConfiguration: the action replaces the existing "
        f"notification configuration ({S3_API}/API_PutBucketNotificationConfiguration.html)",
    ),
    _bucket(
        "aws_s3_bucket_policy",
        "bucket policy",
        f"{S3}, PutBucketPolicy: if the bucket already has a policy, the one in the request "
        f"completely replaces it ({S3_API}/API_PutBucketPolicy.html)",
    ),
    _bucket(
        "aws_s3_bucket_lifecycle_configuration",
        "lifecycle configuration",
        f"{S3}, PutBucketLifecycleConfiguration: creates a new lifecycle configuration or "
        f"replaces the existing one ({S3_API}/API_PutBucketLifecycleConfiguration.html)",
    ),
    _bucket(
        "aws_s3_bucket_versioning",
        "versioning state",
        f"{S3}, PutBucketVersioning: sets the versioning state of the bucket "
        f"({S3_API}/API_PutBucketVersioning.html)",
    ),
    _bucket(
        "aws_s3_bucket_server_side_encryption_configuration",
        "default encryption configuration",
        f"{S3}, PutBucketEncryption: configures the bucket's default encryption, replacing it "
        f"({S3_API}/API_PutBucketEncryption.html)",
    ),
    _bucket(
        "aws_s3_bucket_public_access_block",
        "public access block",
        f"{S3}, PutPublicAccessBlock: creates or modifies the bucket's PublicAccessBlock "
        f"configuration ({S3_API}/API_PutPublicAccessBlock.html)",
    ),
    _bucket(
        "aws_s3_bucket_cors_configuration",
        "CORS configuration",
        f"{S3}, PutBucketCors: sets the bucket's CORS configuration, replacing an existing one "
        f"({S3_API}/API_PutBucketCors.html)",
    ),
    _bucket(
        "aws_s3_bucket_ownership_controls",
        "object ownership setting",
        f"{S3}, PutBucketOwnershipControls: creates or modifies OwnershipControls for the "
        f"bucket ({S3_API}/API_PutBucketOwnershipControls.html)",
    ),
    _bucket(
        "aws_s3_bucket_logging",
        "server access logging configuration",
        f"{S3}, PutBucketLogging: sets the logging parameters of the bucket "
        f"({S3_API}/API_PutBucketLogging.html)",
    ),
    _bucket(
        "aws_s3_bucket_website_configuration",
        "website configuration",
        f"{S3}, PutBucketWebsite: sets the bucket's website configuration, replacing an "
        f"existing one ({S3_API}/API_PutBucketWebsite.html)",
    ),
    Singleton(
        "aws_sns_topic_policy",
        "topic policy",
        "arn",
        Parent.RESOURCE,
        "aws_sns_topic",
        "arn",
        "Amazon SNS API Reference, SetTopicAttributes: the Policy attribute is the topic's one "
        "access policy (https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html)",
    ),
    Singleton(
        "aws_sqs_queue_policy",
        "queue policy",
        "queue_url",
        Parent.RESOURCE,
        "aws_sqs_queue",
        "url",
        "Amazon SQS API Reference, SetQueueAttributes: sets the value of queue attributes, "
        "like a policy (the Policy attribute, one per queue) (https://docs.aws.amazon.com/"
        "AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html)",
    ),
    Singleton(
        "aws_lambda_function_event_invoke_config",
        "asynchronous invocation configuration",
        "function_name",
        Parent.FUNCTION,
        doc="AWS Lambda API Reference, PutFunctionEventInvokeConfig: if a configuration already "
        "exists for a function, version, or alias, this operation overwrites it "
        "(https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html)",
    ),
    Singleton(
        "aws_lambda_permission",
        "resource policy statement",
        "function_name",
        Parent.STATEMENT,
        doc="AWS Lambda API Reference, AddPermission: StatementId differentiates the statement "
        "from others in the same policy; a second one with the same ID fails with "
        "ResourceConflictException (https://docs.aws.amazon.com/lambda/latest/api/"
        "API_AddPermission.html)",
    ),
    Singleton(
        "aws_api_gateway_account",
        "API Gateway account settings (the CloudWatch Logs role)",
        "",
        Parent.REGION,
        doc="AWS CloudFormation Template Reference, AWS::ApiGateway::Account: to avoid "
        "overwriting other roles, have only one per region per account "
        "(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
        "aws-resource-apigateway-account.html)",
    ),
    Singleton(
        "aws_iam_policy_attachment",
        "attachments",
        "policy_arn",
        Parent.RESOURCE,
        "aws_iam_policy",
        "arn",
        "Terraform AWS provider, aws_iam_policy_attachment: it creates exclusive attachments; "
        "across the entire AWS account, all of the users/roles/groups to which a single policy "
        "is attached must be declared by a single aws_iam_policy_attachment "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/"
        "iam_policy_attachment)",
    ),
)
