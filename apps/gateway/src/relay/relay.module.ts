import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { OutboxRelayService } from './outbox-relay.service';

@Module({ imports: [MetricsModule], providers: [OutboxRelayService] })
export class RelayModule {}
