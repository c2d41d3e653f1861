@TAP014
Feature: TAP014 API Gateway has an account-level CloudWatch Logs role and stage access logs
  Incident 14: the stage was live but no access log ever appeared.

  @TAP014
  Scenario: Stages write access logs
    Given I have aws_api_gateway_stage defined
    Then it must contain access_log_settings
