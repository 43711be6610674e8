import {
  grpc,
  serverFeaturesGrpcPb,
  serverFeaturesPb,
  streamsGrpcPb,
  type Grpc,
  type IServerFeaturesServer,
  type IStreamsServer,
} from './clientProtocol';
import { DoubleAppends, type AppendFault } from './doubleAppends';
import { DoubleLog } from './doubleLog';
import { DoubleReads } from './doubleReads';

/**
 * An in-process EventStoreDB for tests: a `@grpc/grpc-js` server on loopback that implements the
 * parts of the gRPC API the ledger uses (Append, BatchAppend, Read of streams and `$all`, `$all`
 * subscriptions, ServerFeatures) on an in-memory log. TEST SUPPORT ONLY: no persistence, no
 * clustering, no security, no scavenging. Never point an application at it.
 */
export interface EsdbDouble {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  readonly connectionString: string;
  readonly port: number;
  readonly log: DoubleLog;
  /** Calls received per gRPC method, e.g. to see which append path the client took. */
  readonly calls: Record<'append' | 'batchAppend' | 'read' | 'serverFeatures', number>;
  /** Ends every live `$all` subscription with this status, as a node restart or a network cut would. */
  dropSubscriptions(code?: number, details?: string): number;
  /** The next appends fail this way, in order (one fault per append). */
  failNextAppends(...faults: AppendFault[]): void;
  close(): Promise<void>;
}

export interface EsdbDoubleOptions {
  /** 0 (default): any free port. A fixed port lets a test "restart" the node on the same address. */
  readonly port?: number;
  /** Reuse a log to restart a node with its data. */
  readonly log?: DoubleLog;
  /** Advertise BatchAppend as servers since 21.10 do (default); off, the client falls back to Append. */
  readonly batchAppend?: boolean;
}

const SERVER_VERSION = '24.10.0-test-double';

function unimplemented(_call: unknown, callback: Grpc.sendUnaryData<never>): void {
  callback(
    Object.assign(new Error('not implemented by the test double'), { code: grpc.status.UNIMPLEMENTED }),
    null,
  );
}

export async function startEsdbDouble(options: EsdbDoubleOptions = {}): Promise<EsdbDouble> {
  const log = options.log ?? new DoubleLog();
  const reads = new DoubleReads(log);
  const appends = new DoubleAppends(log);
  const batchAppend = options.batchAppend ?? true;
  const server = new grpc.Server();
  const calls = { append: 0, batchAppend: 0, read: 0, serverFeatures: 0 };

  const streams: IStreamsServer = {
    read: (call) => {
      calls.read += 1;
      void reads.read(call);
    },
    append: (call, callback) => {
      calls.append += 1;
      appends.append(call, callback);
    },
    batchAppend: (call) => {
      calls.batchAppend += 1;
      appends.batchAppend(call);
    },
    delete: unimplemented,
    tombstone: unimplemented,
  };
  const features: IServerFeaturesServer = {
    getSupportedMethods: (_call, callback) => {
      calls.serverFeatures += 1;
      const methods = new serverFeaturesPb.SupportedMethods().setEventStoreServerVersion(SERVER_VERSION);
      const streamMethods = ['Read', 'Append', ...(batchAppend ? ['BatchAppend'] : [])];
      for (const method of streamMethods) {
        methods.addMethods(
          new serverFeaturesPb.SupportedMethod()
            .setServiceName('event_store.client.streams.Streams')
            .setMethodName(method),
        );
      }
      methods.addMethods(
        new serverFeaturesPb.SupportedMethod()
          .setServiceName('event_store.client.server_features.ServerFeatures')
          .setMethodName('GetSupportedMethods'),
      );
      callback(null, methods);
    },
  };
  server.addService(streamsGrpcPb.StreamsService, streams);
  server.addService(serverFeaturesGrpcPb.ServerFeaturesService, features);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `127.0.0.1:${options.port ?? 0}`,
      grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    );
  });

  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    log,
    calls,
    dropSubscriptions(code = grpc.status.UNAVAILABLE, details = 'subscription dropped by the test double') {
      const live = [...reads.live];
      for (const subscription of live) subscription.drop(code, details);
      return live.length;
    },
    failNextAppends(...faults) {
      appends.faults.push(...faults);
    },
    async close() {
      server.forceShutdown();
    },
  };
}
