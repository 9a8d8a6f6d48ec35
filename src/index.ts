/**
 * traceway's public API. What this file exports is the contract; everything else is internal.
 * @packageDocumentation
 */
export { startBalancer } from "./server/balancer.ts";
export type { BalancerOptions, RunningBalancer } from "./server/balancer.ts";
export { TracewayError, ErrorCodes } from "./errors.ts";
export type { ErrorCode, ErrorKind } from "./errors.ts";
export type {
  TracewayConfig,
  UpstreamConfig,
  RouteConfig,
  ServerConfig,
  TelemetryConfig,
  LoggingConfig,
  StrategyName,
  TransportName,
  HashKeySource,
  BackendSpec,
  BackendSource,
} from "./config/types.ts";
export type {
  ProxyObserver,
  RequestObservation,
  AttemptObservation,
  RequestInfo,
  AttemptInfo,
  AttemptResult,
  RequestResult,
} from "./proxy/observer.ts";
export { DIAGNOSTICS_CHANNELS } from "./proxy/diagnostics.ts";
export type {
  RequestStartMessage,
  AttemptStartMessage,
  AttemptEndMessage,
  RequestErrorMessage,
  RequestEndMessage,
} from "./proxy/diagnostics.ts";
export type { DiscoveryProvider, ProviderFactory, DiscoveryEvents } from "./discovery/provider.ts";
export type { DiscoveryObserver, DiscoverySource } from "./discovery/discovery-observer.ts";
export { createStrategy, strategyNames } from "./strategies/registry.ts";
export type { Strategy, PickRequest } from "./strategies/strategy.ts";
export type { Candidate } from "./pool/candidate.ts";
export { loadConfigFile, parseConfigText, validateConfig, ConfigError } from "./config/load.ts";
export type { ConfigProblem, LoadedConfig } from "./config/load.ts";
