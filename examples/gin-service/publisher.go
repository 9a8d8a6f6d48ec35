package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// publisher sends accepted orders to Kafka: key = order id (one order's messages stay in one partition,
// in order), value = the order's JSON, headers = W3C traceparent/tracestate of a PRODUCER span
// "send <topic>" (the messaging conventions' name, as traceway's kafkajs interceptor writes it).
//
// franz-go's kotel plugin would make the span, but with the 2023 conventions ("orders publish",
// messaging.operation=publish); one small function here keeps Go and Node spans alike.
type publisher struct {
	client     *kgo.Client
	topic      string
	partitions int
	timeout    time.Duration
	clientID   string
	m          *metrics
	log        *slog.Logger
	tracer     trace.Tracer
}

func newPublisher(c *config, m *metrics, log *slog.Logger) (*publisher, error) {
	client, err := kgo.NewClient(
		kgo.SeedBrokers(c.KafkaBrokers...),
		kgo.ClientID(c.ServiceName),
		kgo.DefaultProduceTopic(c.Topic),
		kgo.ProducerLinger(0),
		// franz-go compresses with snappy by default, which kafkajs cannot read without a codec
		// plugin; orders are small, so they go uncompressed.
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		// Without idempotence a record whose context expires can always be failed, so POST /orders
		// answers within --kafka-timeout even when the broker dies mid-request. Retries of the
		// outbox relay make delivery at-least-once; consumers dedupe on the key (the order id).
		kgo.DisableIdempotentWrite(),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordDeliveryTimeout(c.KafkaTimeout),
	)
	if err != nil {
		return nil, err
	}
	return &publisher{
		client: client, topic: c.Topic, partitions: c.TopicPartitions, timeout: c.KafkaTimeout,
		clientID: c.ServiceName, m: m, log: log, tracer: otel.Tracer(tracerName),
	}, nil
}

// publish sends one order and waits at most --kafka-timeout for the broker's ack.
func (p *publisher) publish(ctx context.Context, o *order) error {
	ctx, span := p.tracer.Start(ctx, "send "+p.topic,
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			semconv.MessagingSystemKafka,
			semconv.MessagingOperationName("send"),
			semconv.MessagingOperationTypeSend,
			semconv.MessagingDestinationName(p.topic),
			semconv.MessagingClientID(p.clientID),
			semconv.MessagingMessageID(o.ID),
		))
	defer span.End()
	value, err := json.Marshal(o)
	if err != nil {
		return err
	}
	rec := &kgo.Record{Topic: p.topic, Key: []byte(o.ID), Value: value}
	otel.GetTextMapPropagator().Inject(ctx, recordHeaders{rec})
	sendCtx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	start := time.Now()
	err = p.client.ProduceSync(sendCtx, rec).FirstErr()
	errorType := ""
	if err != nil {
		errorType = kafkaErrorType(err)
		span.SetStatus(codes.Error, err.Error())
		span.SetAttributes(semconv.ErrorTypeKey.String(errorType))
	} else {
		span.SetAttributes(
			semconv.MessagingDestinationPartitionID(strconv.Itoa(int(rec.Partition))),
			semconv.MessagingKafkaOffset(int(rec.Offset)),
		)
	}
	p.m.sentMessages.WithLabelValues("kafka", p.topic, errorType).Inc()
	p.m.sendDuration.WithLabelValues("kafka", "send", p.topic, errorType).Observe(time.Since(start).Seconds())
	return err
}

func kafkaErrorType(err error) string {
	var ke *kerr.Error
	switch {
	case errors.As(err, &ke):
		return ke.Message // a stable code name, e.g. UNKNOWN_TOPIC_OR_PARTITION
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, kgo.ErrRecordTimeout):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	default:
		return "_OTHER"
	}
}

func (p *publisher) close() { p.client.Close() }

// recordHeaders lets an OpenTelemetry propagator write a Kafka record's headers.
type recordHeaders struct{ r *kgo.Record }

func (h recordHeaders) Get(key string) string {
	for _, hd := range h.r.Headers {
		if hd.Key == key {
			return string(hd.Value)
		}
	}
	return ""
}

func (h recordHeaders) Set(key, value string) {
	for i, hd := range h.r.Headers {
		if hd.Key == key {
			h.r.Headers[i].Value = []byte(value)
			return
		}
	}
	h.r.Headers = append(h.r.Headers, kgo.RecordHeader{Key: key, Value: []byte(value)})
}

func (h recordHeaders) Keys() []string {
	keys := make([]string, len(h.r.Headers))
	for i, hd := range h.r.Headers {
		keys[i] = hd.Key
	}
	return keys
}

var _ propagation.TextMapCarrier = recordHeaders{}
