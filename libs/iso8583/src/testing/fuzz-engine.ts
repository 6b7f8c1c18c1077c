import * as fs from 'fs';
import * as path from 'path';
import { IsoFormatError, NO_OFFSET } from '../iso-format-error';
import { pack } from '../codec/pack';
import { unpack } from '../codec/unpack';
import { goldenBody, loadGoldenVectors } from './golden-vectors';

/**
 * The codec's fuzzer, shared by the unit suite (fuzz.spec.ts, 100,000 inputs) and the long run
 * (scripts/fuzz-codec.ts). Inputs are random frames and mutations of the golden vectors and of
 * the checked-in corpus (byte flips, truncation, insertion, deletion, length digits changed).
 * For every input: unpack throws nothing but an IsoFormatError with a sane offset, and a message
 * it accepts packs back to exactly the same bytes (moov-io's unpack -> pack -> unpack, made
 * stricter by the canonical encoding).
 */

export const CORPUS_DIR = path.resolve(__dirname, '../../test-fixtures/fuzz-corpus');

/** Small, fast, seeded PRNG (mulberry32): a failure is reproduced from its seed. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

export function loadSeeds(): Buffer[] {
  const golden = loadGoldenVectors().map(goldenBody);
  const corpus = fs.existsSync(CORPUS_DIR)
    ? fs
        .readdirSync(CORPUS_DIR)
        .filter((file) => file.endsWith('.bin'))
        .sort()
        .map((file) => fs.readFileSync(path.join(CORPUS_DIR, file)))
    : [];
  return [...golden, ...corpus];
}

/** Bytes a mutation likes to write: digits, hex letters, signs, space, controls, high bytes. */
const INTERESTING_BYTES = Buffer.from('0123456789ABCDEFcdxCD Y\u0000\u007f', 'latin1');
const INTERESTING_WITH_HIGH = Buffer.concat([INTERESTING_BYTES, Buffer.from([0x80, 0xe9, 0xff])]);

type Mutation = (input: Buffer, random: Random) => Buffer;

const MUTATIONS: readonly Mutation[] = [
  function flipByte(input, random) {
    const out = Buffer.from(input);
    if (out.length > 0) out[random.below(out.length)] = random.below(256);
    return out;
  },
  function flipBit(input, random) {
    const out = Buffer.from(input);
    if (out.length > 0) out[random.below(out.length)] ^= 1 << random.below(8);
    return out;
  },
  function writeInterestingByte(input, random) {
    const out = Buffer.from(input);
    if (out.length > 0) out[random.below(out.length)] = random.pick([...INTERESTING_WITH_HIGH]);
    return out;
  },
  function truncate(input, random) {
    return input.subarray(0, random.below(input.length + 1));
  },
  function insertBytes(input, random) {
    const at = random.below(input.length + 1);
    const inserted = Buffer.from(Array.from({ length: 1 + random.below(4) }, () => random.pick([...INTERESTING_WITH_HIGH])));
    return Buffer.concat([input.subarray(0, at), inserted, input.subarray(at)]);
  },
  function deleteBytes(input, random) {
    const at = random.below(input.length + 1);
    return Buffer.concat([input.subarray(0, at), input.subarray(at + 1 + random.below(4))]);
  },
  function changeDigit(input, random) {
    // Length digits are digits: changing a random digit to another hits length prefixes often.
    const digits: number[] = [];
    for (let i = 0; i < input.length; i++) if (input[i] >= 48 && input[i] <= 57) digits.push(i);
    const out = Buffer.from(input);
    if (digits.length > 0) out[random.pick(digits)] = 48 + random.below(10);
    return out;
  },
  function changeBitmapNibble(input, random) {
    const out = Buffer.from(input);
    const span = Math.min(32, Math.max(0, out.length - 4));
    if (span > 0) out[4 + random.below(span)] = random.pick([...Buffer.from('0123456789ABCDEF')]);
    return out;
  },
  function duplicateSlice(input, random) {
    const start = random.below(input.length + 1);
    const end = Math.min(input.length, start + random.below(40));
    return Buffer.concat([input.subarray(0, end), input.subarray(start, end), input.subarray(end)]);
  },
];

/** A frame of random bytes, or a plausible header followed by random digits. */
function randomFrame(random: Random): Buffer {
  const length = random.below(300);
  if (random.below(2) === 0) return Buffer.from(Array.from({ length }, () => random.below(256)));
  const hex = '0123456789ABCDEF';
  const bitmap = Array.from({ length: 16 }, () => hex[random.below(16)]).join('');
  const body = Array.from({ length }, () => String(random.below(10))).join('');
  return Buffer.from(random.pick(['0100', '0110', '0800', '0400']) + bitmap + body, 'latin1');
}

export function nextInput(random: Random, seeds: readonly Buffer[]): Buffer {
  if (random.below(10) === 0) return randomFrame(random);
  let input = random.pick(seeds);
  const rounds = 1 + random.below(3);
  for (let i = 0; i < rounds; i++) input = random.pick(MUTATIONS)(input, random);
  return input;
}

export type Verdict =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused'; readonly error: IsoFormatError }
  | { readonly kind: 'bug'; readonly reason: string };

/** Checks one input against the fuzz properties; never throws. */
export function checkInput(input: Buffer): Verdict {
  let message;
  try {
    message = unpack(input);
  } catch (error) {
    if (!(error instanceof IsoFormatError)) return { kind: 'bug', reason: `unpack threw ${describe(error)}` };
    const offsetOk = error.offset === NO_OFFSET || (Number.isInteger(error.offset) && error.offset >= 0 && error.offset <= input.length);
    return offsetOk ? { kind: 'refused', error } : { kind: 'bug', reason: `offset ${error.offset} outside the input` };
  }
  try {
    const repacked = pack(message);
    if (!repacked.equals(input)) return { kind: 'bug', reason: 'accepted input does not pack back to the same bytes' };
    return { kind: 'accepted' };
  } catch (error) {
    return { kind: 'bug', reason: `accepted input does not pack: ${describe(error)}` };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
}

export interface FuzzReport {
  readonly iterations: number;
  readonly accepted: number;
  readonly refused: number;
  readonly bugs: ReadonlyArray<{ readonly input: Buffer; readonly reason: string }>;
  /** Longest time one input took, to catch super-linear paths. */
  readonly slowestInputMs: number;
  /** Distinct refusal reasons (digits blanked), each with the first input that produced it. */
  readonly reasons: ReadonlyMap<string, Buffer>;
}

export function runFuzz(iterations: number, seed: number, onProgress?: (done: number) => void): FuzzReport {
  const random = new Random(seed);
  const seeds = loadSeeds();
  let accepted = 0;
  let refused = 0;
  let slowestInputMs = 0;
  const bugs: Array<{ input: Buffer; reason: string }> = [];
  const reasons = new Map<string, Buffer>();
  for (let i = 0; i < iterations; i++) {
    const input = nextInput(random, seeds);
    const started = process.hrtime.bigint();
    const verdict = checkInput(input);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (elapsedMs > slowestInputMs) slowestInputMs = elapsedMs;
    if (verdict.kind === 'accepted') accepted++;
    else if (verdict.kind === 'refused') {
      refused++;
      const key = `${verdict.error.field ?? '-'}:${verdict.error.reason.replace(/[0-9]+/g, '#')}`;
      if (!reasons.has(key)) reasons.set(key, input);
    } else if (bugs.length < 20) bugs.push({ input, reason: verdict.reason });
    if (onProgress !== undefined && (i + 1) % 1_000_000 === 0) onProgress(i + 1);
  }
  return { iterations, accepted, refused, bugs, slowestInputMs, reasons };
}
