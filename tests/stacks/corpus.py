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
    (),
)

CORPUS: tuple[Stack, ...] = (MODULAR, CHAINS, COUNTED)
