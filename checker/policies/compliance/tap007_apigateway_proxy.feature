@TAP007
Feature: TAP007 API Gateway invokes Lambda through AWS_PROXY with a matching permission
  Incident 7: a non-proxy integration gave the proxy handler the wrong payload.

  @TAP007
  Scenario: Integrations use the proxy type
    Given I have aws_api_gateway_integration defined
    Then it must contain type
    And its value must be AWS_PROXY

  @TAP007
  Scenario: Lambda is invoked with POST
    Given I have aws_api_gateway_integration defined
    Then it must contain integration_http_method
    And its value must be POST
