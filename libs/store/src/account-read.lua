-- account-read.lua: what one message's decision is computed from, read in one round trip.
--
-- Reads only (the atomic step re-checks what can move under the decision). Every key belongs to
-- one account, hash tag {a:<accountId>}.
-- KEYS[1] account  KEYS[2] card  KEYS[3] balances  KEYS[4] holds  KEYS[5] the message's dedupe key
-- KEYS[6] the card's revoked consents  KEYS[7] the TI record (when ARGV[2] is '1')
-- KEYS[7 or 8 ..] counters
-- ARGV[1] merchant id ('' for none: no consent lookup)
-- ARGV[2] '1' when KEYS[7] is the message's TI record
-- Returns { account, card, balances, ti, storedDecision | false, consentRevoked 0|1, hold | false,
--           { counter values | false } }: hashes as flat field/value lists, the hold as stored
--           (its JSON, exactly) when the TI record is 'held'.
local with_ti = ARGV[2] == '1'
local ti = {}
local hold = false
if with_ti then
  ti = redis.call('HGETALL', KEYS[7])
  local status, hold_id
  for i = 1, #ti, 2 do
    if ti[i] == 'status' then status = ti[i + 1] elseif ti[i] == 'holdId' then hold_id = ti[i + 1] end
  end
  if status == 'held' and hold_id then hold = redis.call('HGET', KEYS[4], hold_id) end
end
local revoked = 0
if ARGV[1] ~= '' then revoked = redis.call('HEXISTS', KEYS[6], ARGV[1]) end
local counters = {}
for i = with_ti and 8 or 7, #KEYS do
  counters[#counters + 1] = redis.call('GET', KEYS[i])
end
return {
  redis.call('HGETALL', KEYS[1]),
  redis.call('HGETALL', KEYS[2]),
  redis.call('HGETALL', KEYS[3]),
  ti,
  redis.call('GET', KEYS[5]),
  revoked,
  hold,
  counters,
}
