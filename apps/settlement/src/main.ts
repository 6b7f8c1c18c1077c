import 'reflect-metadata';
import { runHttpApp } from '@lib/platform';
import { settlementApp } from './settlement.app';

void runHttpApp(settlementApp).catch((err: Error) => {
  process.stderr.write(`settlement: failed to start: ${err.message}\n`);
  process.exit(1);
});
