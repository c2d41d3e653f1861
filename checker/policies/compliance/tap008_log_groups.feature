@TAP008
Feature: TAP008 Log groups exist first, are CMK-encrypted and have retention
  Incident 8: the Lambda and API log groups came up unencrypted.

  @TAP008
  Scenario: Log groups are encrypted with a customer-managed key
    Given I have aws_cloudwatch_log_group defined
    Then it must contain kms_key_id
    And its value must not be null

  @TAP008
  Scenario: Log groups have a retention
    Given I have aws_cloudwatch_log_group defined
    Then it must contain retention_in_days
    And its value must be greater than 0
