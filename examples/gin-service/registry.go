package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/naming/endpoints"
	"go.uber.org/zap"
)

const (
	etcdCallTimeout = 5 * time.Second
	backoffMin      = 500 * time.Millisecond
	backoffMax      = 10 * time.Second
)

// registrar keeps this instance's key in etcd under a TTL lease (the seed's section 3.1). The value
// is written by etcd's own naming package, so it is exactly the JSON the gRPC etcd resolver and
// traceway's `etcd-endpoints` format read: {"Addr":"host:port","Metadata":{...}}.
//
// etcd down at start, or a lease lost later (etcd restarted, a long partition), is never fatal: the
// service keeps serving and registers again with capped exponential backoff.
type registrar struct {
	client   *clientv3.Client
	manager  endpoints.Manager
	key      string
	endpoint endpoints.Endpoint
	ttl      int64
	m        *metrics
	log      *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	lease  clientv3.LeaseID // 0 while not registered
}

func newRegistrar(c *config, advertise, instanceID string, m *metrics, log *slog.Logger) (*registrar, error) {
	client, err := clientv3.New(clientv3.Config{
		Endpoints:            c.EtcdEndpoints,
		DialTimeout:          2 * time.Second,
		DialKeepAliveTime:    5 * time.Second,
		DialKeepAliveTimeout: 2 * time.Second,
		Logger:               zap.NewNop(), // our own log lines say what happened, in the service's format
	})
	if err != nil {
		return nil, err
	}
	manager, err := endpoints.NewManager(client, strings.TrimSuffix(c.Prefix, "/"))
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	return &registrar{
		client: client, manager: manager, key: c.Prefix + advertise, ttl: int64(c.TTL / time.Second), m: m, log: log,
		endpoint: endpoints.Endpoint{Addr: advertise, Metadata: map[string]any{
			"version": c.Version, "weight": c.Weight, "serviceName": c.ServiceName, "instanceId": instanceID,
		}},
		done: make(chan struct{}),
	}, nil
}

// start registers in the background and returns at once.
func (r *registrar) start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.done)
		r.run(ctx)
	}()
}

func (r *registrar) run(ctx context.Context) {
	backoff := backoffMin
	for attempt := 1; ctx.Err() == nil; attempt++ {
		lease, err := r.register(ctx)
		if err != nil {
			r.m.registrations.WithLabelValues("failure").Inc()
			wait := jitter(backoff)
			r.log.Warn("etcd registration failed; retrying", slog.String("key", r.key), slog.Int("attempt", attempt),
				slog.String("error_message", err.Error()), slog.Float64("retry_in_ms", ms(wait)))
			if !sleep(ctx, wait) {
				return
			}
			backoff = min(2*backoff, backoffMax)
			continue
		}
		r.m.registrations.WithLabelValues("success").Inc()
		r.m.registered.Set(1)
		r.log.Info("registered in etcd", slog.String("key", r.key), slog.String("lease_id", leaseHex(lease)),
			slog.Int64("ttl_s", r.ttl), slog.Any("value", r.endpoint))
		backoff, attempt = backoffMin, 0
		r.keepAlive(ctx, lease)
		if ctx.Err() != nil {
			return // deregister removes the key under this lease
		}
		r.m.registered.Set(0)
		r.setLease(0)
		r.log.Warn("etcd lease lost; registering again", slog.String("key", r.key), slog.String("lease_id", leaseHex(lease)))
	}
}

func (r *registrar) register(ctx context.Context) (clientv3.LeaseID, error) {
	ctx, cancel := context.WithTimeout(ctx, etcdCallTimeout)
	defer cancel()
	grant, err := r.client.Grant(ctx, r.ttl)
	if err != nil {
		return 0, fmt.Errorf("grant lease: %w", err)
	}
	if err := r.manager.AddEndpoint(ctx, r.key, r.endpoint, clientv3.WithLease(grant.ID)); err != nil {
		_, _ = r.client.Revoke(context.WithoutCancel(ctx), grant.ID)
		return 0, fmt.Errorf("put %s: %w", r.key, err)
	}
	r.setLease(grant.ID)
	return grant.ID, nil
}

// keepAlive returns when the lease is gone: revoked, expired (the client closes the channel once a
// TTL passes without a successful renewal) or ctx is done.
func (r *registrar) keepAlive(ctx context.Context, lease clientv3.LeaseID) {
	responses, err := r.client.KeepAlive(ctx, lease)
	if err != nil {
		return
	}
	// Drained, or the client's queue of renewals fills up and it drops them with a warning.
	for range responses {
	}
}

func (r *registrar) setLease(id clientv3.LeaseID) {
	r.mu.Lock()
	r.lease = id
	r.mu.Unlock()
}

// deregister stops the keep-alive, deletes the key and revokes the lease: the first step of the
// graceful shutdown, so watchers drop this instance before its listener closes.
func (r *registrar) deregister() {
	r.cancel()
	<-r.done
	r.mu.Lock()
	lease := r.lease
	r.mu.Unlock()
	defer func() { _ = r.client.Close() }()
	if lease == 0 {
		r.log.Info("etcd deregistration: nothing to remove (not registered)", slog.String("key", r.key))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), etcdCallTimeout)
	defer cancel()
	err := r.manager.DeleteEndpoint(ctx, r.key)
	if err == nil {
		_, err = r.client.Revoke(ctx, lease)
	}
	r.m.registered.Set(0)
	if err != nil {
		r.log.Warn("etcd deregistration failed; the key expires with its lease", slog.String("key", r.key),
			slog.String("error_message", err.Error()), slog.Int64("ttl_s", r.ttl))
		return
	}
	r.log.Info("deregistered from etcd", slog.String("key", r.key), slog.String("lease_id", leaseHex(lease)))
}

func leaseHex(id clientv3.LeaseID) string { return fmt.Sprintf("%x", int64(id)) }

// jitter spreads retries of many instances by ±20 %.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
