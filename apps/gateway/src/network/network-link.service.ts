import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { GatewayConfig } from '@lib/config';
import { IsoServer, IsoServerEvent, IsoServerMetrics } from '@lib/iso8583';
import { Gauge, Registry } from 'prom-client';
import { APP_CONFIG, METRICS_REGISTRY } from '@lib/platform';
import { NETWORK_HANDLER, NetworkHandler } from './engine.providers';

/**
 * The gateway's end of the network link: the ISO 8583 TCP server, listening from boot to
 * shutdown (which drains the requests in flight). Every message goes to the same handler as the
 * HTTP route.
 */
@Injectable()
export class NetworkLinkService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NetworkLink');
  readonly server: IsoServer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @Inject(NETWORK_HANDLER) handler: NetworkHandler,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    const tcp = config.gateway.tcp;
    this.server = new IsoServer(
      {
        host: tcp.host,
        port: tcp.port,
        allowList: tcp.allowList,
        maxConnections: tcp.maxConnections,
        maxInFlightPerConnection: tcp.maxInFlightPerConnection,
        onEvent: (event) => this.log(event),
      },
      async (request) => {
        const response = await handler.handle(request);
        if (!response) throw new Error(`no response for MTI ${request.mti}`);
        return response;
      },
    );
    this.registerMetrics(registry);
  }

  private registerMetrics(registry: Registry): void {
    const server = this.server;
    const counters: [keyof IsoServerMetrics, string][] = [
      ['connectionsOpen', 'Open network connections'],
      ['requestsDispatched', 'Requests handed to the engine'],
      ['formatErrorsAnswered', 'Malformed messages answered 30'],
      ['malformedDropped', 'Malformed messages dropped (MTI, 11 or 7 unreadable)'],
      ['framingErrors', 'Connections closed because framing was lost'],
      ['connectionsRefusedAllowList', 'Connections refused by the peer allow-list'],
      ['backpressurePauses', 'Times reading paused for the in-flight limit or a full write buffer'],
    ];
    for (const [name, help] of counters) {
      new Gauge({
        name: `iso_link_${name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}`,
        help,
        registers: [registry],
        collect() {
          this.set(server.metrics[name]);
        },
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const address = await this.server.listen();
    this.logger.log(`ISO 8583 link listening on ${address.address}:${address.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
  }

  /** Link events carry reasons, fields and offsets, never card data. */
  private log(event: IsoServerEvent): void {
    if (event.kind === 'format-error-answered' || event.kind === 'message-dropped') this.logger.debug(JSON.stringify(event));
    else this.logger.warn(JSON.stringify(event));
  }
}
