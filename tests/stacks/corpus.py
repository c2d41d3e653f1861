"""The stack corpus: independently written stacks of the seed's architecture, as data.

Each directory under `tests/stacks/` is one complete stack in idioms the others
do not use; it is clean (no rule fails) and each `StackMutation` re-introduces
one incident by editing its files. `fails` names every (rule, address) that
must fail afterwards with sources bound; any other failure is a defect of the
checker. Real plans of each (create, and update against the applied clean
stack) are written by `python -m tests.terraform.corpus` into
`tests/fixtures/stacks/<stack>/`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

STACKS = Path(__file__).resolve().parent
SKIP = {"__pycache__", ".terraform"}


@dataclass(frozen=True)
class StackMutation:
    """One edit of a stack's files that re-introduces an incident."""

    id: str
    rule: str
    description: str
    edits: tuple[tuple[str, str, str], ...]  # (file relative to the stack, old, new)
    fails: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Stack:
    name: str
    description: str
    mutations: tuple[StackMutation, ...] = field(default=())
    # objects another pipeline publishes before this stack is applied (a Lambda package
    # in an artifact bucket): (bucket, key, file of the stack); created in moto first
    published: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def directory(self) -> Path:
        return STACKS / self.name

    def files(self, mutation: StackMutation | None = None) -> dict[str, bytes]:
        """Relative path -> content of every file of the stack, with the mutation applied."""
        out: dict[str, bytes] = {}
        for path in sorted(self.directory.rglob("*")):
            relative = path.relative_to(self.directory)
            if path.is_file() and not SKIP & set(relative.parts):
                out[relative.as_posix()] = path.read_bytes()
        for file, old, new in mutation.edits if mutation else ():
            text = out[file].decode()
            assert old in text, (
                f"{self.name}/{mutation.id if mutation else ''}: {old!r} not in {file}"
            )
            out[file] = text.replace(old, new, 1).encode()
        return out

    def write(self, target: Path, mutation: StackMutation | None = None) -> Path:
        for relative, content in self.files(mutation).items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        return target

    def digest(self, mutation: StackMutation | None = None) -> str:
        h = hashlib.sha256()
        for relative, content in self.files(mutation).items():
            h.update(relative.encode() + b"\0" + content + b"\0")
        return h.hexdigest()[:16]


def fails(*pairs: tuple[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(pairs)


MAIN = "main.tf"
BUCKET_MODULE = "modules/bucket/main.tf"
UPLOADS = 'module.bucket["uploads"].aws_s3_bucket.this'
AUDIT = 'module.bucket["audit"].aws_s3_bucket.this'
KEY_MODULE = "modules/key/main.tf"


def edit(old: str, new: str, file: str = MAIN) -> tuple[str, str, str]:
    return (file, old, new)


MODULAR = Stack(
    "modular",
    "a bucket module by for_each, aws_iam_policy attachments and a managed policy, "
    "aws_kms_key_policy, a prebuilt zip, templatefile() user data, outputs through for",
    (
        StackMutation(
            "tap001-wrong-principal",
            "TAP001",
            "the S3 permission names another service",
            (edit('principal     = "s3.amazonaws.com"', 'principal     = "sns.amazonaws.com"'),),
            fails(("TAP001", "aws_s3_bucket_notification.uploads")),
        ),
        StackMutation(
            "tap001-permission-for-audit",
            "TAP001",
            "the S3 permission's source_arn is the other bucket of the module",
            (
                edit(
                    'source_arn    = module.bucket["uploads"].arn',
                    'source_arn    = module.bucket["audit"].arn',
                ),
            ),
            fails(("TAP001", "aws_s3_bucket_notification.uploads")),
        ),
        StackMutation(
            "tap002-dynamodb-star",
            "TAP002",
            "the attached policy grants dynamodb:*",
            (
                edit(
                    'Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]',
                    'Action   = "dynamodb:*"',
                ),
            ),
            fails(("TAP002", "aws_iam_role.fn")),
        ),
        StackMutation(
            "tap002-resource-star",
            "TAP002",
            "the attached policy grants the table actions on every resource",
            (
                edit(
                    'Resource = [aws_dynamodb_table.items.arn, "${aws_dynamodb_table.items.arn}/index/*"]',
                    'Resource = "*"',
                ),
            ),
            fails(("TAP002", "aws_iam_role.fn")),
        ),
        StackMutation(
            "tap003-no-logs-statement",
            "TAP003",
            "aws_kms_key_policy no longer lets CloudWatch Logs use the key",
            (
                edit(
                    'Principal = { Service = "logs.${local.region}.amazonaws.com" }',
                    'Principal = { Service = "events.amazonaws.com" }',
                ),
            ),
            fails(("TAP003", "aws_kms_key.data")),
        ),
        StackMutation(
            "tap003-grant-unconditioned",
            "TAP003",
            "Lambda may create grants without the ViaService condition",
            (
                edit(
                    'StringEquals = { "kms:ViaService" = "lambda.${local.region}.amazonaws.com" }\n',
                    "",
                ),
            ),
            fails(("TAP003", "aws_kms_key.data")),
        ),
        StackMutation(
            "tls-true",
            "TAP004",
            "the module's TLS deny is conditioned on SecureTransport = true",
            (
                edit(
                    '"aws:SecureTransport" = "false"',
                    '"aws:SecureTransport" = "true"',
                    BUCKET_MODULE,
                ),
            ),
            fails(("TAP004", UPLOADS), ("TAP004", AUDIT)),
        ),
        StackMutation(
            "tap005-versioning-suspended",
            "TAP005",
            "the module suspends versioning",
            (edit('status = "Enabled"', 'status = "Suspended"', BUCKET_MODULE),),
            fails(("TAP005", UPLOADS), ("TAP005", AUDIT)),
        ),
        StackMutation(
            "tap007-integration-aws",
            "TAP007",
            "the integration is not a proxy integration",
            (edit('type                    = "AWS_PROXY"', 'type                    = "AWS"'),),
            fails(("TAP007", "aws_api_gateway_integration.post")),
        ),
        StackMutation(
            "tap008-no-retention",
            "TAP008",
            "the function's log group keeps logs forever",
            (
                edit(
                    '  retention_in_days = 30\n  kms_key_id        = aws_kms_key.data.arn\n  depends_on        = [aws_kms_key_policy.data]\n}\n\nresource "aws_lambda_function"',
                    '  kms_key_id        = aws_kms_key.data.arn\n  depends_on        = [aws_kms_key_policy.data]\n}\n\nresource "aws_lambda_function"',
                ),
            ),
            fails(("TAP008", "aws_cloudwatch_log_group.fn")),
        ),
        StackMutation(
            "tap010-pitr-off",
            "TAP010",
            "point-in-time recovery is off",
            (
                edit(
                    "  point_in_time_recovery {\n    enabled = true",
                    "  point_in_time_recovery {\n    enabled = false",
                ),
            ),
            fails(("TAP010", "aws_dynamodb_table.items")),
        ),
        StackMutation(
            "tap011-no-force-destroy",
            "TAP011",
            "the module's buckets cannot be destroyed while versioned objects remain",
            (edit("force_destroy = true", "force_destroy = false", BUCKET_MODULE),),
            fails(("TAP011", UPLOADS), ("TAP011", AUDIT)),
        ),
        StackMutation(
            "tap012-no-fallback",
            "TAP012",
            "the templated user data has no SSE-KMS put-object fallback",
            (
                edit(
                    "--region ${region} \\\n  || aws s3api put-object",
                    "--region ${region}\necho aws s3api put-object",
                    "templates/proof.sh.tftpl",
                ),
            ),
            fails(("TAP012", "aws_instance.proof")),
        ),
        StackMutation(
            "tap012-no-kms",
            "TAP012",
            "the proof role's attached policy lost its KMS statement",
            (
                edit(
                    '      { Effect = "Allow", Action = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource = aws_kms_key.data.arn },\n',
                    "",
                ),
            ),
            fails(("TAP012", "aws_iam_role.proof")),
        ),
        StackMutation(
            "tap013-deployment-order",
            "TAP013",
            "the deployment no longer waits for its integration",
            (
                edit("  depends_on = [aws_api_gateway_integration.post]\n", ""),
                edit(
                    "triggers    = { integration = aws_api_gateway_integration.post.id }",
                    'triggers    = { version = "1" }',
                ),
            ),
            fails(("TAP013", "aws_api_gateway_deployment.api")),
        ),
        StackMutation(
            "tap014-no-access-logs",
            "TAP014",
            "the stage writes no access logs",
            (
                edit(
                    '  access_log_settings {\n    destination_arn = aws_cloudwatch_log_group.api.arn\n    format          = "$context.requestId $context.status"\n  }\n',
                    "",
                ),
            ),
            fails(("TAP014", "aws_api_gateway_stage.live")),
        ),
        StackMutation(
            "tap015-no-api-url",
            "TAP015",
            "the API URL is no longer an output",
            (
                edit(
                    'output "api_url" {\n  value = "${aws_api_gateway_stage.live.invoke_url}/process"\n}\n',
                    "",
                ),
            ),
            fails(("TAP015", "outputs")),
        ),
    ),
)

CHAINS = Stack(
    "chains",
    "for_each chains over resources (companions keyed by their bucket), heredoc JSON policies, "
    "an inline role policy, archive_file of one source file, log groups by for_each, count",
    (
        StackMutation(
            "tap001-permission-for-archive",
            "TAP001",
            "the S3 permission names the other bucket of the for_each",
            (
                edit(
                    'source_arn     = aws_s3_bucket.this["ingest"].arn',
                    'source_arn     = aws_s3_bucket.this["archive"].arn',
                ),
            ),
            fails(("TAP001", "aws_s3_bucket_notification.ingest")),
        ),
        StackMutation(
            "tap002-get-only",
            "TAP002",
            "the inline policy no longer grants the PutItem the handler calls",
            (
                edit(
                    '"Action": ["dynamodb:PutItem", "dynamodb:GetItem"]',
                    '"Action": ["dynamodb:GetItem"]',
                ),
            ),
            fails(("TAP002", "aws_iam_role.worker")),
        ),
        StackMutation(
            "tap002-table-wildcard",
            "TAP002",
            "the inline policy grants every table",
            (
                edit(
                    '"Resource": "${aws_dynamodb_table.events.arn}"',
                    '"Resource": "arn:aws:dynamodb:*:*:table/*"',
                ),
            ),
            fails(("TAP002", "aws_iam_role.worker")),
        ),
        StackMutation(
            "tap003-no-root",
            "TAP003",
            "the heredoc key policy drops the account root",
            (
                edit(
                    '"Principal": {"AWS": "arn:aws:iam::${local.account}:root"},\n          "Action": "kms:*"',
                    '"Principal": {"AWS": "arn:aws:iam::${local.account}:root"},\n          "Action": "kms:Describe*"',
                ),
            ),
            fails(("TAP003", "aws_kms_key.main")),
        ),
        StackMutation(
            "tls-true",
            "TAP004",
            "the heredoc bucket policy denies only when SecureTransport is true",
            (
                edit(
                    '"Bool": {"aws:SecureTransport": "false"}',
                    '"Bool": {"aws:SecureTransport": "true"}',
                ),
            ),
            fails(
                ("TAP004", 'aws_s3_bucket.this["ingest"]'),
                ("TAP004", 'aws_s3_bucket.this["archive"]'),
            ),
        ),
        StackMutation(
            "tap005-aes256",
            "TAP005",
            "the chained encryption uses S3-managed keys",
            (edit('sse_algorithm     = "aws:kms"', 'sse_algorithm     = "AES256"'),),
            fails(
                ("TAP005", 'aws_s3_bucket.this["ingest"]'),
                ("TAP005", 'aws_s3_bucket.this["archive"]'),
            ),
        ),
        StackMutation(
            "tap005-public-policy",
            "TAP005",
            "the chained public-access block allows public policies",
            (edit("block_public_policy     = true", "block_public_policy     = false"),),
            fails(
                ("TAP005", 'aws_s3_bucket.this["ingest"]'),
                ("TAP005", 'aws_s3_bucket.this["archive"]'),
            ),
        ),
        StackMutation(
            "tap009-second-notification",
            "TAP009",
            "a second notification resource for the ingest bucket",
            (
                edit(
                    "# ---------------------------------------------------------------- API",
                    'resource "aws_s3_bucket_notification" "ingest_csv" {\n'
                    '  bucket = aws_s3_bucket.this["ingest"].id\n'
                    "  lambda_function {\n"
                    "    lambda_function_arn = aws_lambda_function.worker.arn\n"
                    '    events              = ["s3:ObjectCreated:Put"]\n'
                    '    filter_suffix       = ".csv"\n'
                    "  }\n"
                    "  depends_on = [aws_lambda_permission.s3]\n"
                    "}\n\n"
                    "# ---------------------------------------------------------------- API",
                ),
            ),
            fails(
                ("TAP009", "aws_s3_bucket_notification.ingest"),
                ("TAP009", "aws_s3_bucket_notification.ingest_csv"),
            ),
        ),
        StackMutation(
            "tap010-no-pitr",
            "TAP010",
            "the table has no point-in-time recovery block",
            (edit("  point_in_time_recovery {\n    enabled = true\n  }\n", ""),),
            fails(("TAP010", "aws_dynamodb_table.events")),
        ),
        StackMutation(
            "tap011-no-force-destroy",
            "TAP011",
            "the for_each buckets cannot be destroyed with objects in them",
            (edit("force_destroy = true", "force_destroy = false"),),
            fails(
                ("TAP011", 'aws_s3_bucket.this["ingest"]'),
                ("TAP011", 'aws_s3_bucket.this["archive"]'),
            ),
        ),
        StackMutation(
            "tap012-no-kms",
            "TAP012",
            "the writer's heredoc policy lost its KMS statement",
            (
                edit(
                    ',\n        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "${aws_kms_key.main.arn}"}',
                    "",
                ),
            ),
            fails(("TAP012", "aws_iam_role.writer")),
        ),
        StackMutation(
            "tap015-no-instance",
            "TAP015",
            "the instance is no longer an output",
            (
                edit(
                    'output "instances" {\n  value = [for i in aws_instance.writer : { id = i.id, ip = i.public_ip }]\n}\n',
                    "",
                ),
            ),
            fails(("TAP015", "outputs")),
        ),
    ),
)

COUNTED = Stack(
    "counted",
    "count everywhere (companions by count.index), aws_iam_policy_document for every policy, "
    "a key module per region through provider aliases, managed + customer policies attached "
    "by count, archive_file source blocks, base64-encoded templated user data",
    (
        StackMutation(
            "tap001-no-depends-on",
            "TAP001",
            "the notification no longer waits for its permission",
            (edit("  depends_on = [aws_lambda_permission.from_inbox]\n", ""),),
            fails(("TAP001", "aws_s3_bucket_notification.inbox")),
        ),
        StackMutation(
            "tap001-permission-for-outbox",
            "TAP001",
            "the S3 permission names the other counted bucket",
            (
                edit(
                    "source_arn    = aws_s3_bucket.store[0].arn",
                    "source_arn    = aws_s3_bucket.store[1].arn",
                ),
            ),
            fails(("TAP001", "aws_s3_bucket_notification.inbox")),
        ),
        StackMutation(
            "tap002-full-access",
            "TAP002",
            "the role gets AmazonDynamoDBFullAccess attached by count",
            (
                edit(
                    "ingest_policies = [local.basic_execution, aws_iam_policy.records_write.arn]",
                    "ingest_policies = [local.basic_execution, aws_iam_policy.records_write.arn, "
                    '"arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"]',
                ),
            ),
            fails(("TAP002", "aws_iam_role.ingest")),
        ),
        StackMutation(
            "tap002-no-customer-policy",
            "TAP002",
            "only the AWS managed basic execution policy is attached",
            (
                edit(
                    "ingest_policies = [local.basic_execution, aws_iam_policy.records_write.arn]",
                    "ingest_policies = [local.basic_execution]",
                ),
            ),
            fails(("TAP002", "aws_iam_role.ingest")),
        ),
        StackMutation(
            "tap003-dr-region-logs",
            "TAP003",
            "the key module names the logs service of a fixed region (wrong for the DR key)",
            (
                edit(
                    'identifiers = ["logs.${data.aws_region.here.name}.amazonaws.com"]',
                    'identifiers = ["logs.us-east-1.amazonaws.com"]',
                    KEY_MODULE,
                ),
            ),
            fails(("TAP003", "module.dr_key.aws_kms_key.this")),
        ),
        StackMutation(
            "tap003-grant-any-service",
            "TAP003",
            "the grant statement loses its ViaService condition",
            (
                edit(
                    '    condition {\n      test     = "StringEquals"\n      variable = "kms:ViaService"\n'
                    '      values   = ["lambda.${data.aws_region.here.name}.amazonaws.com"]\n    }\n',
                    "",
                    KEY_MODULE,
                ),
            ),
            fails(
                ("TAP003", "module.key.aws_kms_key.this"),
                ("TAP003", "module.dr_key.aws_kms_key.this"),
            ),
        ),
        StackMutation(
            "tls-allow",
            "TAP004",
            "the document's TLS statement allows instead of denying",
            (edit('effect    = "Deny"', 'effect    = "Allow"'),),
            fails(("TAP004", "aws_s3_bucket.store[0]"), ("TAP004", "aws_s3_bucket.store[1]")),
        ),
        StackMutation(
            "tap005-one-versioning",
            "TAP005",
            "versioning is counted for one bucket only",
            (
                edit(
                    'resource "aws_s3_bucket_versioning" "store" {\n  count  = length(aws_s3_bucket.store)',
                    'resource "aws_s3_bucket_versioning" "store" {\n  count  = 1',
                ),
            ),
            fails(("TAP005", "aws_s3_bucket.store[1]")),
        ),
        StackMutation(
            "tap006-no-hash",
            "TAP006",
            "source_code_hash is set nowhere",
            (edit("  source_code_hash = data.archive_file.ingest.output_base64sha256\n", ""),),
            fails(("TAP006", "aws_lambda_function.ingest")),
        ),
        StackMutation(
            "tap007-rest-api-arn",
            "TAP007",
            "the API permission's source_arn is the API's ARN, not its execution ARN",
            (
                edit(
                    'source_arn    = "${aws_api_gateway_rest_api.front.execution_arn}/*/*"',
                    'source_arn    = "${aws_api_gateway_rest_api.front.arn}/*/*"',
                ),
            ),
            fails(("TAP007", "aws_api_gateway_integration.process_post")),
        ),
        StackMutation(
            "tap008-dr-no-kms",
            "TAP008",
            "the recovery region's log group is not encrypted",
            (edit("  kms_key_id        = module.dr_key.arn\n", ""),),
            fails(("TAP008", "aws_cloudwatch_log_group.ingest_dr")),
        ),
        StackMutation(
            "tap010-no-pitr",
            "TAP010",
            "the table has no point-in-time recovery",
            (edit("  point_in_time_recovery {\n    enabled = true\n  }\n", ""),),
            fails(("TAP010", "aws_dynamodb_table.records")),
        ),
        StackMutation(
            "tap012-no-fallback",
            "TAP012",
            "the base64 script uploads with plain aws s3 cp",
            (
                edit(
                    "aws s3api put-object --bucket ${bucket} --key proof/$(hostname).txt --body /tmp/proof.txt \\\n"
                    "  --server-side-encryption aws:kms --ssekms-key-id ${key_arn}",
                    "aws s3 cp /tmp/proof.txt s3://${bucket}/proof/$(hostname).txt",
                    "scripts/proof.sh.tftpl",
                ),
            ),
            fails(("TAP012", "aws_instance.prover[0]")),
        ),
        StackMutation(
            "tap012-key-of-dr",
            "TAP012",
            "the prover may use the recovery region's key, not the bucket's",
            (
                edit(
                    '    actions   = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]\n'
                    "    resources = [module.key.arn]",
                    '    actions   = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]\n'
                    "    resources = [module.dr_key.arn]",
                ),
            ),
            fails(("TAP012", "aws_iam_role.prover")),
        ),
        StackMutation(
            "tap013-stage-before-account",
            "TAP013",
            "the stage no longer waits for the API Gateway account",
            (
                edit(
                    "  depends_on = [aws_api_gateway_account.this]\n}\n\n# ------"
                    "---------------------------------------------------------- proof",
                    "}\n\n# ---------------------------------------------------------------- proof",
                ),
            ),
            fails(("TAP013", "aws_api_gateway_stage.v1")),
        ),
        StackMutation(
            "tap014-no-account",
            "TAP014",
            "no API Gateway account: the stage cannot write its access logs",
            (
                edit(
                    'resource "aws_api_gateway_account" "this" {\n'
                    "  cloudwatch_role_arn = aws_iam_role.apigw_logs.arn\n"
                    "  depends_on          = [aws_iam_role_policy_attachment.apigw_logs]\n}\n",
                    "",
                ),
                edit("  depends_on = [aws_api_gateway_account.this]\n", ""),
            ),
            fails(("TAP014", "aws_api_gateway_stage.v1")),
        ),
        StackMutation(
            "tap015-no-api",
            "TAP015",
            "the API is no longer an output",
            (
                edit(
                    'output "api" {\n  value = { id = aws_api_gateway_rest_api.front.id, url = "${aws_api_gateway_stage.v1.invoke_url}/process" }\n}\n',
                    "",
                ),
            ),
            fails(("TAP015", "outputs")),
        ),
    ),
)

INLINE = Stack(
    "inline",
    "a Lambda published to an artifact bucket (s3_bucket/s3_key), inline_policy blocks and "
    "managed_policy_arns, separate bucket resources encrypted through a KMS alias, a "
    "jsonencode()d key policy in a local, a deployment ordered by triggers, terraform.tfvars",
    (
        StackMutation(
            "tap001-no-depends-on",
            "TAP001",
            "the notification no longer waits for its permission",
            (edit("  depends_on = [aws_lambda_permission.uploads]\n", ""),),
            fails(("TAP001", "aws_s3_bucket_notification.uploads")),
        ),
        StackMutation(
            "tap002-dynamodb-star",
            "TAP002",
            "the inline policy grants every DynamoDB action",
            (
                edit(
                    'Action   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"]',
                    'Action   = ["dynamodb:*"]',
                ),
            ),
            fails(("TAP002", "aws_iam_role.worker")),
        ),
        StackMutation(
            "tap002-every-table",
            "TAP002",
            "the inline policy grants the table actions on every resource",
            (edit("Resource = aws_dynamodb_table.jobs.arn", 'Resource = "*"'),),
            fails(("TAP002", "aws_iam_role.worker")),
        ),
        StackMutation(
            "tap003-logs-other-region",
            "TAP003",
            "the key policy names another region's logs service",
            (
                edit(
                    'Principal = { Service = "logs.${var.region}.amazonaws.com" }',
                    'Principal = { Service = "logs.us-west-2.amazonaws.com" }',
                ),
            ),
            fails(("TAP003", "aws_kms_key.main")),
        ),
        StackMutation(
            "tls-bucket-only",
            "TAP004",
            "the uploads TLS statement covers the bucket but not its objects",
            (
                edit(
                    'Resource  = [aws_s3_bucket.uploads.arn, "${aws_s3_bucket.uploads.arn}/*"]',
                    "Resource  = [aws_s3_bucket.uploads.arn]",
                ),
            ),
            fails(("TAP004", "aws_s3_bucket.uploads")),
        ),
        StackMutation(
            "tap005-aes256",
            "TAP005",
            "the uploads bucket is encrypted with S3-managed keys",
            (
                edit(
                    'bucket = aws_s3_bucket.uploads.id\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm     = "aws:kms"\n      kms_master_key_id = aws_kms_alias.main.arn\n',
                    'bucket = aws_s3_bucket.uploads.id\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm     = "AES256"\n',
                ),
            ),
            fails(("TAP005", "aws_s3_bucket.uploads")),
        ),
        StackMutation(
            "tap005-no-public-access-block",
            "TAP005",
            "the reports bucket has no public-access block",
            (
                edit(
                    'resource "aws_s3_bucket_public_access_block" "reports" {\n'
                    "  bucket                  = aws_s3_bucket.reports.id\n"
                    "  block_public_acls       = true\n"
                    "  block_public_policy     = true\n"
                    "  ignore_public_acls      = true\n"
                    "  restrict_public_buckets = true\n}\n",
                    "",
                ),
                edit("  depends_on = [aws_s3_bucket_public_access_block.reports]\n", ""),
            ),
            fails(("TAP005", "aws_s3_bucket.reports")),
        ),
        StackMutation(
            "tap007-rest-api-arn",
            "TAP007",
            "the API permission is scoped with the API's ARN instead of its execution ARN",
            (
                edit(
                    'source_arn    = "${aws_api_gateway_rest_api.jobs.execution_arn}/*/POST/process"',
                    'source_arn    = "${aws_api_gateway_rest_api.jobs.arn}/*/POST/process"',
                ),
            ),
            fails(("TAP007", "aws_api_gateway_integration.process")),
        ),
        StackMutation(
            "tap007-get-route",
            "TAP007",
            "the API permission allows GET /process only",
            (
                edit(
                    'source_arn    = "${aws_api_gateway_rest_api.jobs.execution_arn}/*/POST/process"',
                    'source_arn    = "${aws_api_gateway_rest_api.jobs.execution_arn}/*/GET/process"',
                ),
            ),
            fails(("TAP007", "aws_api_gateway_integration.process")),
        ),
        StackMutation(
            "tap008-function-first",
            "TAP008",
            "the function no longer waits for its log group",
            (edit("  depends_on = [aws_cloudwatch_log_group.worker]\n", ""),),
            fails(("TAP008", "aws_lambda_function.worker")),
        ),
        StackMutation(
            "tap008-access-logs-plain",
            "TAP008",
            "the access log group is not encrypted",
            (
                edit(
                    '  name              = "API-Gateway-Access-Logs_${local.name}"\n'
                    "  retention_in_days = 90\n  kms_key_id        = aws_kms_key.main.arn\n",
                    '  name              = "API-Gateway-Access-Logs_${local.name}"\n'
                    "  retention_in_days = 90\n",
                ),
            ),
            fails(("TAP008", "aws_cloudwatch_log_group.api_access")),
        ),
        StackMutation(
            "tap011-reports-kept",
            "TAP011",
            "the reports bucket cannot be destroyed with objects in it",
            (
                edit(
                    'bucket        = "${local.name}-reports-${local.account_id}"\n  force_destroy = true',
                    'bucket        = "${local.name}-reports-${local.account_id}"\n  force_destroy = false',
                ),
            ),
            fails(("TAP011", "aws_s3_bucket.reports")),
        ),
        StackMutation(
            "tap012-no-kms",
            "TAP012",
            "the reporter's exclusive managed policy lost its KMS statement",
            (
                edit(
                    '      { Effect = "Allow", Action = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource = aws_kms_key.main.arn },\n',
                    "",
                ),
            ),
            fails(("TAP012", "aws_iam_role.reporter")),
        ),
        StackMutation(
            "tap013-constant-trigger",
            "TAP013",
            "the deployment's triggers no longer name the integration",
            (
                edit(
                    "      aws_api_gateway_integration.process.id,\n",
                    "",
                ),
            ),
            fails(("TAP013", "aws_api_gateway_deployment.jobs")),
        ),
        StackMutation(
            "tap014-read-only-role",
            "TAP014",
            "the API Gateway account's role cannot push logs",
            (
                edit(
                    'managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"]',
                    'managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]',
                ),
            ),
            fails(("TAP014", "aws_api_gateway_account.main")),
        ),
        StackMutation(
            "tap015-no-key",
            "TAP015",
            "the key id is no longer an output",
            (edit('output "key_id" {\n  value = aws_kms_key.main.key_id\n}\n', ""),),
            fails(("TAP015", "outputs")),
        ),
    ),
    published=(("release-artifacts-shared", "inline/worker-1.4.2.zip", "package/worker.zip"),),
)

APP = "modules/app/main.tf"
STORAGE = "modules/storage/main.tf"
SERVICE = "modules/service/main.tf"
NESTED_SERVICE = "module.app.module.service"
DROP = "module.app.module.storage.aws_s3_bucket.drop"

NESTED = Stack(
    "nested",
    "nested modules wired by module outputs (object-typed variables), dynamic blocks in "
    "policy documents and notifications, format() strings, a conditional count, "
    "archive_file of a directory with excludes, aws_kms_key_policy",
    (
        StackMutation(
            "tap001-no-depends-on",
            "TAP001",
            "the dynamic notification no longer waits for its permission",
            (edit("  depends_on = [aws_lambda_permission.bucket]\n", "", SERVICE),),
            fails(("TAP001", f"{NESTED_SERVICE}.aws_s3_bucket_notification.drop")),
        ),
        StackMutation(
            "tap002-no-update",
            "TAP002",
            "the dynamic statement grants PutItem but not the UpdateItem the handler calls",
            (
                edit(
                    'actions = ["dynamodb:UpdateItem", "dynamodb:PutItem"]',
                    'actions = ["dynamodb:PutItem"]',
                    SERVICE,
                ),
            ),
            fails(("TAP002", f"{NESTED_SERVICE}.aws_iam_role.processor")),
        ),
        StackMutation(
            "tap003-no-logs",
            "TAP003",
            "the dynamic key statements no longer include CloudWatch Logs",
            (edit('      Logs   = format("logs.%s.amazonaws.com", local.region)\n', "", APP),),
            fails(("TAP003", "module.app.aws_kms_key.this")),
        ),
        StackMutation(
            "tls-unconditioned",
            "TAP004",
            "the bucket policy denies everything, TLS or not",
            (
                edit(
                    '    condition {\n      test     = "Bool"\n      variable = "aws:SecureTransport"\n'
                    '      values   = ["false"]\n    }\n',
                    "",
                    STORAGE,
                ),
            ),
            fails(("TAP004", DROP)),
        ),
        StackMutation(
            "tap005-suspended",
            "TAP005",
            "the nested bucket's versioning is suspended",
            (edit('status = "Enabled"', 'status = "Suspended"', STORAGE),),
            fails(("TAP005", DROP)),
        ),
        StackMutation(
            "tap006-whole-directory",
            "TAP006",
            "the function directory is zipped without excludes",
            (edit('  excludes    = ["__pycache__", "tests"]\n', "", SERVICE),),
            fails(("TAP006", f"{NESTED_SERVICE}.aws_lambda_function.processor")),
        ),
        StackMutation(
            "tap007-any-get",
            "TAP007",
            "the formatted source_arn allows GET on the resource path",
            (
                edit(
                    'source_arn    = format("%s/*/%s%s", aws_api_gateway_rest_api.this.execution_arn, '
                    "aws_api_gateway_method.process.http_method, aws_api_gateway_resource.process.path)",
                    'source_arn    = format("%s/*/GET%s", aws_api_gateway_rest_api.this.execution_arn, '
                    "aws_api_gateway_resource.process.path)",
                    SERVICE,
                ),
            ),
            fails(("TAP007", f"{NESTED_SERVICE}.aws_api_gateway_integration.process")),
        ),
        StackMutation(
            "tap008-keep-forever",
            "TAP008",
            "the root passes no retention: log groups keep logs forever",
            (edit("  log_days    = 14\n", "  log_days    = 0\n"),),
            fails(
                ("TAP008", f'{NESTED_SERVICE}.aws_cloudwatch_log_group.this["function"]'),
                ("TAP008", f'{NESTED_SERVICE}.aws_cloudwatch_log_group.this["access"]'),
            ),
        ),
        StackMutation(
            "tap010-pitr-off",
            "TAP010",
            "the nested table has point-in-time recovery off",
            (
                edit(
                    "  point_in_time_recovery {\n    enabled = true",
                    "  point_in_time_recovery {\n    enabled = false",
                    STORAGE,
                ),
            ),
            fails(("TAP010", "module.app.module.storage.aws_dynamodb_table.seen")),
        ),
        StackMutation(
            "tap012-plain-copy",
            "TAP012",
            "the proof script uploads without explicit SSE-KMS",
            (
                edit(
                    "    aws s3api put-object --bucket ${var.bucket.id} --key proof/boot \\\n"
                    "      --body /tmp/proof --server-side-encryption aws:kms --ssekms-key-id ${var.key_arn}",
                    "    aws s3 cp /tmp/proof s3://${var.bucket.id}/proof/boot",
                    SERVICE,
                ),
            ),
            fails(("TAP012", f"{NESTED_SERVICE}.aws_instance.proof[0]")),
        ),
        StackMutation(
            "tap013-deployment-unordered",
            "TAP013",
            "the deployment no longer waits for the integration",
            (edit("  depends_on  = [aws_api_gateway_integration.process]\n", "", SERVICE),),
            fails(("TAP013", f"{NESTED_SERVICE}.aws_api_gateway_deployment.this")),
        ),
        StackMutation(
            "tap014-wrong-policy",
            "TAP014",
            "the account's role has a read-only policy instead of the push policy",
            (
                edit(
                    "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
                    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                    SERVICE,
                ),
            ),
            fails(("TAP014", f"{NESTED_SERVICE}.aws_api_gateway_account.this")),
        ),
        StackMutation(
            "tap015-no-key",
            "TAP015",
            "the summary output drops the key",
            (
                edit(
                    "    key      = { id = aws_kms_key.this.key_id, arn = aws_kms_key.this.arn }\n",
                    "",
                    APP,
                ),
            ),
            fails(("TAP015", "outputs")),
        ),
    ),
)

LANDING = 'aws_s3_bucket.data["landing"]'
EXPORTS = 'aws_s3_bucket.data["exports"]'

TEMPLATED = Stack(
    "templated",
    "buckets as a map of objects in a local, filtered for_each expressions, policies "
    "rendered from JSON template files, jsonencode(concat(..., [for ...])) key policy, "
    "join()ed user data, archive_file source_content, a nested API route",
    (
        StackMutation(
            "tap001-permission-for-exports",
            "TAP001",
            "the filtered permission names the exports bucket",
            (
                edit(
                    "source_arn     = aws_s3_bucket.data[each.key].arn",
                    'source_arn     = aws_s3_bucket.data["exports"].arn',
                ),
            ),
            fails(("TAP001", 'aws_s3_bucket_notification.bucket["landing"]')),
        ),
        StackMutation(
            "tap002-scan-only",
            "TAP002",
            "the rendered role policy grants Scan, not the PutItem the handler calls",
            (
                edit(
                    'actions       = jsonencode(["dynamodb:PutItem"])',
                    'actions       = jsonencode(["dynamodb:Scan"])',
                ),
            ),
            fails(("TAP002", "aws_iam_role.function")),
        ),
        StackMutation(
            "tap003-grant-for-anything",
            "TAP003",
            "the grant statement no longer requires GrantIsForAWSResource",
            (edit('          Bool         = { "kms:GrantIsForAWSResource" = true }\n', ""),),
            fails(("TAP003", "aws_kms_key.data")),
        ),
        StackMutation(
            "tls-true",
            "TAP004",
            "the bucket policy template denies only when SecureTransport is true",
            (
                edit(
                    '"aws:SecureTransport": "false"',
                    '"aws:SecureTransport": "true"',
                    "policies/bucket.json.tftpl",
                ),
            ),
            fails(("TAP004", LANDING), ("TAP004", EXPORTS)),
        ),
        StackMutation(
            "tap005-block-only-triggering",
            "TAP005",
            "public-access blocks only for the buckets that trigger the function",
            (
                edit(
                    'resource "aws_s3_bucket_public_access_block" "data" {\n  for_each                = local.buckets',
                    'resource "aws_s3_bucket_public_access_block" "data" {\n  for_each                = local.triggering',
                ),
            ),
            fails(("TAP005", EXPORTS)),
        ),
        StackMutation(
            "tap006-temp-output",
            "TAP006",
            "the package is written to a temporary directory",
            (
                edit(
                    'output_path             = "${path.module}/out/function.zip"',
                    'output_path             = "/tmp/function.zip"',
                ),
            ),
            fails(("TAP006", "aws_lambda_function.handler")),
        ),
        StackMutation(
            "tap008-access-forever",
            "TAP008",
            "the access log group has no retention",
            (
                edit(
                    'name              = "/aws/apigateway/tpl-${local.stage}"\n  retention_in_days = 14\n',
                    'name              = "/aws/apigateway/tpl-${local.stage}"\n',
                ),
            ),
            fails(("TAP008", "aws_cloudwatch_log_group.access")),
        ),
        StackMutation(
            "tap011-exports-kept",
            "TAP011",
            "the exports bucket keeps its objects on destroy",
            (edit("  force_destroy = true\n", '  force_destroy = each.key != "exports"\n'),),
            fails(("TAP011", EXPORTS)),
        ),
        StackMutation(
            "tap012-bucket-not-objects",
            "TAP012",
            "the writer may put to the bucket ARNs, not to their objects",
            (
                edit(
                    'object_arns = [for name, b in aws_s3_bucket.data : "${b.arn}/*"]',
                    "object_arns = [for name, b in aws_s3_bucket.data : b.arn]",
                ),
            ),
            fails(("TAP012", "aws_iam_role.writer")),
        ),
        StackMutation(
            "tap012-plain-copy",
            "TAP012",
            "the joined user data copies without explicit SSE-KMS",
            (
                edit(
                    '"aws s3api put-object --bucket ${aws_s3_bucket.data["exports"].id} --key w --body /tmp/w --server-side-encryption aws:kms --ssekms-key-id ${aws_kms_key.data.arn}",',
                    '"aws s3 cp /tmp/w s3://${aws_s3_bucket.data["exports"].id}/w",',
                ),
            ),
            fails(("TAP012", "aws_instance.writer")),
        ),
        StackMutation(
            "tap013-deployment-unordered",
            "TAP013",
            "the deployment no longer waits for the integration",
            (
                edit(
                    "  depends_on  = [aws_api_gateway_integration.process, aws_api_gateway_method.process]\n",
                    "",
                ),
            ),
            fails(("TAP013", "aws_api_gateway_deployment.api")),
        ),
        StackMutation(
            "tap015-no-writer",
            "TAP015",
            "the writer instance is no longer an output",
            (
                edit(
                    'output "writer" {\n  value = { id = aws_instance.writer.id, ip = aws_instance.writer.public_ip }\n}\n',
                    "",
                ),
            ),
            fails(("TAP015", "outputs")),
        ),
    ),
)

COMMUNITY_UPLOADS = "module.uploads.aws_s3_bucket.this[0]"
COMMUNITY_NOTIFICATION = "module.uploads_notification.aws_s3_bucket_notification.this[0]"

# terraform-aws-modules, vendored (modules/*/VENDORED.md): s3-bucket v4.11.0 with its
# notification submodule, dynamodb-table v4.4.0, kms v3.1.1, the last releases whose
# versions.tf accepts the aws provider 5.x. Their outputs are `try(resource[0].attr, "")`.
COMMUNITY = Stack(
    "community",
    "the terraform-aws-modules family as local modules (s3-bucket and its notification "
    "submodule, dynamodb-table, kms with key_statements), module outputs wired through "
    "locals, a Lambda policy merged from source_policy_documents, one file per concern",
    (
        StackMutation(
            "tap001-permission-for-audit",
            "TAP001",
            "the notification submodule's permission names the audit bucket's ARN",
            (edit("bucket_arn = local.uploads_arn", "bucket_arn = module.audit.s3_bucket_arn"),),
            fails(("TAP001", COMMUNITY_NOTIFICATION)),
        ),
        StackMutation(
            "tap002-no-query",
            "TAP002",
            "the source document merged into the role policy drops the Query the handler calls",
            (
                edit(
                    'actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]',
                    'actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem"]',
                    "lambda.tf",
                ),
            ),
            fails(("TAP002", "aws_iam_role.ingest")),
        ),
        StackMutation(
            "tap003-no-logs-statement",
            "TAP003",
            "the kms module's key_statements lose the CloudWatch Logs statement",
            (
                edit(
                    "    {\n"
                    '      sid       = "CloudWatchLogs"\n'
                    '      actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", '
                    '"kms:GenerateDataKey*", "kms:Describe*"]\n'
                    '      resources = ["*"]\n'
                    "      principals = [\n"
                    '        { type = "Service", identifiers = ["logs.${local.region}.amazonaws.com"] }\n'
                    "      ]\n"
                    "      conditions = [\n"
                    "        {\n"
                    '          test     = "ArnLike"\n'
                    '          variable = "kms:EncryptionContext:aws:logs:arn"\n'
                    '          values   = ["arn:aws:logs:${local.region}:${local.account_id}:*"]\n'
                    "        }\n"
                    "      ]\n"
                    "    },\n",
                    "",
                ),
            ),
            fails(("TAP003", "module.kms.aws_kms_key.this[0]")),
        ),
        StackMutation(
            "tls-not-attached",
            "TAP004",
            "the audit bucket's module no longer attaches the deny-insecure-transport policy",
            (
                edit(
                    "attach_deny_insecure_transport_policy = true\n"
                    '  versioning                            = { status = "Enabled" }',
                    "attach_deny_insecure_transport_policy = false\n"
                    '  versioning                            = { status = "Enabled" }',
                ),
            ),
            fails(("TAP004", "module.audit.aws_s3_bucket.this[0]")),
        ),
        StackMutation(
            "tap005-versioning-disabled",
            "TAP005",
            "the uploads module input disables versioning (the module writes Suspended)",
            (
                edit(
                    "versioning                            = { enabled = true }",
                    "versioning                            = { enabled = false }",
                ),
            ),
            fails(("TAP005", COMMUNITY_UPLOADS)),
        ),
        StackMutation(
            "tap009-second-notification-module",
            "TAP009",
            "a second notification submodule for .csv uploads on the same bucket",
            (
                edit(
                    "# ------------------------------------------------------------ DynamoDB",
                    'module "uploads_csv_notification" {\n'
                    '  source = "./modules/s3-bucket/modules/notification"\n\n'
                    "  bucket     = local.uploads_name\n"
                    "  bucket_arn = local.uploads_arn\n\n"
                    "  lambda_notifications = {\n"
                    "    csv = {\n"
                    "      function_arn  = aws_lambda_function.ingest.arn\n"
                    "      function_name = aws_lambda_function.ingest.function_name\n"
                    '      events        = ["s3:ObjectCreated:*"]\n'
                    '      filter_suffix = ".csv"\n'
                    "    }\n"
                    "  }\n"
                    "}\n\n"
                    "# ------------------------------------------------------------ DynamoDB",
                ),
            ),
            fails(
                ("TAP009", COMMUNITY_NOTIFICATION),
                ("TAP009", "module.uploads_csv_notification.aws_s3_bucket_notification.this[0]"),
            ),
        ),
        StackMutation(
            "tap010-pitr-off",
            "TAP010",
            "the dynamodb-table module input turns point-in-time recovery off",
            (
                edit(
                    "point_in_time_recovery_enabled     = true",
                    "point_in_time_recovery_enabled     = false",
                ),
            ),
            fails(("TAP010", "module.events.aws_dynamodb_table.this[0]")),
        ),
        StackMutation(
            "tap011-module-default",
            "TAP011",
            "the uploads module keeps the module's default force_destroy = false",
            (edit("  force_destroy = true\n", ""),),
            fails(("TAP011", COMMUNITY_UPLOADS)),
        ),
        StackMutation(
            "tap012-no-kms",
            "TAP012",
            "the proof role cannot use the key of the bucket it writes to",
            (
                edit(
                    '  statement {\n    sid       = "EncryptProof"\n'
                    '    actions   = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]\n'
                    "    resources = [local.key_arn]\n  }\n",
                    "",
                    "proof.tf",
                ),
            ),
            fails(("TAP012", "aws_iam_role.proof")),
        ),
        StackMutation(
            "tap015-no-environment",
            "TAP015",
            "the environment output is gone; the other outputs read module outputs through locals",
            (edit('output "environment" {\n  value = var.environment\n}\n', "", "outputs.tf"),),
            fails(("TAP015", "outputs")),
        ),
    ),
)

OPENAPI_INBOX = "module.inbox.aws_s3_bucket.this[0]"

# An integration written in the OpenAPI body has no resource of its own: its TAP007
# findings sit on the aws_api_gateway_rest_api whose `body` defines it.

OPENAPI = Stack(
    "openapi",
    "a REST API defined by an OpenAPI body (jsonencode, x-amazon-apigateway-integration), a "
    "deployment triggered by the body's hash, the terraform-aws-modules family as local "
    "modules, the key policy given to the kms module as source_policy_documents, a role "
    "policy completed by override_policy_documents",
    (
        StackMutation(
            "tap001-no-permission",
            "TAP001",
            "the notification submodule is told not to create the Lambda permission",
            (
                edit(
                    "  bucket_arn = module.inbox.s3_bucket_arn\n",
                    "  bucket_arn = module.inbox.s3_bucket_arn\n\n  create_lambda_permission = false\n",
                ),
            ),
            fails(("TAP001", "module.inbox_notification.aws_s3_bucket_notification.this[0]")),
        ),
        StackMutation(
            "tap002-no-override",
            "TAP002",
            "without the override document the Orders statement grants GetItem only",
            (
                edit(
                    "  override_policy_documents = [data.aws_iam_policy_document.orders_full.json]\n",
                    "",
                ),
            ),
            fails(("TAP002", "aws_iam_role.worker")),
        ),
        StackMutation(
            "tap003-grant-unconditioned",
            "TAP003",
            "the source document's grant statement loses its ViaService condition",
            (
                edit(
                    '    condition {\n      test     = "StringEquals"\n      variable = "kms:ViaService"\n'
                    '      values   = ["lambda.${local.region}.amazonaws.com"]\n    }\n',
                    "",
                ),
            ),
            fails(("TAP003", "module.kms.aws_kms_key.this[0]")),
        ),
        StackMutation(
            "tls-vpce-deny",
            "TAP004",
            "the reports module attaches a Deny for requests outside a VPC endpoint (locks out "
            "the stack's own Lambda and instance)",
            (
                edit(
                    '  bucket                                = "${local.name}-reports-${local.account}"\n',
                    '  bucket                                = "${local.name}-reports-${local.account}"\n'
                    "  attach_policy                         = true\n"
                    "  policy = jsonencode({\n"
                    '    Version = "2012-10-17"\n'
                    "    Statement = [{\n"
                    '      Sid       = "OnlyThroughEndpoint"\n'
                    '      Effect    = "Deny"\n'
                    '      Principal = "*"\n'
                    '      Action    = "s3:*"\n'
                    "      Resource = [\n"
                    '        "arn:aws:s3:::${local.name}-reports-${local.account}",\n'
                    '        "arn:aws:s3:::${local.name}-reports-${local.account}/*",\n'
                    "      ]\n"
                    '      Condition = { StringNotEquals = { "aws:SourceVpce" = "vpce-0a1b2c3d4e5f67890" } }\n'
                    "    }]\n"
                    "  })\n",
                ),
            ),
            fails(("TAP004", "module.reports.aws_s3_bucket.this[0]")),
        ),
        StackMutation(
            "tap005-public-policy",
            "TAP005",
            "the inbox module input allows public bucket policies",
            (
                edit(
                    '  bucket                                = "${local.name}-inbox-${local.account}"\n',
                    '  bucket                                = "${local.name}-inbox-${local.account}"\n'
                    "  block_public_policy                   = false\n",
                ),
            ),
            fails(("TAP005", OPENAPI_INBOX)),
        ),
        StackMutation(
            "tap007-openapi-aws",
            "TAP007",
            "the OpenAPI body's integration is a non-proxy aws integration",
            (edit('type                 = "aws_proxy"', 'type                 = "aws"'),),
            fails(("TAP007", "aws_api_gateway_rest_api.orders")),
        ),
        StackMutation(
            "tap007-rest-api-arn",
            "TAP007",
            "the permission's source_arn is the API's ARN, not its execution ARN",
            (
                edit(
                    'source_arn    = "${aws_api_gateway_rest_api.orders.execution_arn}/*/POST/process"',
                    'source_arn    = "${aws_api_gateway_rest_api.orders.arn}/*/POST/process"',
                ),
            ),
            fails(("TAP007", "aws_api_gateway_rest_api.orders")),
        ),
        StackMutation(
            "tap010-pitr-default",
            "TAP010",
            "the dynamodb-table module is left at its default: no point-in-time recovery",
            (edit("  point_in_time_recovery_enabled     = true\n", ""),),
            fails(("TAP010", "module.orders.aws_dynamodb_table.this[0]")),
        ),
        StackMutation(
            "tap012-bucket-not-objects",
            "TAP012",
            "the reporter may put to the bucket's ARN (through the module output), not to its objects",
            (
                edit(
                    'Resource = "${module.reports.s3_bucket_arn}/*"',
                    "Resource = module.reports.s3_bucket_arn",
                ),
            ),
            fails(("TAP012", "aws_iam_role.reporter")),
        ),
        StackMutation(
            "tap013-stage-before-account",
            "TAP013",
            "the stage with access logs no longer waits for the API Gateway account",
            (edit("  depends_on = [aws_api_gateway_account.current]\n}\n\n# ----", "}\n\n# ----"),),
            fails(("TAP013", "aws_api_gateway_stage.prod")),
        ),
    ),
)

PREBUILT = Stack(
    "prebuilt",
    "a Lambda package built outside Terraform (src/ zipped by the release pipeline into "
    "dist/) and uploaded as an aws_s3_object to the organisation's artifact bucket, the "
    "function deployed from s3_bucket/s3_key/s3_object_version, one file per concern",
    (
        StackMutation(
            "tap001-no-depends-on",
            "TAP001",
            "the notification no longer waits for its permission",
            (edit("  depends_on = [aws_lambda_permission.landing]\n", "", "function.tf"),),
            fails(("TAP001", "aws_s3_bucket_notification.landing")),
        ),
        StackMutation(
            "tap002-no-update",
            "TAP002",
            "the policy no longer grants the UpdateItem that src/app.py calls",
            (
                edit(
                    'Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]',
                    'Action   = ["dynamodb:GetItem", "dynamodb:PutItem"]',
                    "function.tf",
                ),
            ),
            fails(("TAP002", "aws_iam_role.ledger")),
        ),
        StackMutation(
            "tls-objects-only",
            "TAP004",
            "the TLS deny covers the objects but not the bucket itself",
            (
                edit(
                    'Resource  = [aws_s3_bucket.landing.arn, "${aws_s3_bucket.landing.arn}/*"]',
                    'Resource  = ["${aws_s3_bucket.landing.arn}/*"]',
                    "storage.tf",
                ),
            ),
            fails(("TAP004", "aws_s3_bucket.landing")),
        ),
        StackMutation(
            "tap006-timestamped-key",
            "TAP006",
            "the package object's key carries timestamp(): a new object and deployment every apply",
            (
                edit(
                    'key         = "ledger/${var.env}/worker.zip"',
                    'key         = "ledger/${var.env}/worker-${timestamp()}.zip"',
                    "function.tf",
                ),
            ),
            fails(("TAP006", "aws_lambda_function.ledger")),
        ),
        StackMutation(
            "tap007-get-route",
            "TAP007",
            "the API permission allows GET /process, not the POST the integration serves",
            (
                edit(
                    'execution_arn}/*/POST/process"',
                    'execution_arn}/*/GET/process"',
                    "api.tf",
                ),
            ),
            fails(("TAP007", "aws_api_gateway_integration.process_post")),
        ),
        StackMutation(
            "tap012-plain-copy",
            "TAP012",
            "the joined user data copies without the SSE-KMS put-object fallback",
            (
                edit(
                    " || aws s3api put-object --bucket ${aws_s3_bucket.landing.id} --key proof --body "
                    "/tmp/proof --server-side-encryption aws:kms --ssekms-key-id ${aws_kms_key.main.arn}",
                    "",
                    "proof.tf",
                ),
            ),
            fails(("TAP012", "aws_instance.prover")),
        ),
    ),
    # the organisation's artifact bucket exists before the stack (its prod release in it)
    published=(("org-release-artifacts", "ledger/prod/worker.zip", "dist/worker.zip"),),
)

CDK = "cdk.tf.json"

CDKTF = Stack(
    "cdktf",
    "JSON configuration syntax as CDK for Terraform synthesises it (cdk.tf.json: `//` "
    "metadata keys, blocks as arrays, `${...}` templates in strings, depends_on as "
    "strings), aws_iam_policy_document for every policy",
    (
        StackMutation(
            "tap001-no-depends-on",
            "TAP001",
            "the notification no longer waits for its permission",
            (
                edit(
                    '        ],\n        "depends_on": [\n          "aws_lambda_permission.allow_uploads"\n        ]\n',
                    "        ]\n",
                    CDK,
                ),
            ),
            fails(("TAP001", "aws_s3_bucket_notification.uploads_notification")),
        ),
        StackMutation(
            "tap003-logs-other-region",
            "TAP003",
            "the key policy names the logs service of another region",
            (
                edit(
                    '"logs.${var.region}.amazonaws.com"',
                    '"logs.eu-west-1.amazonaws.com"',
                    CDK,
                ),
            ),
            fails(("TAP003", "aws_kms_key.data_key")),
        ),
        StackMutation(
            "tls-allow",
            "TAP004",
            "the uploads document allows plain HTTP to everyone instead of denying it",
            (edit('"effect": "Deny"', '"effect": "Allow"', CDK),),
            fails(("TAP004", "aws_s3_bucket.uploads")),
        ),
        StackMutation(
            "tap005-aes256",
            "TAP005",
            "the uploads bucket is encrypted with S3-managed keys",
            (
                edit(
                    '"kms_master_key_id": "${aws_kms_key.data_key.arn}",\n'
                    '              "sse_algorithm": "aws:kms"',
                    '"sse_algorithm": "AES256"',
                    CDK,
                ),
            ),
            fails(("TAP005", "aws_s3_bucket.uploads")),
        ),
        StackMutation(
            "tap006-temp-output",
            "TAP006",
            "the package is written to a temporary directory",
            (
                edit(
                    '"output_path": "${path.module}/build/handler.zip"',
                    '"output_path": "/tmp/cdk-handler.zip"',
                    CDK,
                ),
            ),
            fails(("TAP006", "aws_lambda_function.handler")),
        ),
        StackMutation(
            "tap008-function-first",
            "TAP008",
            "the function no longer waits for its log group",
            (
                edit(
                    '        },\n        "depends_on": [\n'
                    '          "aws_cloudwatch_log_group.handler_logs",\n'
                    '          "aws_iam_role_policy.handler_access"\n        ]\n',
                    "        }\n",
                    CDK,
                ),
            ),
            fails(("TAP008", "aws_lambda_function.handler")),
        ),
        StackMutation(
            "tap009-second-notification",
            "TAP009",
            "a second notification resource for the uploads bucket",
            (
                edit(
                    '    "aws_s3_bucket_notification": {\n',
                    '    "aws_s3_bucket_notification": {\n'
                    '      "uploads_json_notification": {\n'
                    '        "bucket": "${aws_s3_bucket.uploads.id}",\n'
                    '        "lambda_function": [\n'
                    "          {\n"
                    '            "lambda_function_arn": "${aws_lambda_function.handler.arn}",\n'
                    '            "events": ["s3:ObjectCreated:*"],\n'
                    '            "filter_suffix": ".json"\n'
                    "          }\n"
                    "        ],\n"
                    '        "depends_on": ["aws_lambda_permission.allow_uploads"]\n'
                    "      },\n",
                    CDK,
                ),
            ),
            fails(
                ("TAP009", "aws_s3_bucket_notification.uploads_notification"),
                ("TAP009", "aws_s3_bucket_notification.uploads_json_notification"),
            ),
        ),
        StackMutation(
            "tap010-pitr-off",
            "TAP010",
            "point-in-time recovery is off",
            (
                edit(
                    '"point_in_time_recovery": {\n          "enabled": true',
                    '"point_in_time_recovery": {\n          "enabled": false',
                    CDK,
                ),
            ),
            fails(("TAP010", "aws_dynamodb_table.records")),
        ),
        StackMutation(
            "tap012-no-fallback",
            "TAP012",
            "the user data copies without the SSE-KMS put-object fallback",
            (
                edit(
                    " || aws s3api put-object --bucket ${aws_s3_bucket.archive.id} --key proof.txt "
                    "--body /tmp/proof.txt --server-side-encryption aws:kms "
                    "--ssekms-key-id ${aws_kms_key.data_key.arn}",
                    "",
                    CDK,
                ),
            ),
            fails(("TAP012", "aws_instance.proof")),
        ),
        StackMutation(
            "tap015-no-function-name",
            "TAP015",
            "the function name is no longer an output",
            (
                edit(
                    '    "function_name": {\n'
                    '      "value": "${aws_lambda_function.handler.function_name}"\n'
                    "    },\n",
                    "",
                    CDK,
                ),
            ),
            fails(("TAP015", "outputs")),
        ),
    ),
)

CORPUS: tuple[Stack, ...] = (
    MODULAR,
    CHAINS,
    COUNTED,
    INLINE,
    NESTED,
    TEMPLATED,
    COMMUNITY,
    OPENAPI,
    PREBUILT,
    CDKTF,
)
