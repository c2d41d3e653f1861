@TAP014
Feature: TAP014 API Gateway has an account-level CloudWatch Logs role and stage access logs
  Incident 14: the stage was live but no access log ever appeared.

  @TAP014
  Scenario: Stages write access logs
    Given I have aws_api_gateway_stage defined
    Then it must contain access_log_settings

  @TAP014
  Scenario: The logging role gets the push-to-CloudWatch managed policy
    Given I have aws_iam_role_policy_attachment defined
    Then it must contain policy_arn
    And its value must match the ".*/AmazonAPIGatewayPushToCloudWatchLogs$" regex
