import { Module } from '@nestjs/common';
import { MetricsModule } from '@lib/platform';
import { ProgramCatalogueModule } from '../programs/program-catalogue.module';
import { CARD_SECRETS, engineProviders, NETWORK_HANDLER } from './engine.providers';
import { NetworkLinkService } from './network-link.service';
import { NetworkMessagesController } from './network-messages.controller';

/** The network interface: ISO 8583 over TCP and the same messages as JSON over HTTP. */
@Module({
  imports: [ProgramCatalogueModule, MetricsModule],
  controllers: [NetworkMessagesController],
  providers: [...engineProviders, NetworkLinkService],
  exports: [NETWORK_HANDLER, CARD_SECRETS, NetworkLinkService],
})
export class NetworkModule {}
