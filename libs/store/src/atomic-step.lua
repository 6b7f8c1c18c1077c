-- atomic-step.lua: one step of the authorisation engine on one account, atomically.
--
-- The script is a generic primitive: it checks and moves the numbers and keys the plan gives it,
-- in the plan's order, and encodes no program rule (limits, fees, FX and card rules are decided in
-- TypeScript by the domain libraries; see atomic-step.ts for the plan's types and its encoding).
--
-- KEYS (every key belongs to one account, hash tag {a:<accountId>}):
--   KEYS[1]  balances       hash  <CUR>:ledger / <CUR>:avail in minor units
--   KEYS[2]  holds          hash  holdId -> hold JSON (open holds only)
--   KEYS[3]  hold-expiries  zset  holdId by expiry instant (ms)
--   KEYS[4]  outbox         stream of decided events, for the relay
--   KEYS[5..] the step's own keys (message dedupe key, transaction key, card, counters...),
--            referred to by their index in the plan.
-- ARGV:
--   ARGV[1]  now, epoch ms (from the injected clock, never Redis' own time)
--   ARGV[2]  decision record JSON, stored and published as is (money as strings); a NUL byte in
--            it (never in JSON text) marks where the text of the deciding check goes (below)
--   ARGV[3]  deadline, epoch ms of the real clock ('' for none): past it the step applies
--            nothing, so a caller that already answered 91 never leaves a late approval behind
--   ARGV[4]  the record kept for retries ('' for ARGV[2]): a trimmed record with what a response
--            needs; it may have its NUL mark too
--   ARGV[5..] the plan, as flat tokens (encodePlan in atomic-step.ts; a JSON plan would cost the
--            step more to decode than everything else it does):
--     dedupeKey ttlMs                       ('' '': no dedupe)
--     n, n x (key field value)              expect: fields that must still hold these values
--     n, n x check                          checks, in order (layouts below)
--     n, n x op                             the op table; the lists below name ops by index
--     n, n x opIndex                        onApprove
--     n, n x opIndex                        onDeclineOther
--     n, n x (checkName m, m x opIndex)     onDecline, per check name
--     n, n x opIndex                        always
--     n, n x (key field)                    report
--     publish                               '1' | '0'
--     n, n x (checkName text)               what a record says of a decline of that check: the
--                                           text replaces the records' NUL mark when that check
--                                           decides (nothing replaces it otherwise), so a record
--                                           carries the one decline that happened, not all those
--                                           that could have
--   A check is `type name flags args...` (flags: 's' stale, 'n' checked only, not moved):
--     c pass | a key field('' = the key) | m key field min | h key field by min max
--     b key by max expireAt | S n key x n by max expireAt        ('' = no bound / no expiry)
--   An op is `type args...`:
--     h key field by min max | p currency by covered | b key by expireAt
--     H key expireAt n (field value) x n | d key field | o holdId expiresAt holdJson
--     r holdId by close | g holdId by expiresAt
-- Returns { status, payload }:
--   { 'late', <ms past the deadline> }  the step arrived after its deadline: nothing changed
--   { 'duplicate', <stored record> }  the message was seen within 24 h: nothing changed
--   { 'stale', <reason> }             a state the plan was computed from changed: nothing changed
--   { 'done', <outcome JSON> }        applied; outcome = { declined = <check name> | false, report = {...},
--                                     expired = { holdId, ... } (only when step 1 expired holds) }

local BALANCES, HOLDS, HOLD_EXPIRIES, OUTBOX = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local A = ARGV
local now = tonumber(A[1])
local record = A[2]
local deadline = tonumber(A[3])
-- What a retry needs to be answered (a trimmed record), kept 24 h; the full record goes to the outbox.
local dedupe_record = A[4] ~= '' and A[4] or record

if deadline then
  local t = redis.call('TIME')
  local redis_now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if redis_now > deadline then return { 'late', tostring(redis_now - deadline) } end
end

local function int(n) return string.format('%d', n) end

-- The plan's layout: where each section, check and op starts in ARGV.
local CHECK_SIZE = { c = 4, a = 5, m = 6, h = 8, b = 7 }
local OP_SIZE = { h = 6, p = 4, b = 4, d = 3, o = 4, r = 4, g = 4 }
local pos = 5
local dedupe_key, dedupe_ttl = tonumber(A[pos]), A[pos + 1]
pos = pos + 2
local expect_at, expect_count = pos + 1, tonumber(A[pos])
pos = pos + 1 + 3 * expect_count
-- The positions of a counted run of checks or ops, each sized by its type (nil and the type when
-- one is unknown).
local function index_entries(size_of)
  local starts = {}
  local count = tonumber(A[pos])
  pos = pos + 1
  for j = 1, count do
    starts[j] = pos
    local size = size_of(A[pos], pos)
    if not size then return nil, tostring(A[pos]) end
    pos = pos + size
  end
  return starts
end
local checks, unknown_check = index_entries(function(t, at) return CHECK_SIZE[t] or (t == 'S' and 7 + tonumber(A[at + 3])) end)
if not checks then return redis.error_reply('atomic-step: unknown check type ' .. unknown_check) end
local ops, unknown_op = index_entries(function(t, at) return OP_SIZE[t] or (t == 'H' and 4 + 2 * tonumber(A[at + 3])) end)
if not ops then return redis.error_reply('atomic-step: unknown op type ' .. unknown_op) end
-- An index list: its first token's position and its length.
local function list()
  local at, n = pos + 1, tonumber(A[pos])
  pos = pos + 1 + n
  return at, n
end
local approve_at, approve_n = list()
local other_at, other_n = list()
local declines = {}
local decline_count = tonumber(A[pos])
pos = pos + 1
for _ = 1, decline_count do
  local name = A[pos]
  pos = pos + 1
  local at, n = list()
  declines[name] = { at, n }
end
local always_at, always_n = list()
local report_at, report_n = list()
pos = report_at + 2 * report_n
local publish = A[pos] ~= '0'
pos = pos + 1
local decline_texts = {}
for _ = 1, tonumber(A[pos]) or 0 do
  decline_texts[A[pos + 1]] = A[pos + 2]
  pos = pos + 2
end

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
if dedupe_key then
  local seen = redis.call('GET', KEYS[dedupe_key])
  if seen then return { 'duplicate', seen } end
end

-- 3. Optimistic concurrency: the decision holds only if the state it was read from is unchanged.
for i = expect_at, expect_at + 3 * (expect_count - 1), 3 do
  local key, field = A[i], A[i + 1]
  local current = redis.call('HGET', KEYS[tonumber(key)], field)
  if (current or '') ~= A[i + 2] then return { 'stale', key .. ':' .. field } end
end

-- Values as this step sees them: what is stored plus what earlier checks of the step will move.
-- The checks only read, so a value read once is kept for the next check that reads it (the
-- suspension and funds checks read the same wallet field; every redis.call costs microseconds).
local pending = {}
local read_values = {}
local function current_hash(key, field)
  local slot = key .. '|' .. field
  local value = read_values[slot]
  if value == nil then
    value = tonumber(redis.call('HGET', KEYS[key], field) or '0')
    read_values[slot] = value
  end
  return value + (pending[slot] or 0)
end
local function current_counter(key)
  local slot = key .. '|'
  local value = read_values[slot]
  if value == nil then
    value = tonumber(redis.call('GET', KEYS[key]) or '0')
    read_values[slot] = value
  end
  return value + (pending[slot] or 0)
end
local function moves(i) return not string.find(A[i + 2], 'n', 1, true) end

-- A check either passes (and its move is remembered) or names the decline.
local function check(i)
  local t = A[i]
  if t == 'c' then
    -- Decided without state (e.g. a per-transaction limit), kept in the plan for its place in the order.
    return A[i + 3] == '1'
  elseif t == 'a' then
    -- The key (or, with a field, that field of a hash) does not exist.
    local key, field = KEYS[tonumber(A[i + 3])], A[i + 4]
    if field ~= '' then return redis.call('HEXISTS', key, field) == 0 end
    return redis.call('EXISTS', key) == 0
  elseif t == 'm' then
    return current_hash(tonumber(A[i + 3]), A[i + 4]) >= tonumber(A[i + 5])
  elseif t == 'h' then
    local key, field, by = tonumber(A[i + 3]), A[i + 4], tonumber(A[i + 5])
    local min, max = tonumber(A[i + 6]), tonumber(A[i + 7])
    local after = current_hash(key, field) + by
    if (min and after < min) or (max and after > max) then return false end
    local slot = key .. '|' .. field
    pending[slot] = (pending[slot] or 0) + by
    return true
  elseif t == 'b' then
    local key, by, max = tonumber(A[i + 3]), tonumber(A[i + 4]), tonumber(A[i + 5])
    if max and current_counter(key) + by > max then return false end
    if moves(i) then pending[key .. '|'] = (pending[key .. '|'] or 0) + by end
    return true
  else
    -- 'S': a rolling window as buckets; the first key is the current bucket, the sum is checked.
    local n = tonumber(A[i + 3])
    local by, max = tonumber(A[i + 4 + n]), tonumber(A[i + 5 + n])
    local sum = by
    for k = i + 4, i + 3 + n do sum = sum + current_counter(tonumber(A[k])) end
    if max and sum > max then return false end
    local first = tonumber(A[i + 4])
    if moves(i) then pending[first .. '|'] = (pending[first .. '|'] or 0) + by end
    return true
  end
end

-- A window counter gets its expiry when it is created (a later bump of the same window keeps it,
-- and every bump of one window carries the same expiry): INCRBY answering `by` means it was 0.
local function bump_counter(key, by, expire_at)
  local after = redis.call('INCRBY', KEYS[tonumber(key)], by)
  if expire_at ~= '' and after == tonumber(by) then redis.call('PEXPIREAT', KEYS[tonumber(key)], expire_at) end
end

-- Moves without a decision: applied as given (an optional move is skipped if its bound fails).
local function apply(i)
  local t = A[i]
  if t == 'h' then
    local key, field, by = KEYS[tonumber(A[i + 1])], A[i + 2], A[i + 3]
    local min, max = tonumber(A[i + 4]), tonumber(A[i + 5])
    if min or max then
      local after = tonumber(redis.call('HGET', key, field) or '0') + tonumber(by)
      if (min and after < min) or (max and after > max) then return end
    end
    redis.call('HINCRBY', key, field, by)
  elseif t == 'p' then
    -- A movement posted at once on one wallet: ledger and available together, or neither (a
    -- `covered` debit is skipped when the available balance does not cover it).
    local currency, by = A[i + 1], A[i + 2]
    local avail = tonumber(redis.call('HGET', BALANCES, currency .. ':avail') or '0')
    if A[i + 3] == '1' and avail + tonumber(by) < 0 then return end
    redis.call('HINCRBY', BALANCES, currency .. ':avail', by)
    redis.call('HINCRBY', BALANCES, currency .. ':ledger', by)
  elseif t == 'b' then
    bump_counter(A[i + 1], A[i + 2], A[i + 3])
  elseif t == 'H' then
    local key, expire_at, n = KEYS[tonumber(A[i + 1])], A[i + 2], tonumber(A[i + 3])
    if n > 0 then redis.call('HSET', key, unpack(A, i + 4, i + 3 + 2 * n)) end
    if expire_at ~= '' then redis.call('PEXPIREAT', key, expire_at) end
  elseif t == 'd' then
    redis.call('HDEL', KEYS[tonumber(A[i + 1])], A[i + 2])
  elseif t == 'o' then
    -- Opens a hold: its record and its expiry (the plan takes the availability with an `h` op).
    redis.call('HSET', HOLDS, A[i + 1], A[i + 3])
    redis.call('ZADD', HOLD_EXPIRIES, A[i + 2], A[i + 1])
  elseif t == 'r' then
    -- Ends (part of) an open hold: gives back `by` minor units of availability (all if '').
    local hold_id = A[i + 1]
    local raw = redis.call('HGET', HOLDS, hold_id)
    if raw then
      local hold = cjson.decode(raw)
      local amount = tonumber(A[i + 2]) or hold.remainingMinor
      if amount > hold.remainingMinor then amount = hold.remainingMinor end
      redis.call('HINCRBY', BALANCES, hold.currency .. ':avail', int(amount))
      hold.remainingMinor = hold.remainingMinor - amount
      if hold.remainingMinor <= 0 or A[i + 3] == '1' then
        redis.call('HINCRBY', BALANCES, hold.currency .. ':avail', int(hold.remainingMinor))
        redis.call('HDEL', HOLDS, hold_id)
        redis.call('ZREM', HOLD_EXPIRIES, hold_id)
      else
        redis.call('HSET', HOLDS, hold_id, cjson.encode(hold))
      end
    end
  elseif t == 'g' then
    -- An incremental authorisation adds to an open hold.
    local hold_id = A[i + 1]
    local raw = redis.call('HGET', HOLDS, hold_id)
    if raw then
      local hold = cjson.decode(raw)
      local by = tonumber(A[i + 2])
      hold.remainingMinor = hold.remainingMinor + by
      hold.amountMinor = (hold.amountMinor or 0) + by
      if A[i + 3] ~= '' then
        hold.expiresAt = tonumber(A[i + 3])
        redis.call('ZADD', HOLD_EXPIRIES, A[i + 3], hold_id)
      end
      redis.call('HSET', HOLDS, hold_id, cjson.encode(hold))
    end
  end
end
local function apply_list(at, n)
  for k = at, at + n - 1 do apply(ops[tonumber(A[k])]) end
end

-- 4. The checks, in the plan's order (the spec's order of checks): the first that fails decides.
local declined = false
for _, i in ipairs(checks) do
  if not check(i) then
    -- A check marked stale guards a value the decision was priced from (e.g. a free quota):
    -- failing it means "recompute", not "decline".
    if string.find(A[i + 2], 's', 1, true) then return { 'stale', A[i + 1] } end
    declined = A[i + 1]
    break
  end
end

-- 5. Apply: on approval every check's move, then the approval ops; on a decline only that
--    decline's ops (e.g. a decline fee the balance covers), or the plan's onDeclineOther.
if declined then
  pending = {}
  -- A decline applies its own ops, or (when the plan names none for it) the ops shared by the
  -- plan's other declines: an empty list opts a check out of them.
  local own = declines[declined]
  if own then apply_list(own[1], own[2]) else apply_list(other_at, other_n) end
else
  for _, i in ipairs(checks) do
    -- A check that only compares leaves the move to onApprove (a key read by several limits).
    if moves(i) then
      local t = A[i]
      if t == 'h' then
        redis.call('HINCRBY', KEYS[tonumber(A[i + 3])], A[i + 4], A[i + 5])
      elseif t == 'b' then
        bump_counter(A[i + 3], A[i + 4], A[i + 6])
      elseif t == 'S' then
        local n = tonumber(A[i + 3])
        bump_counter(A[i + 4], A[i + 4 + n], A[i + 6 + n])
      end
    end
  end
  apply_list(approve_at, approve_n)
end
apply_list(always_at, always_n)

-- 6. What the response and the event show: the balances after the decision (fields of the same
--    key, one after the other, in one HMGET).
local report = {}
local k = report_at
local report_end = report_at + 2 * report_n
while k < report_end do
  local key, fields = A[k], { A[k + 1] }
  k = k + 2
  while k < report_end and A[k] == key do
    fields[#fields + 1] = A[k + 1]
    k = k + 2
  end
  for _, value in ipairs(redis.call('HMGET', KEYS[tonumber(key)], unpack(fields))) do
    report[#report + 1] = value or '0'
  end
end
local result = { declined = declined, report = report }
if #expired > 0 then result.expired = expired end
local outcome = cjson.encode(result)

-- 7. The decision record: kept 24 h for the network's retries, and appended to the outbox in
--    the same step as the state change (spec invariant 5: one event per processed message).
local decline_text = declined and decline_texts[declined] or ''
local function with_decline(json)
  local mark = string.find(json, '\0', 1, true)
  if not mark then return json end
  return string.sub(json, 1, mark - 1) .. decline_text .. string.sub(json, mark + 1)
end
local stored = '{"record":' .. with_decline(record) .. ',"outcome":' .. outcome .. '}'
local stored_for_retries = dedupe_record == record and stored or ('{"record":' .. with_decline(dedupe_record) .. ',"outcome":' .. outcome .. '}')
if dedupe_key then
  redis.call('SET', KEYS[dedupe_key], stored_for_retries, 'PX', dedupe_ttl)
end
if publish then
  redis.call('XADD', OUTBOX, '*', 'kind', 'decision', 'decision', stored, 'at', int(now))
end
return { 'done', outcome }
