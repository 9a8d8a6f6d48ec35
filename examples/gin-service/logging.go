package main

import (
	"context"
	"io"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// newLogger writes one JSON object per line with the seed's fields: timestamp (RFC 3339, ms, UTC),
// level, msg, service_name, and trace_id/span_id/trace_flags whenever the context carries a span.
// Lines logged with the request's context therefore join up with the trace in Jaeger.
func newLogger(w io.Writer, level string, c *config, instanceID string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level)) // validated by config
	json := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl, ReplaceAttr: seedFields})
	return slog.New(&traceHandler{Handler: json}).With(
		slog.String("service_name", c.ServiceName),
		slog.String("service_version", c.Version),
		slog.String("service_instance_id", instanceID),
	)
}

// seedFields renames slog's built-in keys to the seed's: time → timestamp with milliseconds, level in
// lower case (as traceway's pino lines have it).
func seedFields(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		return slog.String("timestamp", a.Value.Time().UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	case slog.LevelKey:
		return slog.String("level", levelName(a.Value.Any()))
	}
	return a
}

func levelName(v any) string {
	l, _ := v.(slog.Level)
	switch {
	case l >= slog.LevelError:
		return "error"
	case l >= slog.LevelWarn:
		return "warn"
	case l >= slog.LevelInfo:
		return "info"
	default:
		return "debug"
	}
}

// traceHandler adds the active span's ids from the context (OpenTelemetry's rules for trace context
// in non-OTLP logs: trace_id, span_id, trace_flags as hex).
type traceHandler struct{ slog.Handler }

func (h *traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(
			slog.String("trace_id", sc.TraceID().String()),
			slog.String("span_id", sc.SpanID().String()),
			slog.String("trace_flags", sc.TraceFlags().String()),
		)
	}
	return h.Handler.Handle(ctx, r)
}

func (h *traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &traceHandler{Handler: h.Handler.WithAttrs(attrs)}
}

func (h *traceHandler) WithGroup(name string) slog.Handler {
	return &traceHandler{Handler: h.Handler.WithGroup(name)}
}

// ms rounds a duration to milliseconds with microsecond precision, for duration_ms fields.
func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
