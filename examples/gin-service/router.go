package main

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// router wires the routes. /healthz and /metrics come before the observing middleware: probes and
// scrapes every second would otherwise flood Jaeger, the access log and the RED histogram.
func (a *app) router() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// X-Forwarded-For is believed only from loopback and private networks, where traceway runs.
	_ = r.SetTrustedProxies([]string{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"})
	r.GET("/healthz", a.health)
	if a.c.MetricsListen == "" {
		r.GET("/metrics", gin.WrapH(a.metricsHandler()))
	}
	r.Use(a.countInFlight, observe(a.m, a.log), gin.CustomRecovery(a.recovered))

	f := newFaults(a.m, a.c.ErrorRate, a.c.Latency)
	orders := &orderAPI{store: a.store, pub: a.pub, m: a.m, log: a.log}
	api := r.Group("/", f.inject())
	api.POST("/orders", orders.create)
	api.GET("/orders/:id", orders.get)
	api.GET("/api/items", listItems(a.store, a.log))
	// Demo-only: anyone who reaches the port can break this instance. Never expose it.
	r.GET("/admin/faults", f.getHandler)
	r.PUT("/admin/faults", f.putHandler(a.log))

	r.NoRoute(func(c *gin.Context) {
		c.JSON(http.StatusNotFound, apiError{Error: "not_found", Message: "no route " + c.Request.Method + " " + quote(c.Request.URL.Path)})
	})
	r.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, apiError{Error: "method_not_allowed", Message: "method " + c.Request.Method + " not allowed here"})
	})
	return r
}

func (a *app) metricsHandler() http.Handler {
	return promhttp.HandlerFor(a.m.registry, promhttp.HandlerOpts{Registry: a.m.registry})
}

// health answers 503 from the first shutdown signal on, so active health checks drop the instance
// even before etcd watchers do.
func (a *app) health(c *gin.Context) {
	if a.draining.Load() {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "draining"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (a *app) countInFlight(c *gin.Context) {
	a.inFlight.Add(1)
	defer a.inFlight.Add(-1)
	c.Next()
}

func (a *app) recovered(c *gin.Context, err any) {
	a.log.ErrorContext(c.Request.Context(), "handler panicked", slog.Any("panic", err))
	c.AbortWithStatusJSON(http.StatusInternalServerError, apiError{Error: "internal", Message: "internal error"})
}
