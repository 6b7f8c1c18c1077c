import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { GatewayConfig } from '@lib/config';
import type { NetworkMessageHandler } from '@lib/engine';
import { IsoServer, IsoServerEvent } from '@lib/iso8583';
import { APP_CONFIG } from '@lib/platform';
import { NETWORK_HANDLER } from './engine.providers';

/**
 * The gateway's end of the network link: the ISO 8583 TCP server, listening from boot to
 * shutdown (which drains the requests in flight). Every message goes to the same handler as the
 * HTTP route.
 */
@Injectable()
export class NetworkLinkService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NetworkLink');
  readonly server: IsoServer;

  constructor(@Inject(APP_CONFIG) private readonly config: GatewayConfig, @Inject(NETWORK_HANDLER) handler: NetworkMessageHandler) {
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
