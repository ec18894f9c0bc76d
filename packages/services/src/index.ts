// @platform-actions/services: throwaway servers started from the host's binaries, for the CLI
// (`--postgres`, `--redis`) and the test harness alike. See README.md.
export { freePort, onPath, ServiceError } from './host.js';
export { pgBinDir, startPostgres, type Postgres, type PostgresOptions } from './postgres.js';
export { redisServerBin, startRedis, type Redis, type RedisOptions } from './redis.js';
