import { GatewayError } from '../../errors/gateway-error.js';
import { USAGE_GROUPS, type UsageQuery } from '../../storage/records.js';
import { enumParam, queryOf, timeParam } from '../query.js';
import type { Handler } from '../types.js';
import { adminRead } from './admin-logs.js';

const DAY_MS = 24 * 3_600_000;
/** Hour buckets over a longer range would be thousands of rows per group: ask for days instead. */
const MAX_HOURLY_RANGE_MS = 93 * DAY_MS;

/**
 * GET /admin/usage?group_by=key|model|provider|upstream_model|tag|variant&from=&to=&interval=hour|day
 * Requests, tokens, cost, errors and p50/p95 latency per group (and per UTC hour or day with
 * `interval`). Without `from` the last 24 hours; `to` defaults to now. `group_by` defaults to model.
 */
export const adminUsageHandler: Handler = async (input) => {
  await adminRead(input, async (storage) => {
    const query = queryOf(input.request);
    const to = timeParam(query, 'to') ?? Date.now();
    const from = timeParam(query, 'from') ?? to - DAY_MS;
    if (from >= to) throw new GatewayError('invalid_request', 'from: must be before to', { param: 'from' });
    const usageQuery: UsageQuery = { groupBy: enumParam(query, 'group_by', USAGE_GROUPS) ?? 'model', from, to };
    const interval = enumParam(query, 'interval', ['hour', 'day'] as const);
    if (interval) {
      if (interval === 'hour' && to - from > MAX_HOURLY_RANGE_MS) {
        throw new GatewayError('invalid_request', 'interval: hour buckets cover at most 93 days; use interval=day', { param: 'interval' });
      }
      usageQuery.interval = interval;
    }
    const rows = await storage.usage(usageQuery);
    return {
      group_by: usageQuery.groupBy,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      ...(interval && { interval }),
      data: rows.map(({ bucket, ...row }) => ({
        ...row,
        cost_usd: Math.round(row.cost_usd * 1e10) / 1e10,
        error_rate: row.requests === 0 ? 0 : Math.round((row.errors / row.requests) * 10_000) / 10_000,
        cost_saved_usd: Math.round(row.cost_saved_usd * 1e10) / 1e10,
        cache_hit_rate: row.requests === 0 ? 0 : Math.round((row.cache_hits / row.requests) * 10_000) / 10_000,
        ...(bucket !== undefined && { bucket: new Date(bucket).toISOString() }),
      })),
    };
  });
};
