package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// maxInjectedLatency bounds the latency knob, so a typo cannot park requests for hours.
const maxInjectedLatency = 5 * time.Minute

// faults is the demo-only knob that makes this instance fail or slow down on purpose: the flags set it
// at start and PUT /admin/faults changes it at run time, without a restart (alert drills, tests).
type faults struct {
	mu        sync.RWMutex
	errorRate float64
	latency   time.Duration
	m         *metrics
}

// faultSettings is the JSON of GET and PUT /admin/faults.
type faultSettings struct {
	ErrorRate float64 `json:"errorRate"`
	LatencyMs int64   `json:"latencyMs"`
}

func newFaults(m *metrics, errorRate float64, latency time.Duration) *faults {
	f := &faults{m: m}
	f.set(errorRate, latency)
	return f
}

func (f *faults) set(errorRate float64, latency time.Duration) {
	f.mu.Lock()
	f.errorRate, f.latency = errorRate, latency
	f.mu.Unlock()
	f.m.faultErrorRate.Set(errorRate)
	f.m.faultLatencySec.Set(latency.Seconds())
}

func (f *faults) get() (float64, time.Duration) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.errorRate, f.latency
}

// inject runs before the API handlers (not /healthz, /metrics or /admin): the instance stays
// "healthy" to probes while its answers go bad, like a real faulty deploy.
func (f *faults) inject() gin.HandlerFunc {
	return func(c *gin.Context) {
		errorRate, latency := f.get()
		if latency > 0 {
			timer := time.NewTimer(latency)
			select {
			case <-timer.C:
			case <-c.Request.Context().Done():
				timer.Stop()
				c.AbortWithStatus(499) // client gone; nginx's code for it
				return
			}
		}
		if errorRate > 0 && rand.Float64() < errorRate {
			c.AbortWithStatusJSON(http.StatusInternalServerError, apiError{
				Error: "injected_fault", Message: "fault injection: this instance answers 500 on purpose",
			})
			return
		}
		c.Next()
	}
}

func (f *faults) getHandler(c *gin.Context) {
	errorRate, latency := f.get()
	c.JSON(http.StatusOK, faultSettings{ErrorRate: errorRate, LatencyMs: latency.Milliseconds()})
}

// putHandler replaces both settings; a field left out is set to 0.
func (f *faults) putHandler(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		var s faultSettings
		dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			c.JSON(http.StatusBadRequest, apiError{Error: "invalid_faults", Message: "body: " + err.Error()})
			return
		}
		if msg := s.problem(); msg != "" {
			c.JSON(http.StatusBadRequest, apiError{Error: "invalid_faults", Message: msg})
			return
		}
		f.set(s.ErrorRate, time.Duration(s.LatencyMs)*time.Millisecond)
		log.WarnContext(c.Request.Context(), "fault injection changed",
			slog.Float64("error_rate", s.ErrorRate), slog.Int64("latency_ms", s.LatencyMs))
		c.JSON(http.StatusOK, s)
	}
}

func (s faultSettings) problem() string {
	if math.IsNaN(s.ErrorRate) || s.ErrorRate < 0 || s.ErrorRate > 1 {
		return fmt.Sprintf("errorRate: must be between 0 and 1, got %v", s.ErrorRate)
	}
	if s.LatencyMs < 0 || s.LatencyMs > maxInjectedLatency.Milliseconds() {
		return fmt.Sprintf("latencyMs: must be between 0 and %d, got %d", maxInjectedLatency.Milliseconds(), s.LatencyMs)
	}
	return ""
}
