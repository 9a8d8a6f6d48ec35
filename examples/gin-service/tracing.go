package main

import (
	"context"
	"net/url"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

const tracerName = "traceway.example/gin-service"

// newTracerProvider exports spans over OTLP/HTTP when an endpoint is given. Without one, spans are still
// made (not exported), so trace ids keep flowing into logs and Kafka headers.
//
// The sampler is parent-based: an incoming sampled traceparent (traceway's) is always continued, and
// a request without one starts a new sampled trace.
func newTracerProvider(ctx context.Context, c *config, instanceID string) (*sdktrace.TracerProvider, error) {
	res, err := resource.Merge(resource.Default(), resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName(c.ServiceName),
		semconv.ServiceVersion(c.Version),
		semconv.ServiceInstanceID(instanceID),
	))
	if err != nil {
		return nil, err
	}
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())),
	}
	if c.OTLPEndpoint != "" {
		exporter, err := otlptracehttp.New(ctx,
			otlptracehttp.WithEndpointURL(tracesURL(c.OTLPEndpoint)),
			otlptracehttp.WithTimeout(5*time.Second),
		)
		if err != nil {
			return nil, err
		}
		// A bounded queue and a short delay: a dead collector costs no memory, and a demo shows
		// spans in Jaeger within about a second.
		opts = append(opts, sdktrace.WithBatcher(exporter,
			sdktrace.WithBatchTimeout(time.Second),
			sdktrace.WithMaxQueueSize(2048),
		))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{},
	))
	return tp, nil
}

// tracesURL accepts a collector base URL (like OTEL_EXPORTER_OTLP_ENDPOINT) or the full traces URL,
// the same rule traceway's telemetry.traces.otlpEndpoint follows.
func tracesURL(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return endpoint
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	return u.String()
}
