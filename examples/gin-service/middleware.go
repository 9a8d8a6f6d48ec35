package main

import (
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// knownMethods bounds the method label: anything else is recorded as _OTHER (HTTP semconv rule).
var knownMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true,
	"CONNECT": true, "OPTIONS": true, "TRACE": true, "PATCH": true,
}

// observe is the one middleware behind every route: a SERVER span that continues the caller's W3C
// trace context, the RED histogram, the in-flight gauge and one access-log line per request.
//
// It replaces otelgin, which OpenTelemetry deprecated and stopped releasing (last: contrib v0.65);
// doing it here also keeps span, metric and log labels identical (route template, never the raw path).
func observe(m *metrics, log *slog.Logger) gin.HandlerFunc {
	tracer := otel.Tracer(tracerName)
	propagator := otel.GetTextMapPropagator()
	return func(c *gin.Context) {
		start := time.Now()
		method := c.Request.Method
		if !knownMethods[method] {
			method = "_OTHER"
		}
		route := c.FullPath() // the template (/orders/:id); empty when no route matched
		ctx := propagator.Extract(c.Request.Context(), propagation.HeaderCarrier(c.Request.Header))
		ctx, span := tracer.Start(ctx, spanName(method, route),
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(requestAttributes(c, method, route)...),
		)
		defer span.End()
		c.Request = c.Request.WithContext(ctx)
		active := m.httpActive.WithLabelValues(method)
		active.Inc()
		defer active.Dec()

		c.Next()

		status := c.Writer.Status()
		elapsed := time.Since(start)
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
		if status >= 500 {
			span.SetStatus(codes.Error, "")
			span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(status)))
		}
		m.httpDuration.WithLabelValues(method, route, strconv.Itoa(status)).Observe(elapsed.Seconds())
		log.LogAttrs(ctx, levelFor(status), "request",
			slog.String("method", method),
			slog.String("route", route),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.Float64("duration_ms", ms(elapsed)),
			slog.Int("bytes_out", max(c.Writer.Size(), 0)),
			slog.String("client_address", c.ClientIP()),
		)
	}
}

// spanName is "{method} {route}" (HTTP semconv); without a route only the method, so a scan of
// random paths cannot make unbounded span names.
func spanName(method, route string) string {
	if route == "" {
		return method
	}
	return method + " " + route
}

func requestAttributes(c *gin.Context, method, route string) []attribute.KeyValue {
	attrs := []attribute.KeyValue{
		semconv.HTTPRequestMethodKey.String(method),
		semconv.URLPath(c.Request.URL.Path),
		semconv.URLScheme("http"),
		semconv.NetworkProtocolVersion(protocolVersion(c)),
		semconv.UserAgentOriginal(c.Request.UserAgent()),
		semconv.ClientAddress(c.ClientIP()),
	}
	if route != "" {
		attrs = append(attrs, semconv.HTTPRoute(route))
	}
	if host, port, err := net.SplitHostPort(c.Request.Host); err == nil {
		attrs = append(attrs, semconv.ServerAddress(host))
		if p, err := strconv.Atoi(port); err == nil {
			attrs = append(attrs, semconv.ServerPort(p))
		}
	}
	return attrs
}

func protocolVersion(c *gin.Context) string {
	return strconv.Itoa(c.Request.ProtoMajor) + "." + strconv.Itoa(c.Request.ProtoMinor)
}

func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}
