import 'reflect-metadata';
import { runHttpApp } from '@lib/platform';
import { networkSimApp } from './network-sim.app';

void runHttpApp(networkSimApp).catch((err: Error) => {
  process.stderr.write(`network-sim: failed to start: ${err.message}\n`);
  process.exit(1);
});
