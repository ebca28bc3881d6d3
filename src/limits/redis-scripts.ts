import { createHash } from 'node:crypto';
import { BUDGET_KEPT_AFTER_PERIOD_MS, CONCURRENCY_RETRY_AFTER_MS } from './store.js';

/**
 * The Lua scripts behind the Redis limit store. Redis runs a script atomically, so one script per
 * acquire checks every rule and takes from all of them or none, for every gateway instance at once.
 * The window arithmetic mirrors `window-math.ts`; budgets are integer nano-USD (see `money.ts`).
 * Numbers handed to redis.call are formatted by Redis exactly (integers below 2^53); `tostring` is
 * avoided because Lua's prints only 14 digits.
 *
 * Keys per rule: window -> hash {bucket: units, t, o, n} (see WINDOW); concurrency -> sorted set
 * {reservation: lease end}; budget -> hash {spent, reserved} and sorted set {"reservation|nano": lease end}.
 */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Shared prologue: the server's clock unless a test passed one (ARGV[1]). */
const CLOCK = `
redis.replicate_commands()
local now
if ARGV[1] == '' then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
else
  now = tonumber(ARGV[1])
end
`;

/**
 * A window's hash holds one field per bucket plus `t` (the sum of those fields), `o` (every bucket
 * below it has been dropped) and `n` (the newest bucket taken from). Keeping the sum makes a check
 * O(1) commands instead of reading all ~60 buckets; buckets that left the window are dropped from
 * `o` onwards, about one per bucket length. A hash without `o` (new, or written by an older version)
 * is summed once.
 */
const WINDOW = `
-- Returns the units counted in the window whose oldest bucket is \`oldest\`, the bucket below which
-- nothing is kept any more, the newest bucket taken from (nil if none is counted), and what the
-- bucket \`current\` holds (nil if it does not exist yet).
local function window_state(key, oldest, current)
  local state = redis.call('HMGET', key, 't', 'o', 'n', current)
  local total, from, last, held = tonumber(state[1]) or 0, tonumber(state[2]), tonumber(state[3]), tonumber(state[4])
  if from == nil then
    total, last = 0, nil
    local fields = redis.call('HGETALL', key)
    for f = 1, #fields, 2 do
      local bucket = tonumber(fields[f])
      if bucket ~= nil and fields[f] ~= 't' and fields[f] ~= 'o' and fields[f] ~= 'n' then
        if bucket < oldest then
          redis.call('HDEL', key, fields[f])
        else
          total = total + tonumber(fields[f + 1])
          if last == nil or bucket > last then last = bucket end
        end
      end
    end
    -- Only a hash that still exists is written: a refused check must not leave a key without expiry.
    if last ~= nil then redis.call('HSET', key, 't', total, 'o', oldest) end
    return total, oldest, last, held
  end
  if last == nil or last < oldest then
    -- Everything taken has left the window.
    redis.call('DEL', key)
    return 0, oldest, nil, nil
  end
  if from < oldest then
    for bucket = from, oldest - 1 do
      local value = tonumber(redis.call('HGET', key, bucket))
      if value ~= nil then
        total = total - value
        redis.call('HDEL', key, bucket)
      end
    end
    if total < 0 then total = 0 end
    redis.call('HSET', key, 't', total, 'o', oldest)
    from = oldest
  end
  return total, from, last, held
end

-- The instant from which \`amount\` fits: oldest buckets leave first (only read when refused).
local function window_fits_at(key, oldest, total, amount, limit, size, window)
  local fields = redis.call('HGETALL', key)
  local buckets, amounts = {}, {}
  for f = 1, #fields, 2 do
    local bucket = tonumber(fields[f])
    if bucket ~= nil and bucket >= oldest and fields[f] ~= 't' and fields[f] ~= 'o' and fields[f] ~= 'n' then
      buckets[#buckets + 1] = bucket
      amounts[bucket] = tonumber(fields[f + 1])
    end
  end
  table.sort(buckets)
  local freed = 0
  for _, bucket in ipairs(buckets) do
    freed = freed + amounts[bucket]
    if total - freed + amount <= limit then return (bucket + 1) * size + window end
  end
  return math.huge
end
`;

/**
 * ARGV[1]: now ('' = server clock); ARGV[2]: reservation id; then 5 per rule: kind and 4 parameters,
 *   w: limit, windowMs, bucketMs, amount | c: limit, leaseMs, -, - | b: limit, amount, leaseMs, periodEnd (0 = none).
 * Reply: {admitted 0|1, now, refusing rule (1-based, 0 = none), wait ms (-1 = never), then per rule
 * remaining and resetMs}.
 */
export const ACQUIRE = script(`${CLOCK}${WINDOW}
local NEVER = math.huge
local rules = (#ARGV - 2) / 5
local reservation = ARGV[2]
local key_at = 1
local keys, used, newest, from_of, held_of = {}, {}, {}, {}, {}
local refused, worst = 0, -1

-- Check every rule; expired buckets and leases are dropped on the way (that takes nothing).
for i = 1, rules do
  local at = 2 + (i - 1) * 5
  local kind, limit = ARGV[at + 1], tonumber(ARGV[at + 2])
  local wait = -1
  if kind == 'w' then
    local key = KEYS[key_at]
    key_at = key_at + 1
    keys[i] = key
    local window, size, amount = tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4]), tonumber(ARGV[at + 5])
    local oldest = math.floor((now - window) / size)
    local total, from, last, held = window_state(key, oldest, math.floor(now / size))
    used[i], from_of[i], held_of[i] = total, from, held
    if last ~= nil and total > 0 then newest[i] = last end
    if amount > limit then
      wait = NEVER
    elseif total + amount > limit then
      wait = window_fits_at(key, oldest, total, amount, limit, size, window) - now
    end
  elseif kind == 'c' then
    local key = KEYS[key_at]
    key_at = key_at + 1
    keys[i] = key
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    local count = redis.call('ZCARD', key)
    used[i] = count
    if limit < 1 then
      wait = NEVER
    elseif count + 1 > limit then
      wait = ${CONCURRENCY_RETRY_AFTER_MS}
    end
  else
    local counter, leases = KEYS[key_at], KEYS[key_at + 1]
    key_at = key_at + 2
    keys[i] = counter
    local amount, period_end = tonumber(ARGV[at + 3]), tonumber(ARGV[at + 5])
    local stored = redis.call('HMGET', counter, 'spent', 'reserved')
    local spent, was_reserved = tonumber(stored[1]) or 0, tonumber(stored[2]) or 0
    local reserved = was_reserved
    local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
    if #expired > 0 then
      for _, member in ipairs(expired) do
        reserved = reserved - tonumber(string.match(member, '|(%d+)$'))
      end
      redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
    end
    -- No live lease means nothing is reserved (this also heals a counter whose lease set expired).
    if reserved < 0 or redis.call('ZCARD', leases) == 0 then reserved = 0 end
    if reserved ~= was_reserved then redis.call('HSET', counter, 'reserved', reserved) end
    used[i] = spent + reserved
    if amount > limit then
      wait = NEVER
    elseif spent + reserved + amount > limit then
      if period_end > 0 then wait = math.max(0, period_end - now) else wait = NEVER end
    end
  end
  if wait > worst then
    refused, worst = i, wait
  end
end

-- Take from every rule, only if all of them admit.
if refused == 0 then
  key_at = 1
  for i = 1, rules do
    local at = 2 + (i - 1) * 5
    local kind = ARGV[at + 1]
    if kind == 'w' then
      key_at = key_at + 1
      local window, size, amount = tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4]), tonumber(ARGV[at + 5])
      local current = math.floor(now / size)
      local from = math.min(from_of[i], current)
      if newest[i] == nil or current > newest[i] then newest[i] = current end
      -- One write for the bucket, the sum and the bounds (all read by window_state above).
      redis.call('HSET', keys[i], current, (held_of[i] or 0) + amount, 't', used[i] + amount, 'o', from, 'n', newest[i])
      -- The expiry moves on with each new bucket: writes within one bucket need no later one.
      if held_of[i] == nil then redis.call('PEXPIRE', keys[i], window + 2 * size) end
      used[i] = used[i] + amount
    elseif kind == 'c' then
      key_at = key_at + 1
      local lease = tonumber(ARGV[at + 3])
      redis.call('ZADD', keys[i], now + lease, reservation)
      if redis.call('PTTL', keys[i]) < lease then redis.call('PEXPIRE', keys[i], lease) end
      used[i] = used[i] + 1
    else
      local leases = KEYS[key_at + 1]
      key_at = key_at + 2
      local lease, period_end = tonumber(ARGV[at + 4]), tonumber(ARGV[at + 5])
      redis.call('HINCRBY', keys[i], 'reserved', ARGV[at + 3])
      redis.call('ZADD', leases, now + lease, reservation .. '|' .. ARGV[at + 3])
      if redis.call('PTTL', leases) < lease then redis.call('PEXPIRE', leases, lease) end
      if period_end > 0 then redis.call('PEXPIRE', keys[i], math.max(1, period_end - now + ${BUDGET_KEPT_AFTER_PERIOD_MS})) end
      used[i] = used[i] + tonumber(ARGV[at + 3])
    end
  end
end

local reply = {refused == 0 and 1 or 0, now, refused, worst == NEVER and -1 or worst}
for i = 1, rules do
  local at = 2 + (i - 1) * 5
  local kind, limit = ARGV[at + 1], tonumber(ARGV[at + 2])
  local reset = 0
  if kind == 'w' and newest[i] ~= nil and used[i] > 0 then
    reset = (newest[i] + 1) * tonumber(ARGV[at + 4]) + tonumber(ARGV[at + 3]) - now
  elseif kind == 'b' and tonumber(ARGV[at + 5]) > 0 then
    reset = math.max(0, tonumber(ARGV[at + 5]) - now)
  end
  reply[#reply + 1] = math.max(0, limit - used[i])
  reply[#reply + 1] = reset
end
return reply
`);

/**
 * ARGV[1]: reservation id; then 3 per rule taken: kind and 2 parameters,
 *   w: bucket, delta | c: -, - | b: reserved nano, cost nano.
 * Reply: per budget entry, in order, its spent after this settle (-1 if the counter is gone).
 */
export const SETTLE = script(`
local reservation = ARGV[1]
local key_at = 1
local spent = {}
for at = 2, #ARGV, 3 do
  local kind = ARGV[at]
  if kind == 'w' then
    local key = KEYS[key_at]
    key_at = key_at + 1
    -- Only a bucket still tracked is corrected: one that left the window counts for nothing.
    local current = tonumber(redis.call('HGET', key, ARGV[at + 1]))
    if current then
      local corrected = math.max(0, current + tonumber(ARGV[at + 2]))
      redis.call('HSET', key, ARGV[at + 1], corrected)
      redis.call('HINCRBY', key, 't', corrected - current)
    end
  elseif kind == 'c' then
    redis.call('ZREM', KEYS[key_at], reservation)
    key_at = key_at + 1
  else
    local counter, leases = KEYS[key_at], KEYS[key_at + 1]
    key_at = key_at + 2
    local released = redis.call('ZREM', leases, reservation .. '|' .. ARGV[at + 1])
    -- A counter gone (its period long over) is not recreated without an expiry.
    if redis.call('EXISTS', counter) == 1 then
      if released == 1 and redis.call('HINCRBY', counter, 'reserved', -tonumber(ARGV[at + 1])) < 0 then
        redis.call('HSET', counter, 'reserved', 0)
      end
      spent[#spent + 1] = redis.call('HINCRBY', counter, 'spent', ARGV[at + 2])
    else
      spent[#spent + 1] = -1
    end
  end
end
return spent
`);

/** KEYS[1]: budget counter; ARGV: '' (server clock), spent nano, period end (0 = none). Reply 1 if set. */
export const SEED_BUDGET = script(`${CLOCK}
if redis.call('HSETNX', KEYS[1], 'spent', ARGV[2]) == 0 then return 0 end
local period_end = tonumber(ARGV[3])
if period_end > 0 then
  redis.call('PEXPIRE', KEYS[1], math.max(1, period_end - now + ${BUDGET_KEPT_AFTER_PERIOD_MS}))
end
return 1
`);
