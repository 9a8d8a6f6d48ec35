package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// app is the running service: what startApp built, in the order shutdown undoes it.
type app struct {
	c          *config
	log        *slog.Logger
	m          *metrics
	tp         *sdktrace.TracerProvider
	store      *store
	tempDir    string // the default database's folder, removed at exit
	pub        *publisher
	stopOutbox context.CancelFunc
	outboxDone chan struct{}
	server     *http.Server
	metricsSrv *http.Server
	reg        *registrar
	draining   atomic.Bool
	inFlight   atomic.Int64
}

// startApp opens everything and starts serving; etcd registration comes last, once the listener
// accepts connections, so no balancer is told about an instance that cannot answer yet.
func startApp(c *config, instanceID string, log *slog.Logger) (_ *app, err error) {
	ctx := context.Background()
	a := &app{c: c, log: log, m: newMetrics(c, instanceID)}
	defer func() {
		if err != nil {
			a.release()
		}
	}()
	if a.tp, err = newTracerProvider(ctx, c, instanceID); err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	if err = a.openStore(ctx); err != nil {
		return nil, err
	}
	if len(c.KafkaBrokers) > 0 {
		if a.pub, err = newPublisher(c, a.m, log); err != nil {
			return nil, fmt.Errorf("kafka client: %w", err)
		}
		a.startOutbox()
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return nil, fmt.Errorf("--listen %s: %w", c.Listen, err)
	}
	advertise := advertiseAddr(c.Advertise, ln.Addr())
	a.server = newHTTPServer(a.router())
	go a.serve(a.server, ln)
	metricsAddr := ln.Addr().String()
	if c.MetricsListen != "" {
		if metricsAddr, err = a.startMetricsListener(); err != nil {
			return nil, err
		}
	}
	log.Info("listening", slog.String("address", ln.Addr().String()), slog.String("advertise", advertise),
		slog.String("metrics", "http://"+metricsAddr+"/metrics"), slog.String("db", c.DBPath),
		slog.Any("kafka", c.KafkaBrokers), slog.String("topic", c.Topic), slog.String("otlp", c.OTLPEndpoint))
	if len(c.EtcdEndpoints) > 0 {
		if a.reg, err = newRegistrar(c, advertise, instanceID, a.m, log); err != nil {
			return nil, fmt.Errorf("etcd client: %w", err)
		}
		a.reg.start()
	}
	return a, nil
}

func (a *app) openStore(ctx context.Context) error {
	if a.c.DBPath == "" {
		dir, err := os.MkdirTemp("", "gin-service-")
		if err != nil {
			return err
		}
		a.tempDir = dir
		a.c.DBPath = filepath.Join(dir, "orders.db")
	}
	var err error
	a.store, err = openStore(ctx, a.c.DBPath, a.m)
	return err
}

func (a *app) startOutbox() {
	ctx, cancel := context.WithCancel(context.Background())
	a.stopOutbox, a.outboxDone = cancel, make(chan struct{})
	ob := newOutbox(a.pub, a.store, a.m, a.log)
	go func() {
		defer close(a.outboxDone)
		ob.run(ctx)
	}()
}

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second}
}

func (a *app) serve(s *http.Server, ln net.Listener) {
	if err := s.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.log.Error("listener failed", slog.String("address", ln.Addr().String()), slog.String("error_message", err.Error()))
	}
}

func (a *app) startMetricsListener() (string, error) {
	ln, err := net.Listen("tcp", a.c.MetricsListen)
	if err != nil {
		return "", fmt.Errorf("--metrics-listen %s: %w", a.c.MetricsListen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metricsHandler())
	a.metricsSrv = newHTTPServer(mux)
	go a.serve(a.metricsSrv, ln)
	return ln.Addr().String(), nil
}

// advertiseAddr is what etcd gets: --advertise, else the bound address; an unspecified host
// (0.0.0.0, ::) is replaced by the host name, which is what peers resolve in containers.
func advertiseAddr(flag string, bound net.Addr) string {
	if flag != "" {
		return flag
	}
	tcp, ok := bound.(*net.TCPAddr)
	if !ok {
		return bound.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		if name, err := os.Hostname(); err == nil {
			host = name
		}
	}
	return net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}
