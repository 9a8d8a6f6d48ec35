package main

import (
	"context"
	"log/slog"
	"os"
	"time"
)

// shutdown is the seed's graceful order: deregister from etcd first, wait --shutdown-delay so every
// watcher has dropped this instance, then close the listener and drain in-flight requests (at most
// --drain-timeout), then stop Kafka, traces and the database. It returns the exit code: 0, or 1 when
// requests were still running at the drain deadline.
func (a *app) shutdown(sig os.Signal) int {
	a.log.Info("shutdown started", slog.String("signal", sig.String()), slog.Int64("in_flight", a.inFlight.Load()))
	a.draining.Store(true)
	// Responses from now on say Connection: close, so keep-alive clients move to other instances.
	a.server.SetKeepAlivesEnabled(false)
	if a.reg != nil {
		a.log.Info("shutdown step 1/3: deregistering from etcd")
		a.reg.deregister()
	}
	if a.c.ShutdownDelay > 0 {
		a.log.Info("shutdown: still serving while watchers drop this instance", slog.Float64("delay_ms", ms(a.c.ShutdownDelay)))
		time.Sleep(a.c.ShutdownDelay)
	}
	a.log.Info("shutdown step 2/3: closing the listener, draining in-flight requests",
		slog.Int64("in_flight", a.inFlight.Load()), slog.Float64("deadline_ms", ms(a.c.DrainTimeout)))
	code := 0
	ctx, cancel := context.WithTimeout(context.Background(), a.c.DrainTimeout)
	defer cancel()
	if err := a.server.Shutdown(ctx); err != nil {
		a.log.Error("drain deadline passed; closing the remaining connections",
			slog.Int64("in_flight", a.inFlight.Load()), slog.String("error_message", err.Error()))
		_ = a.server.Close()
		code = 1
	} else {
		a.log.Info("drained: listener closed, no request in flight")
	}
	a.log.Info("shutdown step 3/3: stopping Kafka, traces and the database")
	a.release()
	a.log.Info("stopped", slog.Int("exit_code", code))
	return code
}

// release stops what startApp started besides the API listener and registration; also used when
// start-up fails half-way.
func (a *app) release() {
	if a.stopOutbox != nil {
		a.stopOutbox()
		<-a.outboxDone
	}
	if a.pub != nil {
		a.pub.close()
	}
	if a.metricsSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = a.metricsSrv.Shutdown(ctx)
		cancel()
	}
	if a.tp != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := a.tp.Shutdown(ctx); err != nil {
			a.log.Warn("flushing spans failed", slog.String("error_message", err.Error()))
		}
		cancel()
	}
	if a.store != nil {
		_ = a.store.close()
	}
	if a.tempDir != "" {
		_ = os.RemoveAll(a.tempDir)
	}
}
