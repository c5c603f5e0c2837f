// What approval.ts loads with import() when it schedules an approval's expiry: the Scheduler client and the one command
// it sends. Importing '@aws-sdk/client-scheduler' itself with import() would bundle all of the service's commands (the
// namespace object keeps every export).
export { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
