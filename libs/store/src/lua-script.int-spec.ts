import { createRedis } from '@lib/platform';
import { integrationConfig } from '@lib/testing';
import { LuaScript } from './lua-script';

const redis = createRedis(integrationConfig().redis, 'lua-script-test');
beforeAll(() => redis.connect());
afterAll(() => redis.quit());

describe('LuaScript (real Redis)', () => {
  it('runs by EVALSHA, loads itself by EVAL when Redis does not know it, and passes errors through', async () => {
    const script = new LuaScript(`-- lua-script.int-spec ${Date.now()}\nreturn { KEYS[1], ARGV[1], #ARGV }`);
    expect(await redis.script('EXISTS', script.sha)).toEqual([0]);
    expect(await script.run(redis, 1, ['k', 'a', 'b'])).toEqual(['k', 'a', 2]);
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);
    expect(await script.run(redis, 1, ['k', 'c'])).toEqual(['k', 'c', 1]);
    await expect(new LuaScript('return redis.error_reply("boom")').run(redis, 0, [])).rejects.toThrow('boom');
  });
});
