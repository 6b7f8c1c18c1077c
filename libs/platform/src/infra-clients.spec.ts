import { Writable } from 'stream';
import { coalesceWrites } from './infra-clients';

/** A socket stand-in that records each batch the stream hands down (one batch = one system call). */
function recordingSocket(): { socket: Writable; batches: string[][] } {
  const batches: string[][] = [];
  const socket = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, done) {
      batches.push([String(chunk)]);
      done();
    },
    writev(chunks, done) {
      batches.push(chunks.map((c) => String(c.chunk)));
      done();
    },
  });
  coalesceWrites(socket);
  return { socket, batches };
}

const turnEnd = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesceWrites', () => {
  it('writes from separate callbacks of one event-loop turn leave as one batch, in order', async () => {
    const { socket, batches } = recordingSocket();
    // Two timer callbacks due together run in the same timers phase, as two HTTP requests read
    // in one poll phase do: a per-tick (nextTick) flush would send them apart.
    await new Promise<void>((resolve) => {
      setTimeout(() => {
        socket.write('a');
        process.nextTick(() => socket.write('b'));
      }, 0);
      setTimeout(() => {
        socket.write('c');
        void Promise.resolve().then(() => {
          socket.write('d');
          resolve();
        });
      }, 0);
    });
    await turnEnd();
    expect(batches).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('a later turn starts a new batch', async () => {
    const { socket, batches } = recordingSocket();
    socket.write('1');
    await turnEnd();
    socket.write('2');
    socket.write('3');
    await turnEnd();
    expect(batches).toEqual([['1'], ['2', '3']]);
  });
});
