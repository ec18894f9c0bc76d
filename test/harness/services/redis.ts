// Redis for tests: the starter the CLI's --redis uses (@platform-actions/services), run with the harness's
// provisioned redis-server (test/harness/provision/redis.sh: Debian's redis-server, unpacked into the cache).
import { type Redis, type RedisOptions, startRedis as start } from '@platform-actions/services';
import { toolBin } from '../tools.js';

export type { Redis };
const redisBin = (): string => toolBin('redis', 'redis-server');
export const startRedis = (opts: Omit<RedisOptions, 'bin'> = {}): Promise<Redis> => start({ ...opts, bin: redisBin() });
