@TAP011
Feature: TAP011 Buckets can be destroyed by CI (force_destroy)
  Incident 11: terraform destroy failed with BucketNotEmpty on versioned buckets.

  @TAP011
  Scenario: Every bucket sets force_destroy = true
    Given I have aws_s3_bucket defined
    Then it must contain force_destroy
    And its value must be true
