/**
 * Shared-state tests run against real Redis / PostgreSQL named by environment variables. On a
 * developer machine without them they skip and say how to enable them; `.ci/run` sets
 * SWITCHYARD_TEST_REQUIRE_SERVICES=1, which turns a missing variable into a failure, never a skip.
 */
export function redisUrlForTests(): { url: string } | { skip: string } {
  const url = process.env.SWITCHYARD_TEST_REDIS_URL;
  if (url) return { url };
  if (process.env.SWITCHYARD_TEST_REQUIRE_SERVICES === '1') {
    throw new Error('SWITCHYARD_TEST_REQUIRE_SERVICES=1 but SWITCHYARD_TEST_REDIS_URL is not set');
  }
  return { skip: 'needs Redis: set SWITCHYARD_TEST_REDIS_URL=redis://127.0.0.1:6379 to run' };
}
