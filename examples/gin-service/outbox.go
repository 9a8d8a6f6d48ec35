package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

const (
	outboxInterval = 5 * time.Second
	outboxBatch    = 100
)

// outbox makes Kafka outages lose nothing: an order is stored before it is sent, and orders whose send
// failed (or timed out) are sent again every few seconds, in the trace of the request that made them.
// It also creates the topic, since the broker may be down when the service starts.
type outbox struct {
	pub   *publisher
	store *store
	m     *metrics
	log   *slog.Logger
	// minAge keeps the relay away from orders whose own request may still be waiting for the ack.
	minAge     time.Duration
	topicReady bool
}

func newOutbox(pub *publisher, st *store, m *metrics, log *slog.Logger) *outbox {
	return &outbox{pub: pub, store: st, m: m, log: log, minAge: 2*pub.timeout + time.Second}
}

// run returns when ctx is done.
func (o *outbox) run(ctx context.Context) {
	ticker := time.NewTicker(outboxInterval)
	defer ticker.Stop()
	for {
		o.tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func (o *outbox) tick(ctx context.Context) {
	if !o.topicReady {
		o.topicReady = o.ensureTopic(ctx)
	}
	if o.topicReady {
		o.relay(ctx)
	}
	if n, err := o.store.countPending(ctx); err == nil {
		o.m.outboxPending.Set(float64(n))
	}
}

// ensureTopic creates the topic with --topic-partitions partitions (replication: the broker's default);
// an existing topic is left as it is.
func (o *outbox) ensureTopic(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := kadm.NewClient(o.pub.client).CreateTopic(ctx, int32(o.pub.partitions), -1, nil, o.pub.topic)
	if err == nil {
		err = resp.Err
	}
	switch {
	case err == nil:
		o.log.InfoContext(ctx, "kafka topic created", slog.String("topic", o.pub.topic), slog.Int("partitions", o.pub.partitions))
		return true
	case errors.Is(err, kerr.TopicAlreadyExists):
		return true
	default:
		o.log.WarnContext(ctx, "kafka topic not ready; orders wait in the outbox",
			slog.String("topic", o.pub.topic), slog.String("error_message", err.Error()),
			slog.Duration("retry_in", outboxInterval))
		return false
	}
}

// relay sends the oldest unsent orders and stops at the first failure (the broker is likely down).
func (o *outbox) relay(ctx context.Context) {
	pending, err := o.store.pendingOrders(ctx, outboxBatch, time.Now().Add(-o.minAge))
	if err != nil {
		o.log.ErrorContext(ctx, "outbox read failed", slog.String("error_message", err.Error()))
		return
	}
	for i := range pending {
		ord := &pending[i]
		carrier := propagation.MapCarrier{"traceparent": ord.traceparent, "tracestate": ord.tracestate}
		orderCtx := otel.GetTextMapPropagator().Extract(context.WithoutCancel(ctx), carrier)
		if err := o.pub.publish(orderCtx, ord); err != nil {
			o.log.WarnContext(orderCtx, "outbox send failed; retrying later", slog.String("order_id", ord.ID),
				slog.String("error_message", err.Error()), slog.Int("pending", len(pending)-i))
			return
		}
		if err := o.store.markPublished(orderCtx, ord.ID); err != nil {
			o.log.ErrorContext(orderCtx, "outbox mark failed", slog.String("order_id", ord.ID), slog.String("error_message", err.Error()))
			return
		}
		o.log.InfoContext(orderCtx, "order published from outbox", slog.String("order_id", ord.ID))
	}
}
