package main

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Bucket boundaries the OpenTelemetry semantic conventions advise for each histogram, in seconds.
var (
	httpDurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
	dbDurationBuckets   = []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}
)

// metrics are the service's own series. Names are the OpenTelemetry semantic-convention names as
// OpenTelemetry's Prometheus exporters write them (dots → underscores, unit suffix), so dashboards
// and alerts read the Gin service and traceway alike; the list is in docs/gin-service.md.
type metrics struct {
	registry        *prometheus.Registry
	httpDuration    *prometheus.HistogramVec
	httpActive      *prometheus.GaugeVec
	dbDuration      *prometheus.HistogramVec
	orders          *prometheus.CounterVec
	sentMessages    *prometheus.CounterVec
	sendDuration    *prometheus.HistogramVec
	outboxPending   prometheus.Gauge
	registered      prometheus.Gauge
	registrations   *prometheus.CounterVec
	faultErrorRate  prometheus.Gauge
	faultLatencySec prometheus.Gauge
}

func newMetrics(c *config, instanceID string) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_server_request_duration_seconds",
			Help:    "Duration of HTTP server requests (OTel http.server.request.duration).",
			Buckets: httpDurationBuckets,
		}, []string{"http_request_method", "http_route", "http_response_status_code"}),
		httpActive: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "http_server_active_requests",
			Help: "HTTP server requests in flight (OTel http.server.active_requests).",
		}, []string{"http_request_method"}),
		dbDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "db_client_operation_duration_seconds",
			Help:    "Duration of SQLite operations (OTel db.client.operation.duration).",
			Buckets: dbDurationBuckets,
		}, []string{"db_system_name", "db_operation_name", "db_collection_name", "error_type"}),
		orders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "orders_total",
			Help: "POST /orders outcomes: accepted (stored), rejected (invalid input, 4xx), failed (5xx).",
		}, []string{"result"}),
		sentMessages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "messaging_client_sent_messages_total",
			Help: "Kafka messages the producer tried to send; error_type is set when the send failed.",
		}, []string{"messaging_system", "messaging_destination_name", "error_type"}),
		sendDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "messaging_client_operation_duration_seconds",
			Help:    "Time from handing a message to the producer to the broker's ack or failure.",
			Buckets: httpDurationBuckets,
		}, []string{"messaging_system", "messaging_operation_name", "messaging_destination_name", "error_type"}),
		outboxPending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "orders_outbox_pending",
			Help: "Stored orders whose Kafka message is not yet acknowledged (retried in the background).",
		}),
		registered: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "etcd_registration_active",
			Help: "1 while this instance's key is in etcd under a live lease, else 0.",
		}),
		registrations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "etcd_registration_attempts_total",
			Help: "Attempts to register in etcd, by result (success, failure).",
		}, []string{"result"}),
		faultErrorRate: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "fault_injection_error_ratio",
			Help: "Share of API requests answered 500 on purpose (demo knob).",
		}),
		faultLatencySec: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "fault_injection_latency_seconds",
			Help: "Delay added to every API request on purpose (demo knob).",
		}),
	}
	m.registry.MustRegister(
		m.httpDuration, m.httpActive, m.dbDuration, m.orders, m.sentMessages, m.sendDuration,
		m.outboxPending, m.registered, m.registrations, m.faultErrorRate, m.faultLatencySec,
		targetInfo(c, instanceID),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		// The Go collector's defaults (go_gc_duration_seconds, go_memstats_*, go_goroutines, ...) and,
		// from gc_pauses.go, a GC pause histogram with buckets up to 10 s.
		collectors.NewGoCollector(),
		newGCPauseCollector(),
	)
	// Zero series for the outcomes a dashboard plots, so rate() has a start point before the first order.
	for _, r := range []string{"accepted", "rejected", "failed"} {
		m.orders.WithLabelValues(r)
	}
	return m
}

// targetInfo is OpenTelemetry's resource as a Prometheus info metric, for joins on service labels.
func targetInfo(c *config, instanceID string) prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "target_info",
		Help: "Target metadata (the OpenTelemetry resource).",
		ConstLabels: prometheus.Labels{
			"service_name":        c.ServiceName,
			"service_version":     c.Version,
			"service_instance_id": instanceID,
		},
	})
	g.Set(1)
	return g
}
