// PostgreSQL for tests: the one throwaway-cluster starter of this repository, @platform-actions/services
// (packages/services/src/postgres.ts), which the CLI's --postgres uses too.
export { pgBinDir, startPostgres, type Postgres } from '@platform-actions/services';
