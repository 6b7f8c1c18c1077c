/**
 * Redis stream entry ids (`<ms>-<seq>`). The relay trims what it delivered with XTRIM MINID,
 * which keeps ids >= the threshold: the threshold is the id right after the last delivered one.
 * Trimming a prefix (rather than XDEL of each id) frees whole stream nodes and leaves no
 * tombstones; entries added meanwhile have larger ids and are never touched.
 */
const STREAM_ID = /^([0-9]+)-([0-9]+)$/;

export function nextStreamId(id: string): string {
  const match = STREAM_ID.exec(id);
  if (!match) throw new Error(`not a stream id: ${JSON.stringify(id)}`);
  return `${match[1]}-${BigInt(match[2]) + 1n}`;
}

/** The wall-clock instant Redis stamped on an entry (`*` ids), in epoch ms. */
export function streamIdMs(id: string): number {
  const match = STREAM_ID.exec(id);
  if (!match) throw new Error(`not a stream id: ${JSON.stringify(id)}`);
  return Number(match[1]);
}
