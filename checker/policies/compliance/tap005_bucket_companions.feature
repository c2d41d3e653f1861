@TAP005
Feature: TAP005 Bucket encryption, versioning and public-access block live in their own resources
  Incident 5: SSE rules inside aws_s3_bucket were rejected; the settings belong in their own resources.

  @TAP005
  Scenario: Encryption is SSE-KMS, in its own resource
    Given I have aws_s3_bucket_server_side_encryption_configuration defined
    Then it must contain rule
    And it must contain apply_server_side_encryption_by_default
    And it must contain sse_algorithm
    And its value must match the "^aws:kms(:dsse)?$" regex

  @TAP005
  Scenario: Versioning is enabled, in its own resource
    Given I have aws_s3_bucket_versioning defined
    Then it must contain versioning_configuration
    And it must contain status
    And its value must match the "Enabled" regex

  @TAP005
  Scenario: Public ACLs are blocked
    Given I have aws_s3_bucket_public_access_block defined
    Then it must contain block_public_acls
    And its value must be true

  @TAP005
  Scenario: Public policies are blocked
    Given I have aws_s3_bucket_public_access_block defined
    Then it must contain block_public_policy
    And its value must be true

  @TAP005
  Scenario: Public ACLs are ignored
    Given I have aws_s3_bucket_public_access_block defined
    Then it must contain ignore_public_acls
    And its value must be true

  @TAP005
  Scenario: Public buckets are restricted
    Given I have aws_s3_bucket_public_access_block defined
    Then it must contain restrict_public_buckets
    And its value must be true
