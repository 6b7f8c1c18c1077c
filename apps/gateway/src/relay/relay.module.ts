import { Module } from '@nestjs/common';
import { MetricsModule } from '@lib/platform';
import { OutboxRelayService } from './outbox-relay.service';

@Module({ imports: [MetricsModule], providers: [OutboxRelayService] })
export class RelayModule {}
