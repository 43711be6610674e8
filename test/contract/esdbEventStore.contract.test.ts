import { createEsdbEventStore } from '../../src/adapters/eventstore/esdb/esdbEventStore';
import { startEsdbDouble } from '../support/esdb/esdbDouble';
import { eventStoreContract } from './eventStoreContract';

// A fresh in-process EventStoreDB double per test: no test sees another's streams. Both append paths of
// the client run: BatchAppend (what servers since 21.10 offer) and the older client-streaming Append.
for (const batchAppend of [true, false]) {
  eventStoreContract(`EventStoreDB (test double, ${batchAppend ? 'BatchAppend' : 'Append'})`, async () => {
    const double = await startEsdbDouble({ batchAppend });
    const store = createEsdbEventStore(double.connectionString);
    return {
      store,
      async teardown() {
        await store.close();
        await double.close();
      },
    };
  });
}
