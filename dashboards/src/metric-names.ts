/**
 * Every Prometheus series name the dashboards read, in one table, as OpenTelemetry's compatibility
 * rule names them (unit suffix `_seconds`, counters `_total`): traceway, its interceptors in the
 * workers and the Go service all follow it. traceway's HTTP histograms share their names with the
 * services' (`http_server_request_duration_seconds`); only traceway's carry `traceway_upstream`.
 */
export const M = {
  // traceway (src/telemetry, interceptors/http): client-facing requests and upstream attempts
  tracewayServerDuration: "http_server_request_duration_seconds",
  tracewayClientDuration: "http_client_request_duration_seconds",
  backendUp: "traceway_upstream_backend_up",
  inFlight: "traceway_upstream_requests_in_flight",
  queueLength: "traceway_upstream_queue_length",
  queueWait: "traceway_upstream_queue_wait_duration_seconds",
  retries: "traceway_upstream_retries_total",
  ejections: "traceway_upstream_backend_ejections_total",
  refused: "traceway_requests_refused_total",
  requestBytes: "traceway_http_request_body_bytes_total",
  responseBytes: "traceway_http_response_body_bytes_total",
  discoveryBackends: "traceway_discovery_backends",
  discoverySyncAge: "traceway_discovery_sync_age_seconds",
  spanQueue: "otel_sdk_processor_span_queue_size",
  spansProcessed: "otel_sdk_processor_span_processed_total",
  // traceway's kafkajs interceptors (examples/kafka-worker)
  consumed: "messaging_client_consumed_messages_total",
  processDuration: "messaging_process_duration_seconds",
  processErrors: "traceway_messaging_process_errors_total",
  e2eDuration: "traceway_messaging_e2e_duration_seconds",
  groupLag: "traceway_messaging_kafka_consumer_group_lag",
  groupTimeLag: "traceway_messaging_kafka_consumer_group_time_lag_seconds",
  groupStatus: "traceway_messaging_kafka_consumer_group_status",
  lagMonitorPollAge: "traceway_messaging_kafka_lag_monitor_poll_age_seconds",
  consumerEvents: "traceway_messaging_kafka_consumer_events_total",
  // examples/gin-service (docs/gin-service.md)
  ginServerDuration: "http_server_request_duration_seconds",
  ginActiveRequests: "http_server_active_requests",
  dbDuration: "db_client_operation_duration_seconds",
  orders: "orders_total",
  outboxPending: "orders_outbox_pending",
  sent: "messaging_client_sent_messages_total",
  sendDuration: "messaging_client_operation_duration_seconds",
  etcdRegistered: "etcd_registration_active",
  faultErrorRatio: "fault_injection_error_ratio",
  goGcPauses: "go_sched_pauses_total_gc_seconds",
  goGoroutines: "go_goroutines",
  goHeapAlloc: "go_memstats_heap_alloc_bytes",
  processCpu: "process_cpu_seconds_total",
  processRss: "process_resident_memory_bytes",
  // Node processes (traceway, examples/kafka-worker): OpenTelemetry's runtime-node and host-metrics
  nodeCpu: "process_cpu_time_seconds_total",
  nodeRss: "process_memory_usage",
  eventLoopDelayP99: "nodejs_eventloop_delay_p99_seconds",
  eventLoopUtilization: "nodejs_eventloop_utilization_ratio",
  v8GcDuration: "v8js_gc_duration_seconds",
  v8HeapUsed: "v8js_memory_heap_used_bytes",
} as const;
