-- atomic-step.lua: one step of the authorisation engine on one account, atomically.
--
-- The script is a generic primitive: it checks and moves the numbers and keys the plan gives it,
-- in the plan's order, and encodes no program rule (limits, fees, FX and card rules are decided in
-- TypeScript by the domain libraries; see atomic-step.ts for the plan's types).
--
-- KEYS (every key belongs to one account, hash tag {a:<accountId>}):
--   KEYS[1]  balances       hash  <CUR>:ledger / <CUR>:avail in minor units
--   KEYS[2]  holds          hash  holdId -> hold JSON (open holds only)
--   KEYS[3]  hold-expiries  zset  holdId by expiry instant (ms)
--   KEYS[4]  outbox         stream of decided events, for the relay
--   KEYS[5..] the step's own keys (message dedupe key, transaction key, card, counters...),
--            referred to by their index in the plan.
-- ARGV:
--   ARGV[1]  plan JSON (see AtomicStepPlan)
--   ARGV[2]  now, epoch ms (from the injected clock, never Redis' own time)
--   ARGV[3]  decision record JSON, stored and published as is (money as strings)
--   ARGV[4]  deadline, epoch ms of the real clock (optional, '' for none): past it the step
--            applies nothing, so a caller that already answered 91 never leaves a late approval behind
--   ARGV[5]  the record kept for retries (optional): a trimmed record with what a response needs;
--            defaults to ARGV[3]
-- Returns { status, payload }:
--   { 'late', <ms past the deadline> }  the step arrived after its deadline: nothing changed
--   { 'duplicate', <stored record> }  the message was seen within 24 h: nothing changed
--   { 'stale', <reason> }             a state the plan was computed from changed: nothing changed
--   { 'done', <outcome JSON> }        applied; outcome = { declined = <check name> | false, report = {...},
--                                     expired = { holdId, ... } (only when step 1 expired holds) }

local BALANCES, HOLDS, HOLD_EXPIRIES, OUTBOX = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local plan = cjson.decode(ARGV[1])
local now = tonumber(ARGV[2])
local record = ARGV[3]
local deadline = tonumber(ARGV[4] or '')
-- What a retry needs to be answered (a trimmed record), kept 24 h; the full record goes to the outbox.
local dedupe_record = ARGV[5] or record

if deadline then
  local t = redis.call('TIME')
  local redis_now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if redis_now > deadline then return { 'late', tostring(redis_now - deadline) } end
end

local function int(n) return string.format('%d', n) end

-- 1. Holds past their expiry stop counting against the available balance, once each, before
--    anything else is decided (spec: a hold lasts its program's expiry).
--    The ids of the holds expired here are returned in the outcome (the sweeper and the caller
--    know the account's outbox has hold.expired entries to relay).
local expired = {}
local due = redis.call('ZRANGEBYSCORE', HOLD_EXPIRIES, '-inf', now)
for _, hold_id in ipairs(due) do
  local raw = redis.call('HGET', HOLDS, hold_id)
  redis.call('ZREM', HOLD_EXPIRIES, hold_id)
  if raw then
    expired[#expired + 1] = hold_id
    local hold = cjson.decode(raw)
    redis.call('HINCRBY', BALANCES, hold.currency .. ':avail', hold.remainingMinor)
    redis.call('HDEL', HOLDS, hold_id)
    redis.call('XADD', OUTBOX, '*', 'kind', 'hold.expired', 'hold', raw, 'at', int(now),
      'ledger', redis.call('HGET', BALANCES, hold.currency .. ':ledger') or '0',
      'avail', redis.call('HGET', BALANCES, hold.currency .. ':avail') or '0')
  end
end

-- 2. A retried message gets the first answer and changes nothing.
if plan.dedupe then
  local seen = redis.call('GET', KEYS[plan.dedupe.key])
  if seen then return { 'duplicate', seen } end
end

-- 3. Optimistic concurrency: the decision holds only if the state it was read from is unchanged.
for _, e in ipairs(plan.expect or {}) do
  local current = redis.call('HGET', KEYS[e.key], e.field)
  if (current or '') ~= e.value then return { 'stale', e.key .. ':' .. e.field } end
end

-- Values as this step sees them: what is stored plus what earlier checks of the step will move.
local pending = {}
local function current_hash(key, field)
  local slot = key .. '|' .. field
  return tonumber(redis.call('HGET', KEYS[key], field) or '0') + (pending[slot] or 0)
end
local function current_counter(key)
  local slot = key .. '|'
  return tonumber(redis.call('GET', KEYS[key]) or '0') + (pending[slot] or 0)
end

-- A check either passes (and its move is remembered) or names the decline.
local function check(c)
  local t = c.type
  if t == 'const' then
    -- Decided without state (e.g. a per-transaction limit), kept in the plan for its place in the order.
    return c.pass
  elseif t == 'absent' then
    -- The key (or, with `field`, that field of a hash) does not exist.
    if c.field then return redis.call('HEXISTS', KEYS[c.key], c.field) == 0 end
    return redis.call('EXISTS', KEYS[c.key]) == 0
  elseif t == 'min' then
    return current_hash(c.key, c.field) >= c.min
  elseif t == 'hbump' then
    local after = current_hash(c.key, c.field) + c.by
    if c.min and after < c.min then return false end
    if c.max and after > c.max then return false end
    pending[c.key .. '|' .. c.field] = (pending[c.key .. '|' .. c.field] or 0) + c.by
    return true
  elseif t == 'bump' then
    local after = current_counter(c.key) + c.by
    if c.max and after > c.max then return false end
    if c.move ~= false then pending[c.key .. '|'] = (pending[c.key .. '|'] or 0) + c.by end
    return true
  elseif t == 'bumpSum' then
    -- A rolling window as buckets: the first key is the current bucket, the sum is checked.
    local sum = c.by
    for _, k in ipairs(c.keys) do sum = sum + current_counter(k) end
    if c.max and sum > c.max then return false end
    if c.move ~= false then pending[c.keys[1] .. '|'] = (pending[c.keys[1] .. '|'] or 0) + c.by end
    return true
  end
  return redis.error_reply('atomic-step: unknown check type ' .. tostring(t))
end

-- A window counter gets its expiry when it is created (a later bump of the same window keeps it),
-- saving a PEXPIREAT per counter per step on the hot path.
local function bump_counter(key, by, expire_at)
  local created = redis.call('EXISTS', KEYS[key]) == 0
  redis.call('INCRBY', KEYS[key], int(by))
  if expire_at and created then redis.call('PEXPIREAT', KEYS[key], int(expire_at)) end
end

-- Moves without a decision: applied as given (an optional move is skipped if its bound fails).
local function apply(op)
  local t = op.type
  if t == 'hbump' then
    if op.min or op.max then
      local after = tonumber(redis.call('HGET', KEYS[op.key], op.field) or '0') + op.by
      if (op.min and after < op.min) or (op.max and after > op.max) then return end
    end
    redis.call('HINCRBY', KEYS[op.key], op.field, int(op.by))
  elseif t == 'post' then
    -- A movement posted at once on one wallet: ledger and available together, or neither (a
    -- `covered` debit is skipped when the available balance does not cover it).
    local avail = tonumber(redis.call('HGET', BALANCES, op.currency .. ':avail') or '0')
    if op.covered and avail + op.by < 0 then return end
    redis.call('HINCRBY', BALANCES, op.currency .. ':avail', int(op.by))
    redis.call('HINCRBY', BALANCES, op.currency .. ':ledger', int(op.by))
  elseif t == 'bump' then
    bump_counter(op.key, op.by, op.expireAt)
  elseif t == 'hset' then
    local args = {}
    for field, value in pairs(op.values) do
      args[#args + 1] = field
      args[#args + 1] = tostring(value)
    end
    if #args > 0 then redis.call('HSET', KEYS[op.key], unpack(args)) end
    if op.expireAt then redis.call('PEXPIREAT', KEYS[op.key], int(op.expireAt)) end
  elseif t == 'hdel' then
    redis.call('HDEL', KEYS[op.key], op.field)
  elseif t == 'hold' then
    -- Opens a hold: record, expiry index, and the available balance it takes.
    local hold = op.hold
    redis.call('HSET', HOLDS, hold.holdId, cjson.encode(hold))
    redis.call('ZADD', HOLD_EXPIRIES, int(hold.expiresAt), hold.holdId)
  elseif t == 'release' then
    -- Ends (part of) an open hold: gives back `by` minor units of availability (all if absent).
    local raw = redis.call('HGET', HOLDS, op.holdId)
    if raw then
      local hold = cjson.decode(raw)
      local amount = op.by or hold.remainingMinor
      if amount > hold.remainingMinor then amount = hold.remainingMinor end
      redis.call('HINCRBY', BALANCES, hold.currency .. ':avail', int(amount))
      hold.remainingMinor = hold.remainingMinor - amount
      if hold.remainingMinor <= 0 or op.close then
        redis.call('HINCRBY', BALANCES, hold.currency .. ':avail', int(hold.remainingMinor))
        redis.call('HDEL', HOLDS, op.holdId)
        redis.call('ZREM', HOLD_EXPIRIES, op.holdId)
      else
        redis.call('HSET', HOLDS, op.holdId, cjson.encode(hold))
      end
    end
  elseif t == 'grow' then
    -- An incremental authorisation adds to an open hold.
    local raw = redis.call('HGET', HOLDS, op.holdId)
    if raw then
      local hold = cjson.decode(raw)
      hold.remainingMinor = hold.remainingMinor + op.by
      hold.amountMinor = (hold.amountMinor or 0) + op.by
      if op.expiresAt then
        hold.expiresAt = op.expiresAt
        redis.call('ZADD', HOLD_EXPIRIES, int(op.expiresAt), op.holdId)
      end
      redis.call('HSET', HOLDS, op.holdId, cjson.encode(hold))
    end
  else
    return redis.error_reply('atomic-step: unknown op type ' .. tostring(t))
  end
end

-- 4. The checks, in the plan's order (the spec's order of checks): the first that fails decides.
local declined = false
for _, c in ipairs(plan.checks or {}) do
  if not check(c) then
    -- A check marked `stale` guards a value the decision was priced from (e.g. a free quota):
    -- failing it means "recompute", not "decline".
    if c.stale then return { 'stale', c.name } end
    declined = c.name
    break
  end
end

-- 5. Apply: on approval every check's move, then the approval ops; on a decline only that
--    decline's ops (e.g. a decline fee the balance covers), or the plan's onDeclineOther.
if declined then
  pending = {}
  -- A decline applies its own ops, or (when the plan names none for it) the ops shared by the
  -- plan's other declines: an empty list opts a check out of them.
  local ops = (plan.onDecline or {})[declined]
  if ops == nil then ops = plan.onDeclineOther or {} end
  for _, op in ipairs(ops) do apply(op) end
else
  for _, c in ipairs(plan.checks or {}) do
    if c.move == false then
      -- checked only: the plan moves the key once, in onApprove (a key read by several limits)
    elseif c.type == 'hbump' then
      redis.call('HINCRBY', KEYS[c.key], c.field, int(c.by))
    elseif c.type == 'bump' then
      bump_counter(c.key, c.by, c.expireAt)
    elseif c.type == 'bumpSum' then
      bump_counter(c.keys[1], c.by, c.expireAt)
    end
  end
  for _, op in ipairs(plan.onApprove or {}) do apply(op) end
end
for _, op in ipairs(plan.always or {}) do apply(op) end

-- 6. What the response and the event show: the balances after the decision.
local report = {}
for _, r in ipairs(plan.report or {}) do
  report[#report + 1] = redis.call('HGET', KEYS[r.key], r.field) or '0'
end
local result = { declined = declined, report = report }
if #expired > 0 then result.expired = expired end
local outcome = cjson.encode(result)

-- 7. The decision record: kept 24 h for the network's retries, and appended to the outbox in
--    the same step as the state change (spec invariant 5: one event per processed message).
local stored = '{"record":' .. record .. ',"outcome":' .. outcome .. '}'
local stored_for_retries = dedupe_record == record and stored or ('{"record":' .. dedupe_record .. ',"outcome":' .. outcome .. '}')
if plan.dedupe then
  redis.call('SET', KEYS[plan.dedupe.key], stored_for_retries, 'PX', int(plan.dedupe.ttlMs))
end
if plan.publish ~= false then
  redis.call('XADD', OUTBOX, '*', 'kind', 'decision', 'decision', stored, 'at', int(now))
end
return { 'done', outcome }
