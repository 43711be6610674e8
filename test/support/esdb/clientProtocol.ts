import { createRequire } from 'node:module';
import type * as Grpc from '@grpc/grpc-js';
import type * as AnyPb from 'google-protobuf/google/protobuf/any_pb';
import type * as EmptyPb from 'google-protobuf/google/protobuf/empty_pb';
import type * as ServerFeaturesGrpcPb from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import type * as ServerFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb';
import type * as StreamsGrpcPb from '@eventstore/db-client/generated/streams_grpc_pb';
import type * as StatusPb from '@eventstore/db-client/generated/status_pb';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb';

/**
 * The double speaks the client's own protocol: the service definitions and message classes are the
 * ones generated inside `@eventstore/db-client`, loaded through the client's own module resolution, so
 * the serializers' `instanceof` checks and the wire format are exactly what the client uses.
 */
const requireFromClient = createRequire(createRequire(import.meta.url).resolve('@eventstore/db-client'));

export const grpc = requireFromClient('@grpc/grpc-js') as typeof Grpc;
export const streamsPb = requireFromClient('@eventstore/db-client/generated/streams_pb') as typeof StreamsPb;
export const streamsGrpcPb = requireFromClient(
  '@eventstore/db-client/generated/streams_grpc_pb',
) as typeof StreamsGrpcPb;
export const sharedPb = requireFromClient('@eventstore/db-client/generated/shared_pb') as typeof SharedPb;
export const serverFeaturesPb = requireFromClient(
  '@eventstore/db-client/generated/serverfeatures_pb',
) as typeof ServerFeaturesPb;
export const serverFeaturesGrpcPb = requireFromClient(
  '@eventstore/db-client/generated/serverfeatures_grpc_pb',
) as typeof ServerFeaturesGrpcPb;

export const statusPb = requireFromClient('@eventstore/db-client/generated/status_pb') as typeof StatusPb;
export const anyPb = requireFromClient('google-protobuf/google/protobuf/any_pb') as typeof AnyPb;
export const emptyPb = requireFromClient('google-protobuf/google/protobuf/empty_pb') as typeof EmptyPb;

export type { Grpc, StreamsPb, SharedPb };
export type { IStreamsServer } from '@eventstore/db-client/generated/streams_grpc_pb';
export type { IServerFeaturesServer } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
