import 'reflect-metadata';
import { runHttpApp } from '@lib/platform';
import { gatewayApp } from './gateway.app';

void runHttpApp(gatewayApp).catch((err: Error) => {
  process.stderr.write(`gateway: failed to start: ${err.message}\n`);
  process.exit(1);
});
