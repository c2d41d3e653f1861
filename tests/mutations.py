"""Every rule's incident, re-introduced in several ways: as edits of the HCL, as data.

Each mutation edits `tap_stack.tf` (and, for TAP002, the handler). Its plans,
created from nothing and planned against the applied clean stack, are written
by real Terraform (`./dev fixtures`, `tests/fixtures/real/`). `fails` names
every (rule, address) that must fail afterwards; any other failure is a defect
of the checker.
"""

from __future__ import annotations

from tests.support.mutate import Mutation, fails

NOTIFICATION = "aws_s3_bucket_notification.content"
S3_PERMISSION = "aws_lambda_permission.s3"
API_PERMISSION = "aws_lambda_permission.api"
FUNCTION = "aws_lambda_function.processor"
LAMBDA_DOC = "data.aws_iam_policy_document.lambda"
KMS_DOC = "data.aws_iam_policy_document.kms"
CONTENT_DOC = "data.aws_iam_policy_document.content_bucket"
LOGS_DOC = "data.aws_iam_policy_document.logs_bucket"
PROOF_DOC = "data.aws_iam_policy_document.proof"
ARCHIVE = "data.archive_file.lambda"
INTEGRATION = "aws_api_gateway_integration.process_post"
STAGE = "aws_api_gateway_stage.main"
ACCOUNT = "aws_api_gateway_account.main"
DEPLOYMENT = "aws_api_gateway_deployment.main"

NOTIFICATION_DEPENDS = "\n\n  depends_on = [aws_lambda_permission.s3] # incidents 1 and 13\n"

MUTATIONS: list[Mutation] = [
    # ------------------------------------------------------------------ TAP001
    Mutation(
        "tap001-no-depends-on",
        "TAP001",
        "the notification no longer depends on its permission (the race of incident 1)",
        hcl=((NOTIFICATION_DEPENDS, "\n"),),
        fails=fails(TAP001=[NOTIFICATION]),  # one problem, one finding: TAP001 owns this edge
    ),
    Mutation(
        "tap001-wrong-principal",
        "TAP001",
        "the permission authorises another service principal",
        hcl=(
            ('  principal      = "s3.amazonaws.com"', '  principal      = "events.amazonaws.com"'),
        ),
        fails=fails(TAP001=[NOTIFICATION]),
    ),
    Mutation(
        "tap001-permission-for-other-bucket",
        "TAP001",
        "the permission's source_arn names the logs bucket",
        hcl=(
            (
                "  source_arn     = aws_s3_bucket.content.arn",
                "  source_arn     = aws_s3_bucket.logs.arn",
            ),
        ),
        fails=fails(TAP001=[NOTIFICATION]),
    ),
    Mutation(
        "tap001-permission-missing",
        "TAP001",
        "no aws_lambda_permission for S3 at all",
        hcl=(
            (
                'resource "aws_lambda_permission" "s3" {\n'
                '  statement_id   = "AllowContentBucketInvoke"\n'
                '  action         = "lambda:InvokeFunction"\n'
                "  function_name  = aws_lambda_function.processor.function_name\n"
                '  principal      = "s3.amazonaws.com"\n'
                "  source_arn     = aws_s3_bucket.content.arn\n"
                "  source_account = local.account_id\n"
                "}\n",
                "",
            ),
            (NOTIFICATION_DEPENDS, "\n"),
        ),
        fails=fails(TAP001=[NOTIFICATION]),
    ),
    # ------------------------------------------------------------------ TAP002
    Mutation(
        "tap002-put-item-only",
        "TAP002",
        "the role grants only PutItem while the handler calls UpdateItem, GetItem and Query",
        hcl=(
            (
                '    actions = [\n      "dynamodb:GetItem",\n      "dynamodb:PutItem",\n'
                '      "dynamodb:UpdateItem",\n      "dynamodb:DeleteItem",\n'
                '      "dynamodb:Query",\n      "dynamodb:Scan",\n    ]',
                '    actions = ["dynamodb:PutItem"]',
            ),
        ),
        fails=fails(TAP002=["aws_iam_role.lambda"]),
    ),
    Mutation(
        "tap002-dynamodb-star",
        "TAP002",
        "the role grants dynamodb:*",
        hcl=(
            (
                '    actions = [\n      "dynamodb:GetItem",\n      "dynamodb:PutItem",\n'
                '      "dynamodb:UpdateItem",\n      "dynamodb:DeleteItem",\n'
                '      "dynamodb:Query",\n      "dynamodb:Scan",\n    ]',
                '    actions = ["dynamodb:*"]',
            ),
        ),
        fails=fails(TAP002=["aws_iam_role.lambda"]),
    ),
    Mutation(
        "tap002-resource-star",
        "TAP002",
        'the DynamoDB statement applies to Resource "*"',
        hcl=(
            (
                '    resources = [aws_dynamodb_table.main.arn, "${aws_dynamodb_table.main.arn}/index/*"]',
                '    resources = ["*"]',
            ),
        ),
        fails=fails(TAP002=["aws_iam_role.lambda"]),
    ),
    Mutation(
        "tap002-table-wildcard",
        "TAP002",
        "the DynamoDB statement applies to every table of every account",
        hcl=(
            (
                '    resources = [aws_dynamodb_table.main.arn, "${aws_dynamodb_table.main.arn}/index/*"]',
                '    resources = ["arn:aws:dynamodb:*:*:table/*"]',
            ),
        ),
        fails=fails(TAP002=["aws_iam_role.lambda"]),
    ),
    Mutation(
        "tap002-arn-prefix-wildcard",
        "TAP002",
        "the table ARN is followed by a wildcard that matches every table with that prefix",
        hcl=(
            (
                '    resources = [aws_dynamodb_table.main.arn, "${aws_dynamodb_table.main.arn}/index/*"]',
                '    resources = ["${aws_dynamodb_table.main.arn}*"]',
            ),
        ),
        fails=fails(TAP002=["aws_iam_role.lambda"]),
    ),
    # ------------------------------------------------------------------ TAP003
    Mutation(
        "tap003-no-logs-statement",
        "TAP003",
        "the key policy has no statement for the regional logs service",
        hcl=(
            (
                '      identifiers = ["logs.${local.region}.amazonaws.com"]',
                '      identifiers = ["cloudtrail.amazonaws.com"]',
            ),
        ),
        fails=fails(TAP003=["aws_kms_key.main"]),
    ),
    Mutation(
        "tap003-via-service-other-region",
        "TAP003",
        "kms:ViaService names Lambda of another region",
        hcl=(
            (
                '      values   = ["lambda.${local.region}.amazonaws.com"]',
                '      values   = ["lambda.us-west-2.amazonaws.com"]',
            ),
        ),
        fails=fails(TAP003=["aws_kms_key.main"]),
    ),
    Mutation(
        "tap003-grant-without-aws-resource-condition",
        "TAP003",
        "CreateGrant without kms:GrantIsForAWSResource",
        hcl=(
            (
                '    condition {\n      test     = "Bool"\n      variable = "kms:GrantIsForAWSResource"\n'
                '      values   = ["true"]\n    }\n',
                "",
            ),
        ),
        fails=fails(TAP003=["aws_kms_key.main"]),
    ),
    Mutation(
        "tap003-root-locked-out",
        "TAP003",
        "the account root is no longer key administrator",
        hcl=(('    actions   = ["kms:*"]', '    actions   = ["kms:Describe*", "kms:List*"]'),),
        fails=fails(TAP003=["aws_kms_key.main"]),
    ),
    # ------------------------------------------------------------------ TAP004
    Mutation(
        "tap004-deny-tls-inverted",
        "TAP004",
        "the content bucket denies TLS requests instead of plain HTTP",
        hcl=(
            (
                '      variable = "aws:SecureTransport"\n      values   = ["false"]',
                '      variable = "aws:SecureTransport"\n      values   = ["true"]',
            ),
        ),
        fails=fails(TAP004=["aws_s3_bucket.content"]),
    ),
    Mutation(
        "tap004-deny-without-condition",
        "TAP004",
        "the content bucket denies everything to everyone, the stack's roles included",
        hcl=(
            (
                '    condition {\n      test     = "Bool"\n      variable = "aws:SecureTransport"\n'
                '      values   = ["false"]\n    }\n  }\n}\n\ndata "aws_iam_policy_document" "logs_bucket"',
                '  }\n}\n\ndata "aws_iam_policy_document" "logs_bucket"',
            ),
        ),
        fails=fails(TAP004=["aws_s3_bucket.content"]),
    ),
    Mutation(
        "tap004-objects-only",
        "TAP004",
        "the TLS deny covers the objects but not the bucket",
        hcl=(
            (
                '    resources = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]',
                '    resources = ["${aws_s3_bucket.logs.arn}/*"]',
            ),
        ),
        fails=fails(TAP004=["aws_s3_bucket.logs"]),
    ),
    Mutation(
        "tap004-allow-everyone",
        "TAP004",
        "a statement allows everyone to read the logs bucket",
        hcl=(
            (
                'data "aws_iam_policy_document" "logs_bucket" {\n',
                'data "aws_iam_policy_document" "logs_bucket" {\n'
                "  statement {\n"
                '    sid       = "PublicRead"\n'
                '    effect    = "Allow"\n'
                '    actions   = ["s3:GetObject"]\n'
                '    resources = ["${aws_s3_bucket.logs.arn}/*"]\n'
                "    principals {\n"
                '      type        = "*"\n'
                '      identifiers = ["*"]\n'
                "    }\n"
                "  }\n\n",
            ),
        ),
        fails=fails(TAP004=["aws_s3_bucket.logs"]),
    ),
    # ------------------------------------------------------------------ TAP005
    Mutation(
        "tap005-aes256",
        "TAP005",
        "the content bucket uses SSE-S3 instead of the CMK",
        hcl=(
            (
                '      sse_algorithm     = "aws:kms"\n      kms_master_key_id = aws_kms_key.main.arn',
                '      sse_algorithm     = "AES256"',
            ),
        ),
        fails=fails(TAP005=["aws_s3_bucket.content"]),
    ),
    Mutation(
        "tap005-versioning-suspended",
        "TAP005",
        "versioning of the logs bucket is suspended",
        hcl=(
            (
                'resource "aws_s3_bucket_versioning" "logs" {\n  bucket = aws_s3_bucket.logs.id\n'
                '  versioning_configuration {\n    status = "Enabled"',
                'resource "aws_s3_bucket_versioning" "logs" {\n  bucket = aws_s3_bucket.logs.id\n'
                '  versioning_configuration {\n    status = "Suspended"',
            ),
        ),
        fails=fails(TAP005=["aws_s3_bucket.logs"]),
    ),
    Mutation(
        "tap005-public-access-partial",
        "TAP005",
        "the content bucket's public-access block leaves restrict_public_buckets off",
        hcl=(
            (
                "  bucket                  = aws_s3_bucket.content.id\n  block_public_acls       = true\n"
                "  block_public_policy     = true\n  ignore_public_acls      = true\n"
                "  restrict_public_buckets = true",
                "  bucket                  = aws_s3_bucket.content.id\n  block_public_acls       = true\n"
                "  block_public_policy     = true\n  ignore_public_acls      = true\n"
                "  restrict_public_buckets = false",
            ),
        ),
        fails=fails(TAP005=["aws_s3_bucket.content"]),
    ),
    Mutation(
        "tap005-inline-versioning",
        "TAP005",
        "versioning is an inline block of the bucket again",
        hcl=(
            (
                "  force_destroy = true # incident 11: versioned buckets must stay destroyable in CI\n",
                "  force_destroy = true # incident 11: versioned buckets must stay destroyable in CI\n"
                "  versioning {\n    enabled = true\n  }\n",
            ),
        ),
        fails=fails(TAP005=["aws_s3_bucket.content"]),
    ),
    # ------------------------------------------------------------------ TAP006
    Mutation(
        "tap006-hash-from-md5",
        "TAP006",
        "source_code_hash is fed the archive's MD5",
        hcl=(
            (
                "  source_code_hash = data.archive_file.lambda.output_base64sha256",
                "  source_code_hash = data.archive_file.lambda.output_md5",
            ),
        ),
        fails=fails(TAP006=[FUNCTION]),
    ),
    Mutation(
        "tap006-temp-output-path",
        "TAP006",
        "the archive is written to /tmp",
        hcl=(
            (
                '  output_path = "${path.module}/build/lambda.zip"',
                '  output_path = "/tmp/lambda.zip"',
            ),
        ),
        fails=fails(TAP006=[FUNCTION]),
    ),
    Mutation(
        "tap006-timestamped-output",
        "TAP006",
        "the archive name contains timestamp(), so it is unknown until apply",
        hcl=(
            (
                '  output_path = "${path.module}/build/lambda.zip"',
                '  output_path = "${path.module}/build/lambda-${timestamp()}.zip"',
            ),
        ),
        fails=fails(TAP006=[FUNCTION]),
    ),
    Mutation(
        "tap006-whole-directory",
        "TAP006",
        "the archive zips the whole lambda/ directory with no excludes",
        hcl=(
            (
                '  source {\n    content  = file("${path.module}/lambda/index.py")\n'
                '    filename = "index.py"\n  }',
                '  source_dir  = "${path.module}/lambda"',
            ),
        ),
        fails=fails(TAP006=[FUNCTION]),
    ),
    # ------------------------------------------------------------------ TAP007
    Mutation(
        "tap007-non-proxy",
        "TAP007",
        "the integration is AWS (non-proxy) while the handler expects proxy events",
        hcl=(('  type                    = "AWS_PROXY"', '  type                    = "AWS"'),),
        fails=fails(TAP007=[INTEGRATION]),
    ),
    Mutation(
        "tap007-get-integration-method",
        "TAP007",
        "the integration invokes Lambda with GET",
        hcl=(('  integration_http_method = "POST"', '  integration_http_method = "GET"'),),
        fails=fails(TAP007=[INTEGRATION]),
    ),
    Mutation(
        "tap007-permission-wrong-method",
        "TAP007",
        "the permission's source_arn allows GET /process only",
        hcl=(('execution_arn}/*/POST/process"', 'execution_arn}/*/GET/process"'),),
        fails=fails(TAP007=[INTEGRATION]),
    ),
    Mutation(
        "tap007-permission-missing",
        "TAP007",
        "no permission for apigateway.amazonaws.com",
        hcl=(
            (
                'resource "aws_lambda_permission" "api" {\n'
                '  statement_id  = "AllowApiGatewayInvoke"\n'
                '  action        = "lambda:InvokeFunction"\n'
                "  function_name = aws_lambda_function.processor.function_name\n"
                '  principal     = "apigateway.amazonaws.com"\n'
                '  source_arn    = "${aws_api_gateway_rest_api.main.execution_arn}/*/POST/process"\n'
                "}\n",
                "",
            ),
        ),
        fails=fails(TAP007=[INTEGRATION]),
    ),
    # ------------------------------------------------------------------ TAP008
    Mutation(
        "tap008-no-retention",
        "TAP008",
        "the Lambda log group keeps logs forever",
        hcl=(
            (
                '  name              = "/aws/lambda/${local.function_name}"\n  retention_in_days = 14\n',
                '  name              = "/aws/lambda/${local.function_name}"\n',
            ),
        ),
        fails=fails(TAP008=["aws_cloudwatch_log_group.lambda"]),
    ),
    Mutation(
        "tap008-unencrypted-api-logs",
        "TAP008",
        "the API access log group is not CMK-encrypted",
        hcl=(
            (
                '  name              = "/aws/apigateway/${local.stack_name}-api"\n  retention_in_days = 14\n'
                "  kms_key_id        = aws_kms_key.main.arn\n",
                '  name              = "/aws/apigateway/${local.stack_name}-api"\n  retention_in_days = 14\n',
            ),
        ),
        fails=fails(TAP008=["aws_cloudwatch_log_group.api"]),  # the group's, not the stage's
    ),
    Mutation(
        "tap008-function-not-after-log-group",
        "TAP008",
        "the function no longer depends on its log group (nor on the policy that references it)",
        hcl=(
            (
                "\n  depends_on = [aws_cloudwatch_log_group.lambda, aws_iam_role_policy.lambda]\n",
                "\n",
            ),
        ),
        fails=fails(TAP008=[FUNCTION]),  # TAP008 owns the function -> log group edge
    ),
    Mutation(
        "tap008-log-group-misnamed",
        "TAP008",
        "the declared log group is not the one Lambda writes to",
        hcl=(
            (
                '  name              = "/aws/lambda/${local.function_name}"',
                '  name              = "/aws/lambda/${local.function_name}-logs"',
            ),
        ),
        fails=fails(TAP008=[FUNCTION]),
    ),
    # ------------------------------------------------------------------ TAP009
    Mutation(
        "tap009-second-notification",
        "TAP009",
        "a second notification resource for the content bucket",
        hcl=(
            (
                "# -------------------------------------------------- API Gateway",
                'resource "aws_s3_bucket_notification" "content_csv" {\n'
                "  bucket = aws_s3_bucket.content.id\n\n"
                "  lambda_function {\n"
                "    lambda_function_arn = aws_lambda_function.processor.arn\n"
                '    events              = ["s3:ObjectCreated:*"]\n'
                '    filter_suffix       = ".csv"\n'
                "  }\n\n"
                "  depends_on = [aws_lambda_permission.s3]\n"
                "}\n\n"
                "# -------------------------------------------------- API Gateway",
            ),
        ),
        fails=fails(TAP009=[NOTIFICATION, "aws_s3_bucket_notification.content_csv"]),
    ),
    Mutation(
        "tap009-eventbridge-notification",
        "TAP009",
        "an EventBridge notification for the content bucket overwrites the Lambda trigger",
        hcl=(
            (
                "# -------------------------------------------------- API Gateway",
                'resource "aws_s3_bucket_notification" "content_events" {\n'
                "  bucket      = aws_s3_bucket.content.bucket\n"
                "  eventbridge = true\n"
                "}\n\n"
                "# -------------------------------------------------- API Gateway",
            ),
        ),
        fails=fails(TAP009=[NOTIFICATION, "aws_s3_bucket_notification.content_events"]),
    ),
    Mutation(
        "tap009-counted-notification",
        "TAP009",
        "count = 2 on the notification creates two for the same bucket",
        hcl=(
            (
                'resource "aws_s3_bucket_notification" "content" {\n  bucket = aws_s3_bucket.content.id\n',
                'resource "aws_s3_bucket_notification" "content" {\n  count  = 2\n'
                "  bucket = aws_s3_bucket.content.id\n",
            ),
        ),
        fails=fails(TAP009=[f"{NOTIFICATION}[0]", f"{NOTIFICATION}[1]"]),
    ),
    # ------------------------------------------------------------------ TAP010
    Mutation(
        "tap010-pitr-disabled",
        "TAP010",
        "point-in-time recovery is switched off",
        hcl=(("    enabled = true # incident 10", "    enabled = false # incident 10"),),
        fails=fails(TAP010=["aws_dynamodb_table.main"]),
    ),
    Mutation(
        "tap010-pitr-block-missing",
        "TAP010",
        "no point_in_time_recovery block (the provider leaves it computed)",
        hcl=(("  point_in_time_recovery {\n    enabled = true # incident 10\n  }\n\n", ""),),
        fails=fails(TAP010=["aws_dynamodb_table.main"]),
    ),
    Mutation(
        "tap010-second-table",
        "TAP010",
        "a second table without point-in-time recovery",
        hcl=(
            (
                "# -------------------------------------------------------------- Lambda",
                'resource "aws_dynamodb_table" "audit" {\n'
                '  name         = "${local.stack_name}-audit"\n'
                '  billing_mode = "PAY_PER_REQUEST"\n'
                '  hash_key     = "pk"\n\n'
                "  attribute {\n"
                '    name = "pk"\n'
                '    type = "S"\n'
                "  }\n\n"
                "  point_in_time_recovery {\n"
                "    enabled = false\n"
                "  }\n"
                "}\n\n"
                "# -------------------------------------------------------------- Lambda",
            ),
        ),
        fails=fails(TAP010=["aws_dynamodb_table.audit"]),
    ),
    # ------------------------------------------------------------------ TAP011
    Mutation(
        "tap011-force-destroy-false",
        "TAP011",
        "the logs bucket cannot be destroyed while it holds versions",
        hcl=(
            (
                "  force_destroy = true # incident 11\n",
                "  force_destroy = false # incident 11\n",
            ),
        ),
        fails=fails(TAP011=["aws_s3_bucket.logs"]),
    ),
    Mutation(
        "tap011-force-destroy-unset",
        "TAP011",
        "force_destroy is left to its default",
        hcl=(
            (
                "  force_destroy = true # incident 11: versioned buckets must stay destroyable in CI\n",
                "",
            ),
        ),
        fails=fails(TAP011=["aws_s3_bucket.content"]),
    ),
    Mutation(
        "tap011-force-destroy-from-variable",
        "TAP011",
        "force_destroy comes from a variable whose default is false",
        hcl=(
            (
                'variable "tags" {',
                'variable "force_destroy" {\n  type    = bool\n  default = false\n}\n\nvariable "tags" {',
            ),
            ("  force_destroy = true # incident 11\n", "  force_destroy = var.force_destroy\n"),
        ),
        fails=fails(TAP011=["aws_s3_bucket.logs"]),
    ),
    # ------------------------------------------------------------------ TAP012
    Mutation(
        "tap012-no-kms-encrypt",
        "TAP012",
        "the proof role may only describe the key",
        hcl=(
            (
                '    actions   = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]',
                '    actions   = ["kms:DescribeKey"]',
            ),
        ),
        fails=fails(TAP012=["aws_iam_role.proof"]),
    ),
    Mutation(
        "tap012-no-fallback",
        "TAP012",
        "user data has only the plain aws s3 cp",
        hcl=(
            (
                " --region ${local.region} \\\n"
                '      || aws s3api put-object --bucket "${aws_s3_bucket.content.bucket}" --key uploads/proof.txt \\\n'
                "           --body /tmp/proof.txt --server-side-encryption aws:kms \\\n"
                '           --ssekms-key-id "${aws_kms_alias.main.name}" --region ${local.region}\n',
                " --region ${local.region}\n",
            ),
        ),
        fails=fails(TAP012=["aws_instance.proof"]),
    ),
    Mutation(
        "tap012-kms-on-alias-arn",
        "TAP012",
        "KMS permissions name the alias ARN, which IAM does not match against the key",
        hcl=(
            (
                '    actions   = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]\n'
                "    resources = [aws_kms_key.main.arn]",
                '    actions   = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]\n'
                "    resources = [aws_kms_alias.main.arn]",
            ),
        ),
        fails=fails(TAP012=["aws_iam_role.proof"]),
    ),
    Mutation(
        "tap012-no-put-object",
        "TAP012",
        "the proof role cannot write objects at all",
        hcl=(('    actions   = ["s3:PutObject"]', '    actions   = ["s3:GetObject"]'),),
        fails=fails(TAP012=["aws_iam_role.proof"]),  # the role's policy is at fault
    ),
    # ------------------------------------------------------------------ TAP013
    Mutation(
        "tap013-deployment-before-integration",
        "TAP013",
        "the deployment neither depends on nor references the integration",
        hcl=(
            (
                "  triggers = {\n    redeployment = sha1(jsonencode([\n"
                "      aws_api_gateway_resource.process.id,\n"
                "      aws_api_gateway_method.process_post.id,\n"
                "      aws_api_gateway_integration.process_post.id,\n    ]))\n  }\n\n",
                "",
            ),
            ("\n  depends_on = [aws_api_gateway_integration.process_post] # incident 13\n", "\n"),
        ),
        fails=fails(TAP013=[DEPLOYMENT]),
    ),
    Mutation(
        "tap013-stage-before-account",
        "TAP013",
        "the stage with access logs is not ordered after the API Gateway account",
        hcl=(("\n  depends_on = [aws_api_gateway_account.main] # incidents 13 and 14\n", "\n"),),
        fails=fails(TAP013=[STAGE]),
    ),
    Mutation(
        "tap013-stage-after-wrong-resource",
        "TAP013",
        "the stage waits for the role attachment, not for the account",
        hcl=(
            (
                "  depends_on = [aws_api_gateway_account.main] # incidents 13 and 14",
                "  depends_on = [aws_iam_role_policy_attachment.apigateway_cloudwatch]",
            ),
        ),
        fails=fails(TAP013=[STAGE]),
    ),
    # ------------------------------------------------------------------ TAP014
    Mutation(
        "tap014-no-account",
        "TAP014",
        "no aws_api_gateway_account: API Gateway has no role to write logs",
        hcl=(
            (
                'resource "aws_api_gateway_account" "main" {\n'
                "  cloudwatch_role_arn = aws_iam_role.apigateway_cloudwatch.arn\n"
                "  depends_on          = [aws_iam_role_policy_attachment.apigateway_cloudwatch]\n"
                "}\n",
                "",
            ),
            ("\n  depends_on = [aws_api_gateway_account.main] # incidents 13 and 14\n", "\n"),
        ),
        fails=fails(TAP014=[STAGE]),  # a missing account is TAP014's; TAP013 has no edge
    ),
    Mutation(
        "tap014-no-managed-policy",
        "TAP014",
        "the logging role lacks AmazonAPIGatewayPushToCloudWatchLogs",
        hcl=(
            (
                'resource "aws_iam_role_policy_attachment" "apigateway_cloudwatch" {\n'
                "  role       = aws_iam_role.apigateway_cloudwatch.name\n"
                '  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"\n'
                "}\n",
                "",
            ),
            (
                "  depends_on          = [aws_iam_role_policy_attachment.apigateway_cloudwatch]\n",
                "",
            ),
        ),
        fails=fails(TAP014=[ACCOUNT]),
    ),
    Mutation(
        "tap014-no-access-logs",
        "TAP014",
        "the stage has no access_log_settings",
        hcl=(
            (
                "  access_log_settings {\n"
                "    destination_arn = aws_cloudwatch_log_group.api.arn\n"
                "    format = jsonencode({\n"
                '      requestId      = "$context.requestId"\n'
                '      sourceIp       = "$context.identity.sourceIp"\n'
                '      httpMethod     = "$context.httpMethod"\n'
                '      resourcePath   = "$context.resourcePath"\n'
                '      status         = "$context.status"\n'
                '      responseLength = "$context.responseLength"\n'
                "    })\n"
                "  }\n\n",
                "",
            ),
        ),
        fails=fails(TAP014=[STAGE]),
    ),
    Mutation(
        "tap014-role-trusts-lambda",
        "TAP014",
        "the logging role is trusted by Lambda, not API Gateway",
        hcl=(
            (
                'data "aws_iam_policy_document" "apigateway_assume" {\n  statement {\n'
                '    effect  = "Allow"\n    actions = ["sts:AssumeRole"]\n    principals {\n'
                '      type        = "Service"\n      identifiers = ["apigateway.amazonaws.com"]',
                'data "aws_iam_policy_document" "apigateway_assume" {\n  statement {\n'
                '    effect  = "Allow"\n    actions = ["sts:AssumeRole"]\n    principals {\n'
                '      type        = "Service"\n      identifiers = ["lambda.amazonaws.com"]',
            ),
        ),
        fails=fails(TAP014=[ACCOUNT]),
    ),
    Mutation(
        "tap014-wrong-managed-policy",
        "TAP014",
        "the logging role gets CloudWatchLogsReadOnlyAccess instead of the push policy",
        hcl=(
            (
                '  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"',
                '  policy_arn = "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"',
            ),
        ),
        fails=fails(TAP014=[ACCOUNT]),
    ),
    # ------------------------------------------------------------------ TAP015
    Mutation(
        "tap015-no-api-url",
        "TAP015",
        "the API URL output is gone",
        hcl=(
            (
                'output "api_url" {\n  value = "${aws_api_gateway_stage.main.invoke_url}/process"\n}\n\n',
                "",
            ),
        ),
        fails=fails(TAP015=["outputs"]),
    ),
    Mutation(
        "tap015-no-instance-outputs",
        "TAP015",
        "the EC2 proof instance is not exposed",
        hcl=(
            ('output "ec2_instance_id" {\n  value = aws_instance.proof.id\n}\n\n', ""),
            ('\noutput "ec2_public_ip" {\n  value = aws_instance.proof.public_ip\n}\n', ""),
        ),
        fails=fails(TAP015=["outputs"]),
    ),
    Mutation(
        "tap015-key-arn-is-alias",
        "TAP015",
        "the 'CMK ARN' output gives the alias ARN",
        hcl=(
            (
                'output "kms_key_arn" {\n  value = aws_kms_key.main.arn',
                'output "kms_key_arn" {\n  value = aws_kms_alias.main.arn',
            ),
        ),
        fails=fails(TAP015=["outputs"]),
    ),
]
