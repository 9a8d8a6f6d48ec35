import {
  castGrpcError,
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  EtcdWatchStreamEnded,
  GRPCDeadlineExceededError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
} from "etcd3";

/** Why talking to etcd failed: the bounded `error.type` of the discovery error counter and logs. */
export type EtcdErrorType =
  | "unavailable"
  | "timeout"
  | "compacted"
  | "canceled"
  | "auth"
  | "stream_ended"
  | "progress_timeout"
  | "other";

/** A watch that etcd ended or that stopped answering. */
export class WatchEndedError extends Error {
  readonly type: EtcdErrorType;
  constructor(type: EtcdErrorType, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WatchEndedError";
    this.type = type;
  }
}

/** Maps what the gRPC client or a watch threw to an {@link EtcdErrorType}. */
export function etcdErrorType(error: unknown): EtcdErrorType {
  if (error instanceof WatchEndedError) return error.type;
  if (!(error instanceof Error)) return "other";
  const typed = castGrpcError(error);
  if (typed instanceof GRPCUnavailableError) return "unavailable";
  if (typed instanceof GRPCDeadlineExceededError) return "timeout";
  if (typed instanceof EtcdWatchStreamEnded) return "stream_ended";
  if (
    typed instanceof EtcdAuthenticationFailedError ||
    typed instanceof EtcdInvalidAuthTokenError ||
    typed instanceof EtcdPermissionDeniedError ||
    typed instanceof GRPCUnauthenticatedError
  ) {
    return "auth";
  }
  return "other";
}
