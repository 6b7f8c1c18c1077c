import { Module } from '@nestjs/common';
import { engineProviders, NETWORK_HANDLER, PROGRAM_CATALOGUE, CARD_SECRETS } from './engine.providers';
import { NetworkLinkService } from './network-link.service';
import { NetworkMessagesController } from './network-messages.controller';

/** The network interface: ISO 8583 over TCP and the same messages as JSON over HTTP. */
@Module({
  controllers: [NetworkMessagesController],
  providers: [...engineProviders, NetworkLinkService],
  exports: [NETWORK_HANDLER, PROGRAM_CATALOGUE, CARD_SECRETS, NetworkLinkService],
})
export class NetworkModule {}
