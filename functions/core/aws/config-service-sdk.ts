// What config-rules.ts loads with import() on the first compliance change: the Config client and the one command it
// sends. Importing '@aws-sdk/client-config-service' itself with import() would bundle all of the service's commands
// (the namespace object keeps every export).
export { ConfigServiceClient, DescribeConfigRulesCommand } from '@aws-sdk/client-config-service';
