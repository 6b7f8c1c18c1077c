/**
 * Long fuzz run of the ISO 8583 codec: `npm run fuzz:codec -- --iterations 10000000 [--seed N]
 * [--write-corpus]`. Same engine and properties as libs/iso8583/src/codec/fuzz.spec.ts. A failing
 * input is written to libs/iso8583/test-fixtures/fuzz-corpus/crash-<sha1>.bin, so that the unit
 * suite replays it from then on. `--write-corpus` also keeps one input per distinct refusal reason
 * (the corpus of interesting frames the suite mutates).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CORPUS_DIR, runFuzz } from '../libs/iso8583/src/testing/fuzz-engine';

interface Arguments {
  readonly iterations: number;
  readonly seed: number;
  readonly writeCorpus: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  const valueOf = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    return index === -1 ? undefined : argv[index + 1];
  };
  const iterations = Number(valueOf('--iterations') ?? '1000000');
  const seed = Number(valueOf('--seed') ?? String(Date.now() % 0xffffffff));
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new Error('--iterations must be a positive integer');
  if (!Number.isSafeInteger(seed)) throw new Error('--seed must be an integer');
  return { iterations, seed, writeCorpus: argv.includes('--write-corpus') };
}

function save(prefix: string, input: Buffer): string {
  const name = `${prefix}-${crypto.createHash('sha1').update(input).digest('hex').slice(0, 12)}.bin`;
  fs.mkdirSync(CORPUS_DIR, { recursive: true });
  fs.writeFileSync(path.join(CORPUS_DIR, name), input);
  return name;
}

/** One input per refusal reason, digits and field numbers blanked, so the corpus stays small. */
function writeCorpus(reasons: ReadonlyMap<string, Buffer>): number {
  const kept = new Map<string, Buffer>();
  for (const [key, input] of reasons) {
    const coarse = key.replace(/^[^:]*:/, '').replace(/^tag [^:]*:/, 'tag:');
    if (!kept.has(coarse)) kept.set(coarse, input);
  }
  for (const [reason, input] of kept) save(`refused-${reason.replace(/[^a-z]+/gi, '-').slice(0, 40)}`, input);
  return kept.size;
}

function main(): void {
  const args = parseArguments(process.argv.slice(2));
  console.log(`fuzz:codec seed=${args.seed} iterations=${args.iterations}`);
  const startedMs = Date.now();
  const report = runFuzz(args.iterations, args.seed, (done) => {
    const seconds = (Date.now() - startedMs) / 1000;
    console.log(`  ${done} inputs, ${Math.round(done / seconds)}/s`);
  });
  const seconds = (Date.now() - startedMs) / 1000;
  console.log(
    `done: ${report.iterations} inputs in ${seconds.toFixed(1)} s; accepted ${report.accepted}, refused ${report.refused}, ` +
      `${report.reasons.size} distinct refusals, slowest input ${report.slowestInputMs.toFixed(2)} ms`,
  );
  if (args.writeCorpus) console.log(`corpus: wrote ${writeCorpus(report.reasons)} inputs to ${CORPUS_DIR}`);
  if (report.bugs.length > 0) {
    for (const bug of report.bugs) console.error(`BUG: ${bug.reason} -> ${save('crash', bug.input)}`);
    process.exitCode = 1;
  }
}

main();
