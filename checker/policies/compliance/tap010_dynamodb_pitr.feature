@TAP010
Feature: TAP010 DynamoDB tables have point-in-time recovery
  Incident 10: deleted items could not be restored.

  @TAP010
  Scenario: Every table enables point-in-time recovery
    Given I have aws_dynamodb_table defined
    Then it must contain point_in_time_recovery
    And it must contain enabled
    And its value must be true
